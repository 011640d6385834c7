// Back-office product imports: the CSV is stored, then the productImport workflow applies it; roles in api/route-roles.ts.
import express, { Router } from 'express';
import { parse } from 'csv-parse/sync';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { createImport, failImport, getImport } from '../../db/queries/imports.ts';
import { headerErrors } from '../../domain/imports.ts';
import { importWorkflowId } from '../../domain/ids.ts';
import { UnavailableError, ValidationError } from '../../domain/errors.ts';
import { TenantIdKey } from '../../contracts/search-attributes.ts';
import type { WorkflowSignatures } from '../../contracts/workflows.ts';
import type { AppDeps } from '../context.ts';
import { actorOf, tenantOf } from '../context.ts';
import { createImportBody } from '../schemas-bulk.ts';

/** The header of a CSV (its first record), or 400 naming what is wrong. */
function checkHeader(content: string): void {
  const header = (() => {
    try {
      return (parse(content, { bom: true, to_line: 1, relax_column_count: true }) as string[][])[0] ?? [];
    } catch (err) {
      throw new ValidationError(`the CSV header cannot be read: ${(err as Error).message}`);
    }
  })();
  const errors = headerErrors(header.map((c) => c.trim()));
  if (errors.length > 0) throw new ValidationError(`bad CSV header: ${errors.join('; ')}`, { errors });
}

/** The JSON parser of upload routes: bodies up to IMPORT_MAX_BYTES, parsed only once the key passed (app.ts skips them). */
export function bulkUploadJson(limitBytes: number) {
  return express.json({
    limit: limitBytes,
    verify: (_req, _res, buf) => {
      if (buf.includes(0) || buf.includes('\\u0000')) throw new ValidationError('the request body contains a NUL character');
    },
  });
}

/** POST /admin/imports, GET /admin/imports/:id. */
export function adminImportRoutes(deps: AppDeps): Router {
  const { pool, temporal, config } = deps;
  const r = Router();

  r.post('/imports', bulkUploadJson(config.IMPORT_MAX_BYTES), async (req, res) => {
    const t = tenantOf(req);
    const body = createImportBody.parse(req.body);
    checkHeader(body.content);
    const actor = actorOf(req);
    const { id } = await createImport(pool, t.id, Buffer.from(body.content, 'utf8'), actor);
    const workflowId = importWorkflowId(t.id, id);
    const input = { tenantId: t.id, importId: id, chunkSize: config.IMPORT_CHUNK_SIZE, chunksPerRun: config.IMPORT_CHUNKS_PER_RUN, actor };
    const signal = AbortSignal.timeout(config.PROCESS_ANSWER_TIMEOUT);
    try {
      await temporal.withAbortSignal(signal, () =>
        temporal.workflow.start<WorkflowSignatures['productImport']>('productImport', {
          workflowId,
          taskQueue: config.TEMPORAL_TASK_QUEUE,
          args: [input],
          typedSearchAttributes: [{ key: TenantIdKey, value: t.id }],
        }),
      );
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
        // The file is kept but nothing will apply it: say so on the import and let the client upload again.
        await failImport(pool, t.id, id, 'the import workflow could not be started; upload the file again');
        deps.logger.error({ err, importId: id }, 'import workflow not started');
        throw new UnavailableError('the import could not be started; upload the file again');
      }
    }
    res.status(202).json({ id, workflow_id: workflowId, status: 'running' });
  });
  r.get('/imports/:id', async (req, res) => {
    res.json(await getImport(pool, tenantOf(req).id, req.params.id));
  });

  return r;
}
