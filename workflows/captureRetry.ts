// A staff retry of a capture the gateway refused (`capture:<tenant>:<payment>:<refusals>`), in the order's search attributes.
import { proxyActivities } from '@temporalio/workflow';
import type { CardPaymentActivities } from '../contracts/activities.ts';
import type { CaptureRetryInput, CaptureRetryOutcome } from '../contracts/workflows.ts';
import { GATEWAY_RETRY } from './support.ts';

// retryCardCapture: keyed per retry (`capture:<payment>:retry:<n>`) and a no-op once captured, so gateway timeouts are
// retried safely; a refusal is an answer (returned), never retried here: staff decide whether to try again.
const { retryCardCapture } = proxyActivities<Pick<CardPaymentActivities, 'retryCardCapture'>>({ startToCloseTimeout: '15 seconds', retry: GATEWAY_RETRY });

/** Runs one capture retry; the id names the refusal it answers, so a repeated request joins it instead of capturing again. */
export async function captureRetry(input: CaptureRetryInput): Promise<CaptureRetryOutcome> {
  return retryCardCapture(input);
}
