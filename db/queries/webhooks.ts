// SQL owned by webhooks and webhook_deliveries.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CommonQueryMethods } from 'slonik';
import { noRows, sql } from '../sql.ts';
import { NotFoundError } from '../../domain/errors.ts';
import type { Actor } from '../../contracts/audit.ts';
import { changedFields } from '../../domain/audit.ts';
import { recordAudit } from './audit-log.ts';

/** A webhook as the back office sees it (never its secret). */
const webhookView = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  status: z.string(),
  created_at: z.string(),
  cursor_at: z.string(),
});
export type WebhookView = z.infer<typeof webhookView>;

const columns = sql.fragment`id, url, events, status, created_at, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at`;

/** Registers a webhook; `secretBox` is the encrypted signing secret. */
export async function insertWebhook(
  db: CommonQueryMethods,
  tenantId: string,
  input: { url: string; events: string[]; secretBox: string },
  actor: Actor | null,
): Promise<WebhookView> {
  return db.transaction(async (tx) => {
    const webhook = await tx.one(sql.type(webhookView)`
      INSERT INTO webhooks (id, tenant_id, url, events, secret_ciphertext)
      VALUES (${`wh_${randomUUID().replaceAll('-', '')}`}, ${tenantId}, ${input.url}, ${sql.array(input.events, 'text')}, ${input.secretBox})
      RETURNING ${columns}`);
    // The signing secret is recorded as set, never its value (not even encrypted).
    const changes = changedFields(null, { url: webhook.url, events: webhook.events, secret: 'set' }, ['secret']);
    await recordAudit(tx, { tenantId, actor, action: 'webhook.create', resourceType: 'webhook', resourceId: webhook.id, changes });
    return webhook;
  });
}

/** A tenant's webhooks, newest first (`limit + 1` rows). */
export async function listWebhooks(
  db: CommonQueryMethods,
  tenantId: string,
  after: { createdAt: string; id: string } | undefined,
  limit: number,
): Promise<WebhookView[]> {
  return [
    ...(await db.any(sql.type(webhookView)`
    SELECT ${columns} FROM webhooks WHERE tenant_id = ${tenantId}
      ${after ? sql.fragment`AND (created_at, id) < (${after.createdAt}::timestamptz, ${after.id})` : sql.fragment``}
    ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}`)),
  ];
}

/** One webhook of the tenant, or NotFoundError. */
export async function getWebhook(db: CommonQueryMethods, tenantId: string, webhookId: string): Promise<WebhookView> {
  const row = await db.maybeOne(sql.type(webhookView)`SELECT ${columns} FROM webhooks WHERE tenant_id = ${tenantId} AND id = ${webhookId}`);
  if (!row) throw new NotFoundError('webhook', webhookId);
  return row;
}

const targetRow = z.object({ id: z.string(), url: z.string(), secret_ciphertext: z.string(), status: z.string() });

/** Where and how to deliver: the URL and the encrypted secret. */
export async function webhookTarget(db: CommonQueryMethods, tenantId: string, webhookId: string): Promise<z.infer<typeof targetRow> | null> {
  return db.maybeOne(sql.type(targetRow)`SELECT id, url, secret_ciphertext, status FROM webhooks WHERE tenant_id = ${tenantId} AND id = ${webhookId}`);
}

const subscriptionRow = z.object({ id: z.string(), tenant_id: z.string(), events: z.array(z.string()) });

/** Active webhooks of these tenants (the relay matches each event against `events`; `*` means every event). */
export async function activeWebhooks(db: CommonQueryMethods, tenantIds: string[]): Promise<z.infer<typeof subscriptionRow>[]> {
  if (tenantIds.length === 0) return [];
  return [
    ...(await db.any(sql.type(subscriptionRow)`
    SELECT id, tenant_id, events FROM webhooks WHERE tenant_id = ANY(${sql.array(tenantIds, 'text')}) AND status = 'active' ORDER BY id`)),
  ];
}

