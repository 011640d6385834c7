// Where a workflow's time went, read from its history: the gaps between each task's events, by kind.
import proto from '@temporalio/proto';

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;
const EventType = proto.temporal.api.enums.v1.EventType;
const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => (t ? Number(t.seconds) * 1000 + (t.nanos ?? 0) / 1e6 : NaN);

/**
 * Sums of a history's gaps by kind, in ms: workflow task schedule-to-start (waiting for a worker slot or poller) and run
 * (the worker's CPU), activity schedule-to-start and run, and start to the first completed Update (the storefront's answer).
 */
export function gaps(events: HistoryEvent[]): Record<string, number> {
  const out: Record<string, number> = {};
  const add = (k: string, v: number) => (out[k] = (out[k] ?? 0) + v);
  const at = new Map<number, number>();
  for (const e of events) {
    const t = ms(e.eventTime as never);
    at.set(Number(e.eventId), t);
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED)
      add('wft schedule-to-start', t - at.get(Number(e.workflowTaskStartedEventAttributes!.scheduledEventId))!);
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
      add('wft run', t - at.get(Number(e.workflowTaskCompletedEventAttributes!.startedEventId))!);
    if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
      add('activity schedule-to-start', t - at.get(Number(e.activityTaskStartedEventAttributes!.scheduledEventId))!);
    if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
      add('activity run', t - at.get(Number(e.activityTaskCompletedEventAttributes!.startedEventId))!);
  }
  const first = ms(events[0]?.eventTime as never);
  const updateDone = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED);
  if (updateDone) add('start to update completed', ms(updateDone.eventTime as never) - first);
  return out;
}

/** Each task's schedule-to-start in ms (workflow tasks and activities alike): how long it waited on its task queue. */
export function scheduleToStarts(events: HistoryEvent[]): number[] {
  const scheduledAt = new Map<number, number>();
  const out: number[] = [];
  for (const e of events) {
    const t = ms(e.eventTime as never);
    scheduledAt.set(Number(e.eventId), t);
    const scheduled =
      e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED
        ? e.workflowTaskStartedEventAttributes!.scheduledEventId
        : e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
          ? e.activityTaskStartedEventAttributes!.scheduledEventId
          : null;
    if (scheduled !== null && scheduled !== undefined) out.push(t - scheduledAt.get(Number(scheduled))!);
  }
  return out;
}
