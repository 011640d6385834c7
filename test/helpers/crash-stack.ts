// The common frame of the crash tests: the API with no in-process worker, a tenant, and worker processes on a task
// queue of their own that a test SIGKILLs and replaces (test/helpers/worker-process.ts).
import { startTestStack, type TestStack } from './harness.ts';
import { createTestTenant } from './factories.ts';
import { startWorkerProcess, type WorkerProcess } from './worker-process.ts';
import { uniqueTaskQueue } from './stack.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

/** What a crash test drives; `workers` holds every worker process started, the first one included. */
export type CrashStack = { stack: TestStack; tenant: CreatedTenant; taskQueue: string; workers: WorkerProcess[] };

/** Answer bounds for calls that wait through a worker's restart (the 503 bound is tested in bounded-input-and-answers). */
export function patientAnswers(ms: number): Record<string, string> {
  return { CHECKOUT_ANSWER_TIMEOUT: `${ms / 1000}s`, PROCESS_ANSWER_TIMEOUT: `${ms / 1000}s` };
}

/**
 * Registers the suite's beforeAll (stack with `config`, a tenant of `mode`, the first worker process; then `ready`) and
 * afterAll (every worker process killed, the stack stopped).
 */
export function useCrashStack(
  label: string,
  opts: { config?: Record<string, string>; mode?: 'single_brand' | 'mall' },
  ready: (crash: CrashStack) => void,
): void {
  const taskQueue = uniqueTaskQueue(label);
  const workers: WorkerProcess[] = [];
  let stack: TestStack | undefined;
  beforeAll(async () => {
    stack = await startTestStack({ worker: false, taskQueue, config: opts.config });
    const tenant = await createTestTenant(stack.pool, { mode: opts.mode });
    workers.push(await startWorkerProcess(taskQueue));
    ready({ stack, tenant, taskQueue, workers });
  }, 120_000);
  afterAll(async () => {
    for (const w of workers) await w.kill();
    await stack?.stop();
  });
}
