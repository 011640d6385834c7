// A worker process is SIGKILLed in the middle of a product import; a new one takes over and the import completes with
// every row applied exactly once: no duplicate product or variant, counters that add up, every row with one outcome.
import { z } from 'zod';
import { waitFor, type TestStack } from '../helpers/harness.ts';
import { buildImportRows, bulkOffice, catalogCounts, importFinished, toCsv } from '../helpers/bulk.ts';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.ts';
import { useCrashStack } from '../helpers/crash-stack.ts';
import { sql } from '../../db/sql.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

const ROWS = 5000;
const log = (msg: string) => process.stderr.write(`[import-worker-crash] ${msg}\n`);

describe('a worker process crashes in the middle of an import', () => {
  let stack: TestStack;
  let tenant: CreatedTenant;
  let taskQueue: string;
  let workers: WorkerProcess[];
  // Small chunks, so the kill lands between many committed chunks and before the last.
  useCrashStack('import-crash', { config: { IMPORT_CHUNK_SIZE: '25', IMPORT_CHUNKS_PER_RUN: '20' } }, (c) => ({ stack, tenant, taskQueue, workers } = c));

  test('when the worker is killed midway and a new one starts, then the import completes and nothing is created twice', async () => {
    const office = bulkOffice(stack.http, tenant.admin_api_key);
    const upload = await office.upload(toCsv(buildImportRows(ROWS, 'crash', 2)));
    expect(upload.status).toBe(202);
    const midway = await waitFor(
      async () => {
        const { body } = await office.import(upload.body.id);
        return body.processed >= 200 ? body : null;
      },
      { timeoutMs: 120_000, intervalMs: 20, what: 'the first chunks to be applied' },
    );
    await workers[0].kill();
    expect((await workers[0].exited).signal).toBe('SIGKILL');
    const atKill = (await office.import(upload.body.id)).body;
    log(`SIGKILLed worker pid ${workers[0].pid} at ${atKill.processed} of ${ROWS} rows (seen ${midway.processed})`);
    expect(atKill.status).toBe('running');
    expect(atKill.processed).toBeLessThan(ROWS);

    workers.push(await startWorkerProcess(taskQueue));
    const done = await importFinished(stack.http, tenant.admin_api_key, upload.body.id, 240_000);
    expect(done).toMatchObject({ status: 'completed', rows: ROWS, processed: ROWS, created: ROWS, updated: 0, failed: 0 });
    expect(await catalogCounts(stack.pool, tenant.tenant_id, 'crash')).toEqual({ variants: ROWS, products: ROWS / 2, distinct_skus: ROWS });
    const outcomes = await stack.pool.any(sql.type(z.object({ outcome: z.string().nullable(), n: z.number() }))`
      SELECT outcome, count(*)::int8 AS n FROM import_rows WHERE import_id = ${upload.body.id} GROUP BY outcome`);
    expect(outcomes).toEqual([{ outcome: 'created', n: ROWS }]);
    const productRows = await stack.pool.oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(*)::int8 AS n FROM products WHERE tenant_id = ${tenant.tenant_id} AND handle LIKE 'crash-%'`);
    expect(productRows).toBe(ROWS / 2);
  }, 400_000);
});
