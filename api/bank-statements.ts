// How the API starts a statement's matching in Temporal: one workflow per statement, under a deterministic id.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Config } from '../config/config.ts';
import { UnavailableError } from '../domain/errors.ts';
import { bankStatementWorkflowId } from '../domain/ids.ts';
import { TenantIdKey } from '../contracts/search-attributes.ts';
import type { WorkflowSignatures } from '../contracts/workflows.ts';
import type { Actor } from '../contracts/audit.ts';

/**
 * Starts `bankStatement:<tenant>:<statement>` unless it runs or ran already (a retried upload joins it). The wait is bounded
 * by PROCESS_ANSWER_TIMEOUT: afterwards 503, and the same request with its Idempotency-Key starts it.
 */
export async function startStatementMatching(client: Client, config: Config, input: { tenantId: string; statementId: string; actor: Actor }): Promise<string> {
  const workflowId = bankStatementWorkflowId(input.tenantId, input.statementId);
  const signal = AbortSignal.timeout(config.PROCESS_ANSWER_TIMEOUT);
  try {
    await client.withAbortSignal(signal, () =>
      client.workflow.start<WorkflowSignatures['bankStatement']>('bankStatement', {
        workflowId,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        args: [input],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        workflowIdConflictPolicy: 'USE_EXISTING',
        typedSearchAttributes: [{ key: TenantIdKey, value: input.tenantId }],
      }),
    );
  } catch (err) {
    if (signal.aborted) throw new UnavailableError('Temporal did not answer in time; send the same request (same Idempotency-Key) again');
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return workflowId;
}
