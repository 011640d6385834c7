// How the API starts single-step retries in Temporal: a resend, a capture retry, a redelivery, each under a deterministic id.
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../config/config.ts';
import { domainErrorFromCode, UnavailableError } from '../domain/errors.ts';
import { captureRetryWorkflowId, redeliveryWorkflowId, resendWorkflowId } from '../domain/step-retries.ts';
import type { Notification } from '../domain/notification.ts';
import { orderSearchAttributes, TenantIdKey } from '../contracts/search-attributes.ts';
import type { CaptureRetryInput, CaptureRetryOutcome, WebhookDeliveryInput, WorkflowSignatures } from '../contracts/workflows.ts';

// A finished workflow of the same id means the request was already carried out: starting it again is refused, not re-run.
const once = { workflowIdReusePolicy: 'REJECT_DUPLICATE', workflowIdConflictPolicy: 'USE_EXISTING' } as const;

/** The domain error a failed workflow ended with (its ApplicationFailure's type is the code). */
function domainErrorOfFailure(err: unknown): Error {
  let cause: unknown = err instanceof WorkflowFailedError ? err.cause : undefined;
  while (cause && !(cause instanceof ApplicationFailure) && (cause as Error).cause) cause = (cause as Error).cause;
  if (cause instanceof ApplicationFailure && cause.type) return domainErrorFromCode(cause.type, cause.message) ?? (err as Error);
  return err as Error;
}

/** Starts (or finds) the workflows of single-step retries. */
export function createStepRetries(client: Client, config: Config) {
  const taskQueue = config.TEMPORAL_TASK_QUEUE;
  // Every wait on Temporal is bounded like the back office's other waits: afterwards 503, and the same request rejoins.
  const within = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    const signal = AbortSignal.timeout(config.PROCESS_ANSWER_TIMEOUT);
    try {
      return await client.withAbortSignal(signal, call);
    } catch (err) {
      if (signal.aborted) throw new UnavailableError(`${what} did not answer in time; it may still finish: retry the same request`);
      throw err;
    }
  };
  const startOnce = async (start: () => Promise<unknown>): Promise<void> => {
    try {
      await start();
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  };

  return {
    /** Starts `resend:<tenant>:<order>:<template>:<request>`, which sends the notification once. */
    async resend(orderId: string, requestId: string, notification: Notification): Promise<string> {
      const workflowId = resendWorkflowId(notification.tenantId, orderId, notification.template, requestId);
      await within('the resend', () =>
        startOnce(() =>
          client.workflow.start<WorkflowSignatures['notificationResend']>('notificationResend', {
            workflowId,
            taskQueue,
            args: [{ notification }],
            ...once,
            typedSearchAttributes: orderSearchAttributes({ tenantId: notification.tenantId, orderId }),
          }),
        ),
      );
      return workflowId;
    },

    /** Runs the capture retry of the payment's current refusal count to its end (a repeated request joins it). */
    async retryCapture(input: CaptureRetryInput): Promise<CaptureRetryOutcome> {
      const workflowId = captureRetryWorkflowId(input.tenantId, input.paymentId, input.attempt);
      return within('the capture retry', async () => {
        await startOnce(() =>
          client.workflow.start<WorkflowSignatures['captureRetry']>('captureRetry', {
            workflowId,
            taskQueue,
            args: [input],
            ...once,
            typedSearchAttributes: orderSearchAttributes({ tenantId: input.tenantId, orderId: input.orderId }),
          }),
        );
        try {
          return await client.workflow.getHandle<WorkflowSignatures['captureRetry']>(workflowId).result();
        } catch (err) {
          throw domainErrorOfFailure(err);
        }
      });
    },

    /** Starts a new attempt series of one delivery, `webhook:<webhook>:<event>:<request>`, with the event as recorded. */
    async redeliver(requestId: string, input: Omit<WebhookDeliveryInput, 'retry'>): Promise<string> {
      const workflowId = redeliveryWorkflowId(input.webhookId, input.event.id, requestId);
      const retry = {
        initialIntervalMs: config.WEBHOOK_RETRY_INITIAL,
        maximumIntervalMs: config.WEBHOOK_RETRY_MAX_INTERVAL,
        giveUpAfterMs: config.WEBHOOK_RETRY_FOR,
      };
      await within('the redelivery', () =>
        startOnce(() =>
          client.workflow.start<WorkflowSignatures['webhookDelivery']>('webhookDelivery', {
            workflowId,
            taskQueue,
            args: [{ ...input, retry }],
            ...once,
            typedSearchAttributes: [{ key: TenantIdKey, value: input.tenantId }],
          }),
        ),
      );
      return workflowId;
    },
  };
}
