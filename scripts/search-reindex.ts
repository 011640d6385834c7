// `cli search reindex`: starts (or joins) the tenant's searchReindex workflow and waits for it, reporting progress.
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config/config.ts';
import { searchReindexWorkflowId } from '../domain/relay.ts';
import { reindexProgressQuery } from '../contracts/definitions.ts';
import type { ReindexProgress, WorkflowSignatures } from '../contracts/workflows.ts';
import { TenantIdKey } from '../contracts/search-attributes.ts';
import { dataConverter } from '../providers/codec/data-converter.ts';

/** Runs the reindex workflow for a tenant on the configured task queue; `onProgress` hears about it every second. */
export async function reindexTenant(
  config: Config,
  tenantId: string,
  onProgress: (p: ReindexProgress) => void,
): Promise<{ workflow_id: string; progress: ReindexProgress }> {
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  try {
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: dataConverter(config) });
    const workflowId = searchReindexWorkflowId(tenantId);
    // A reindex already running for the tenant is joined, not doubled.
    const handle = await client.workflow.start<WorkflowSignatures['searchReindex']>('searchReindex', {
      workflowId,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      args: [{ tenantId }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [{ key: TenantIdKey, value: tenantId }],
    });
    const timer = setInterval(() => void handle.query(reindexProgressQuery).then(onProgress, () => {}), 1000);
    try {
      return { workflow_id: workflowId, progress: await handle.result() };
    } finally {
      clearInterval(timer);
    }
  } finally {
    await connection.close();
  }
}
