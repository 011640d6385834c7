// Which of its recorded changes a run takes: every one in the workflow types that build them in, patch by patch in older ones.
import { patched, workflowInfo } from '@temporalio/workflow';

/**
 * Workflow types started after every change below was made, with each of them built in (issue 14). Their runs never ask
 * `patched()`: a patch marker and the `TemporalChangeVersion` search attribute upsert that comes with it cost the server
 * two history events, a visibility write and a namespace read, eight times per card order. The types they replace
 * (`checkout`, `fulfillment`) stay registered, asking patch by patch, until their runs have drained (README, Workflow
 * versions); `changed()` reached from other types (follow.ts) asks `patched()` there as before.
 */
const BUILT_IN: readonly string[] = ['checkoutV2', 'fulfillmentV2'];

/** True when this run takes the change `id`: always in a type that builds every change in, else as `patched(id)` answers. */
export function changed(id: string): boolean {
  return buildsChangesIn() || patched(id);
}

/** True when this run is of a type that builds every change in: it starts `fulfillmentV2` and upserts the order's attributes once. */
export function buildsChangesIn(): boolean {
  return BUILT_IN.includes(workflowInfo().workflowType);
}
