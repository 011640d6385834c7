// SQL owned by digital_deliveries: one counted, expiring download per digital order line, revoked by a refund or a
// cancellation (orders.ts and card-payments.ts call revokeOrderDeliveries inside their transactions).
import { z } from 'zod';
import type { CommonQueryMethods, DatabasePool } from 'slonik';
import { countRow, idRow, noRows, sql } from '../sql.ts';
import { recordAudit } from './audit-log.ts';
import { digitalDeliveryId } from '../../domain/ids.ts';
import { downloadGoneReason, MAX_DOWNLOAD_GIVE_BACKS, type GoneReason } from '../../domain/digital.ts';
import { ConflictError, NotFoundError } from '../../domain/errors.ts';
import type { Actor } from '../../contracts/audit.ts';
import { deliveryRow, type DeliveryRow } from '../../contracts/digital.ts';

const columns = sql.fragment`id, tenant_id, order_id, order_item_id, variant_id, file_id, max_downloads, remaining, status, revoked_reason, issue_count,
  to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS expires_at, round(extract(epoch FROM expires_at) * 1000)::int8 AS expires_at_ms`;

/** One delivery of a digital order line; false when a retry finds it issued already. */
export async function insertDelivery(
  tx: CommonQueryMethods,
  d: { tenantId: string; orderId: string; orderItemId: string; variantId: string; fileId: string; linkTtlMs: number; maxDownloads: number },
): Promise<boolean> {
  const inserted = await tx.maybeOne(sql.type(idRow)`
    INSERT INTO digital_deliveries (id, tenant_id, order_id, order_item_id, variant_id, file_id, link_ttl_ms, max_downloads, remaining, expires_at)
    VALUES (${digitalDeliveryId(d.orderItemId)}, ${d.tenantId}, ${d.orderId}, ${d.orderItemId}, ${d.variantId}, ${d.fileId}, ${d.linkTtlMs},
      ${d.maxDownloads}, ${d.maxDownloads}, date_trunc('milliseconds', now() + ${d.linkTtlMs} * interval '1 millisecond'))
    ON CONFLICT DO NOTHING RETURNING id`);
  return inserted !== null;
}

/** Digital lines of an order (the checkout passes the count on, so an order without any skips the delivery step). */
export async function countDigitalLines(db: CommonQueryMethods, orderId: string): Promise<number> {
  return db.oneFirst(sql.type(countRow)`
    SELECT count(*)::int8 AS n FROM order_items i JOIN products p ON p.id = i.product_id WHERE i.order_id = ${orderId} AND p.type = 'digital'`);
}

/** An order's deliveries, by line. */
export async function orderDeliveries(db: CommonQueryMethods, tenantId: string, orderId: string): Promise<readonly DeliveryRow[]> {
  return db.any(
    sql.type(deliveryRow)`SELECT ${columns} FROM digital_deliveries WHERE tenant_id = ${tenantId} AND order_id = ${orderId} ORDER BY order_item_id`,
  );
}

/**
 * Takes one download off a link, atomically: only while the delivery is active, unexpired, has downloads left and the
 * link carries the delivery's current expiry (a reissue supersedes older links). Otherwise why the link is gone.
 */
export async function takeDownload(
  pool: DatabasePool,
  link: { tenantId: string; deliveryId: string; expiresAtMs: number },
): Promise<{ fileId: string; remaining: number } | { gone: GoneReason } | null> {
  const taken = await pool.maybeOne(sql.type(z.object({ file_id: z.string(), remaining: z.number() }))`
    UPDATE digital_deliveries SET remaining = remaining - 1, updated_at = now()
    WHERE id = ${link.deliveryId} AND tenant_id = ${link.tenantId} AND status = 'active' AND remaining > 0 AND expires_at > now()
      AND round(extract(epoch FROM expires_at) * 1000)::int8 = ${link.expiresAtMs}
    RETURNING file_id, remaining`);
  if (taken) return { fileId: taken.file_id, remaining: taken.remaining };
  const row = await pool.maybeOne(
    sql.type(deliveryRow)`SELECT ${columns} FROM digital_deliveries WHERE id = ${link.deliveryId} AND tenant_id = ${link.tenantId}`,
  );
  if (!row) return null;
  const state = { status: row.status, remaining: row.remaining, expiresAtMs: row.expires_at_ms };
  // The database clock said expired (or the link raced the last download): whichever rule refuses it names the reason.
  return { gone: downloadGoneReason(state, link.expiresAtMs, Date.now()) ?? (row.remaining <= 0 ? 'used_up' : 'expired') };
}

