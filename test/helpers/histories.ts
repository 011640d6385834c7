// Workflow history fixtures: recording them from real runs (UPDATE_HISTORIES=1) and replaying them against the code.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { WorkflowNotFoundError } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { waitFor, type TestStack } from './harness.ts';
import { testConfig, workflowBundle } from './stack.ts';
import { dataConverter } from '../../providers/codec/data-converter.ts';

/** Where the committed fixtures live. */
export const HISTORIES_DIR = path.join(process.cwd(), 'test', 'workflows', 'histories');

/** True when this run records fresh fixtures before replaying. */
export const UPDATE_HISTORIES = process.env.UPDATE_HISTORIES === '1';

/** The body of a response with the expected status, or an error naming the step (for scripted scenarios). */
export function expectStatus(res: { status: number; body: any }, status: number, what: string): any {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** How the recorded run must have ended; CONTINUED_AS_NEW records the first run that continued. */
export type RunEnd = 'COMPLETED' | 'CANCELLED' | 'FAILED' | 'CONTINUED_AS_NEW';

/** Waits for a run of `workflowId` that ended as `endsAs`, then writes its history as `<name>.json`. */
export async function recordHistory(stack: TestStack, workflowId: string, name: string, endsAs: RunEnd = 'COMPLETED'): Promise<void> {
  const runId = await waitFor(
    async () => {
      if (endsAs === 'CONTINUED_AS_NEW') {
        for await (const run of stack.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) if (run.status.name === endsAs) return run.runId;
        return null;
      }
      // Not started yet is not an answer: a cart's hold watcher starts HOLD_WATCH_DELAY after its first hold.
      const latest = await stack.temporal.workflow
        .getHandle(workflowId)
        .describe()
        .catch((err: unknown) => {
          if (err instanceof WorkflowNotFoundError) return null;
          throw err;
        });
      if (!latest) return null;
      if (latest.status.name !== 'RUNNING' && latest.status.name !== endsAs)
        throw new Error(`${workflowId} ended ${latest.status.name}, not ${endsAs}; refusing to record it`);
      return latest.status.name === endsAs ? latest.runId : null;
    },
    { timeoutMs: 40_000, what: `${workflowId} to end ${endsAs}` },
  );
  const handle = stack.temporal.workflow.getHandle(workflowId, runId);
  const { type } = await handle.describe();
  // A fixture's name says which version of a workflow type recorded it: a checkoutV2 run never overwrites a `checkout-…` fixture.
  if (!fixtureNameFits(name, type))
    throw new Error(`${workflowId} is a run of ${type}; its fixture's name must start with "${fixturePrefix(type)}", not "${name}"`);
  const history = await handle.fetchHistory();
  writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), `${historyToJSON(history)}\n`);
}

/** How the fixture names of a workflow type start: its first word, and its version if any (`checkoutV2` → `checkout-v2-`). */
export function fixturePrefix(workflowType: string): string {
  const [, base, version] = /^(.*?)(?:V(\d+))?$/.exec(workflowType)!;
  const word = base
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .split('-')[0];
  return version ? `${word}-v${version}-` : `${word}-`;
}

/** True when a fixture's name fits the type that recorded it: `checkout-v2-…` for checkoutV2, `checkout-…` but not `checkout-v2-…` for checkout. */
export function fixtureNameFits(name: string, workflowType: string): boolean {
  const prefix = fixturePrefix(workflowType);
  return name.startsWith(prefix) && (/-v\d+-$/.test(prefix) || !/^v\d+-/.test(name.slice(prefix.length)));
}

/** The committed fixtures (all, or the names given), parsed. */
export function committedHistories(names?: string[]): { name: string; json: Record<string, unknown> }[] {
  let files: string[] = [];
  try {
    files = names
      ? names.map((n) => `${n}.json`)
      : readdirSync(HISTORIES_DIR)
          .filter((f) => f.endsWith('.json'))
          .sort();
  } catch {
    // No folder: reported by the callers' assertions as "no histories".
  }
  return files.map((f) => ({ name: f.replace(/\.json$/, ''), json: JSON.parse(readFileSync(path.join(HISTORIES_DIR, f), 'utf8')) }));
}

/** Replays histories against the current workflow bundle; one result per history, with the error if it failed. */
export async function replayHistories(histories: { name: string; json: unknown }[]): Promise<{ workflowId: string; error?: string }[]> {
  const results: { workflowId: string; error?: string }[] = [];
  const input = histories.map((h) => ({ workflowId: h.name, history: historyFromJSON(h.json) }));
  for await (const r of Worker.runReplayHistories(
    { workflowBundle: workflowBundle(), replayName: 'committed-histories', dataConverter: dataConverter(testConfig()) },
    input,
  )) {
    results.push({ workflowId: r.workflowId, ...(r.error ? { error: `${r.error.name}: ${r.error.message}` } : {}) });
  }
  return results;
}

/** Replays the committed fixtures `names` and expects exactly those to have replayed, none with an error. */
export async function expectFixturesReplay(names: string[]): Promise<void> {
  const results = await replayHistories(committedHistories(names));
  expect(results.map((r) => r.workflowId).sort()).toEqual([...names].sort());
  expect(results.filter((r) => r.error)).toEqual([]);
}

/** Installs the quiet runtime once per test process (replay workers log every activation otherwise). */
export function installQuietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed in this process.
  }
}

/** A local activity as its marker records it: type, attempt (the SDK core's marker data) and the marker's event id. */
export type LocalActivityRun = { activityType: string; attempt: number; eventId: number };

/** The local activities a history recorded, in order (markers named `core_local_activity`). */
export function localActivityRuns(events: { eventId?: unknown; markerRecordedEventAttributes?: any }[]): LocalActivityRun[] {
  return events.flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_local_activity') return [];
    const payload = marker.details?.data?.payloads?.[0];
    // A fetched history holds bytes; a committed fixture (JSON) holds them in base64.
    const bytes = typeof payload?.data === 'string' ? Buffer.from(payload.data, 'base64') : Buffer.from(payload?.data ?? []);
    const data = JSON.parse(bytes.toString('utf8')) as { activity_type?: string; attempt?: number };
    return [{ activityType: data.activity_type ?? '?', attempt: Number(data.attempt ?? 0), eventId: Number(e.eventId) }];
  });
}
