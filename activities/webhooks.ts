// Webhook delivery: one signed POST per attempt; Temporal's retry policy (from the workflow) spaces the attempts.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { DatabasePool } from 'slonik';
import type { Config } from '../config/config.ts';
import { recordDeliveryAttempt, recordDeliveryGivenUp, webhookTarget } from '../db/queries/webhooks.ts';
import { decryptSecret } from '../domain/secrets.ts';
import { signWebhook, SIGNATURE_HEADER } from '../providers/webhooks/signature.ts';
import { parseWebhookUrl } from '../providers/webhooks/url-guard.ts';
import { InternalAddressError, postWebhook } from '../providers/webhooks/post.ts';
import { webhookSecretKey } from '../providers/webhooks/secret-key.ts';
import type { WebhookActivities, WebhookDelivery } from '../contracts/activities.ts';
import { opsMetrics } from '../config/ops-metrics.ts';

const TIMEOUT_MS = 10_000;

/** Builds the webhook activities. */
export function createWebhookActivities({ pool, config }: { pool: DatabasePool; config?: Config }) {
  return {
    /** Marks a delivery given up in the delivery log (the workflow's retries ran out or the URL was refused). */
    async recordWebhookGivenUp(input: WebhookDelivery & { reason: string }): Promise<void> {
      await recordDeliveryGivenUp(pool, {
        webhookId: input.webhookId,
        tenantId: input.tenantId,
        eventId: input.event.id,
        eventType: input.event.type,
        reason: input.reason,
      });
      opsMetrics.webhookGiveUps.inc();
    },

    /**
     * POSTs the event to the webhook, signed over `<timestamp>.<body>`, and records the attempt. A non-2xx answer or a
     * network error fails the attempt (retried); a deleted webhook or a URL now resolving to a private address does not.
     */
    async deliverWebhook(input: WebhookDelivery): Promise<{ status: number | null; attempts: number }> {
      // A redelivery numbers its attempts after the earlier series', so the delivery log and Webhook-Attempt keep counting.
      const attempt = (input.attemptOffset ?? 0) + Context.current().info.attempt;
      const target = await webhookTarget(pool, input.tenantId, input.webhookId);
      if (!target || target.status !== 'active') return { status: null, attempts: attempt - 1 };
      const record = (status: number | null, error: string | null, delivered: boolean) =>
        recordDeliveryAttempt(pool, {
          webhookId: input.webhookId,
          tenantId: input.tenantId,
          eventId: input.event.id,
          eventType: input.event.type,
          attempt,
          status,
          error,
          delivered,
        });
      const allowPrivate = config?.WEBHOOK_ALLOW_PRIVATE_URLS ?? false;
      const notDeliverable = async (message: string): Promise<never> => {
        await record(null, message, false);
        throw ApplicationFailure.create({ message, type: 'webhook_not_deliverable', nonRetryable: true });
      };
      let url: URL;
      try {
        url = parseWebhookUrl(target.url);
      } catch (err) {
        return notDeliverable((err as Error).message);
      }
      // `sequence` orders events (deliveries are independent and may arrive out of order): apply a newer one only.
      const body = JSON.stringify({
        id: input.event.id,
        type: input.event.type,
        sequence: input.event.sequence ?? null,
        created_at: input.event.created_at,
        tenant_id: input.tenantId,
        data: input.event.data,
      });
      const secret = decryptSecret(target.secret_ciphertext, webhookSecretKey(config));
      let status: number;
      try {
        // The address is checked where the connection is made (DNS rebinding); a DNS failure is retried like any network error.
        status = await postWebhook(
          url,
          body,
          {
            'content-type': 'application/json',
            'user-agent': 'temporal-commerce-webhooks/1',
            'webhook-id': input.event.id,
            'webhook-event': input.event.type,
            'webhook-attempt': String(attempt),
            [SIGNATURE_HEADER]: signWebhook(secret, Math.floor(Date.now() / 1000), body),
          },
          { timeoutMs: TIMEOUT_MS, allowPrivate },
        );
      } catch (err) {
        if (err instanceof InternalAddressError) return notDeliverable(err.message);
        await record(null, (err as Error).message.slice(0, 500), false);
        throw ApplicationFailure.retryable(`webhook request failed: ${(err as Error).message}`, 'webhook_network_error');
      }
      const ok = status >= 200 && status < 300;
      await record(status, ok ? null : `HTTP ${status}`, ok);
      if (!ok) throw ApplicationFailure.retryable(`webhook answered HTTP ${status}`, 'webhook_http_error');
      return { status, attempts: attempt };
    },
  } satisfies WebhookActivities;
}