/** Why a link is gone without taking a download (HEAD requests, link previews); null: no such delivery. */
export async function linkState(
  pool: DatabasePool,
  link: { tenantId: string; deliveryId: string; expiresAtMs: number },
): Promise<{ gone: GoneReason | null } | null> {
  const row = await pool.maybeOne(
    sql.type(deliveryRow)`SELECT ${columns} FROM digital_deliveries WHERE id = ${link.deliveryId} AND tenant_id = ${link.tenantId}`,
  );
  if (!row) return null;
  return { gone: downloadGoneReason({ status: row.status, remaining: row.remaining, expiresAtMs: row.expires_at_ms }, link.expiresAtMs, Date.now()) };
}

/**
 * Gives a download back when its bytes could not all be sent (the stream failed or the client left before the end), at
 * most MAX_DOWNLOAD_GIVE_BACKS times per link: past that an abandoned download counts.
 */
export async function giveBackDownload(pool: DatabasePool, deliveryId: string): Promise<void> {
  await pool.query(sql.type(noRows)`
    UPDATE digital_deliveries SET remaining = remaining + 1, give_backs = give_backs + 1, updated_at = now()
    WHERE id = ${deliveryId} AND remaining < max_downloads AND give_backs < ${MAX_DOWNLOAD_GIVE_BACKS}`);
}

/** Revokes an order's active downloads (a refund, a cancellation), inside the caller's transaction. */
export async function revokeOrderDeliveries(tx: CommonQueryMethods, orderId: string, reason: string): Promise<void> {
  await tx.query(sql.type(noRows)`
    UPDATE digital_deliveries SET status = 'revoked', revoked_reason = ${reason}, revoked_at = now(), updated_at = now()
    WHERE order_id = ${orderId} AND status = 'active'`);
}

/**
 * A new link for a delivery: a fresh expiry (which supersedes every older link) and its full count of downloads, with
 * the audit entry. A revoked delivery (refunded, cancelled) is never reissued.
 */
export async function reissueDelivery(pool: DatabasePool, tenantId: string, orderId: string, deliveryId: string, actor: Actor | null): Promise<DeliveryRow> {
  return pool.transaction(async (tx) => {
    const before = await tx.maybeOne(sql.type(deliveryRow)`
      SELECT ${columns} FROM digital_deliveries WHERE tenant_id = ${tenantId} AND order_id = ${orderId} AND id = ${deliveryId} FOR UPDATE`);
    if (!before) throw new NotFoundError('download', deliveryId);
    if (before.status === 'revoked') throw new ConflictError(`this download was revoked (${before.revoked_reason ?? 'revoked'}) and cannot be reissued`);
    const after = await tx.one(sql.type(deliveryRow)`
      UPDATE digital_deliveries SET remaining = max_downloads, give_backs = 0, issue_count = issue_count + 1, updated_at = now(),
        expires_at = GREATEST(date_trunc('milliseconds', now() + link_ttl_ms * interval '1 millisecond'), expires_at + interval '1 millisecond')
      WHERE id = ${deliveryId} RETURNING ${columns}`);
    const changes = {
      expires_at: { before: before.expires_at, after: after.expires_at },
      remaining: { before: before.remaining, after: after.remaining },
      issue_count: { before: before.issue_count, after: after.issue_count },
    };
    await recordAudit(tx, { tenantId, actor, action: 'download.reissue', resourceType: 'order', resourceId: orderId, changes });
    return after;
  });
}