/** Records an attempt (its number from Temporal, so a retried report never counts twice) and its outcome. */
export async function recordDeliveryAttempt(
  db: CommonQueryMethods,
  d: {
    webhookId: string;
    tenantId: string;
    eventId: string;
    eventType: string;
    attempt: number;
    status: number | null;
    error: string | null;
    delivered: boolean;
  },
): Promise<void> {
  await db.query(sql.type(noRows)`
    INSERT INTO webhook_deliveries (webhook_id, event_id, tenant_id, event_type, attempts, last_status, last_error, delivered_at)
    VALUES (${d.webhookId}, ${d.eventId}, ${d.tenantId}, ${d.eventType}, ${d.attempt}, ${d.status}, ${d.error}, ${d.delivered ? sql.fragment`now()` : null})
    ON CONFLICT (webhook_id, event_id) DO UPDATE SET
      attempts = GREATEST(webhook_deliveries.attempts, EXCLUDED.attempts), last_status = EXCLUDED.last_status, last_error = EXCLUDED.last_error,
      delivered_at = COALESCE(webhook_deliveries.delivered_at, EXCLUDED.delivered_at), updated_at = now()`);
}

/** Records that a delivery will not be attempted again (retries exhausted or the URL refused), keeping its attempts. */
export async function recordDeliveryGivenUp(
  db: CommonQueryMethods,
  d: { webhookId: string; tenantId: string; eventId: string; eventType: string; reason: string },
): Promise<void> {
  await db.query(sql.type(noRows)`
    INSERT INTO webhook_deliveries (webhook_id, event_id, tenant_id, event_type, last_error, gave_up_at)
    VALUES (${d.webhookId}, ${d.eventId}, ${d.tenantId}, ${d.eventType}, ${d.reason}, now())
    ON CONFLICT (webhook_id, event_id) DO UPDATE SET
      gave_up_at = COALESCE(webhook_deliveries.gave_up_at, now()), last_error = COALESCE(webhook_deliveries.last_error, EXCLUDED.last_error), updated_at = now()
    WHERE webhook_deliveries.delivered_at IS NULL`);
}

/** A delivery as the back office sees it: `status` is delivered, retrying, or failed (no attempt follows). */
const deliveryView = z.object({
  event_id: z.string(),
  event_type: z.string(),
  status: z.enum(['delivered', 'retrying', 'failed']),
  attempts: z.number(),
  last_status: z.number().nullable(),
  last_error: z.string().nullable(),
  delivered_at: z.string().nullable(),
  gave_up_at: z.string().nullable(),
  created_at: z.string(),
  cursor_at: z.string(),
});

/** A webhook's deliveries, newest first (`limit + 1` rows). */
export async function listDeliveries(
  db: CommonQueryMethods,
  webhookId: string,
  after: { createdAt: string; id: string } | undefined,
  limit: number,
): Promise<z.infer<typeof deliveryView>[]> {
  return [
    ...(await db.any(sql.type(deliveryView)`
    SELECT event_id, event_type, attempts, last_status, last_error, delivered_at, gave_up_at, created_at,
      CASE WHEN delivered_at IS NOT NULL THEN 'delivered' WHEN gave_up_at IS NOT NULL THEN 'failed' ELSE 'retrying' END AS status,
      to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
    FROM webhook_deliveries WHERE webhook_id = ${webhookId}
      ${after ? sql.fragment`AND (created_at, event_id) < (${after.createdAt}::timestamptz, ${after.id})` : sql.fragment``}
    ORDER BY created_at DESC, event_id DESC LIMIT ${limit + 1}`)),
  ];
}

const deliveryState = z.object({ status: z.enum(['delivered', 'retrying', 'failed']), attempts: z.number() });

/** One delivery of a webhook (null: none): its status and how many attempts it made. */
export async function getDelivery(db: CommonQueryMethods, webhookId: string, eventId: string): Promise<z.infer<typeof deliveryState> | null> {
  return db.maybeOne(sql.type(deliveryState)`
    SELECT attempts, CASE WHEN delivered_at IS NOT NULL THEN 'delivered' WHEN gave_up_at IS NOT NULL THEN 'failed' ELSE 'retrying' END AS status
    FROM webhook_deliveries WHERE webhook_id = ${webhookId} AND event_id = ${eventId}`);
}

/** Opens a delivery for a new attempt series (a redelivery): `retrying` until it is delivered again or given up. */
export async function reopenDelivery(tx: CommonQueryMethods, webhookId: string, eventId: string): Promise<void> {
  await tx.query(sql.type(noRows)`
    UPDATE webhook_deliveries SET delivered_at = NULL, gave_up_at = NULL, last_error = NULL, redeliveries = redeliveries + 1, updated_at = now()
    WHERE webhook_id = ${webhookId} AND event_id = ${eventId}`);
}
