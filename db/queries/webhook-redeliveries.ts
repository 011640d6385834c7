// SQL owned by webhook_redeliveries: one row per redelivery request, written with its audit entry.
import { z } from 'zod';
import type { CommonQueryMethods, DatabasePool } from 'slonik';
import { sql } from '../sql.ts';
import type { Actor } from '../../contracts/audit.ts';
import { recordAudit } from './audit-log.ts';
import { reopenDelivery } from './webhooks.ts';

const redeliveryRow = z.object({ id: z.string(), attempt_offset: z.number() });

/** The redelivery of this id, if it was asked for before. */
export async function findRedelivery(db: CommonQueryMethods, tenantId: string, id: string): Promise<z.infer<typeof redeliveryRow> | null> {
  return db.maybeOne(sql.type(redeliveryRow)`SELECT id, attempt_offset FROM webhook_redeliveries WHERE tenant_id = ${tenantId} AND id = ${id}`);
}

/**
 * Records a redelivery request, reopens the delivery and audits `webhook.redeliver`, in one transaction; a request
 * whose id is already recorded changes nothing. Returns where the new series counts from.
 */
export async function recordRedelivery(
  pool: DatabasePool,
  r: { id: string; tenantId: string; webhookId: string; eventId: string; attemptOffset: number },
  actor: Actor | null,
): Promise<{ attemptOffset: number; created: boolean }> {
  return pool.transaction(async (tx) => {
    const inserted = await tx.maybeOne(sql.type(redeliveryRow)`
      INSERT INTO webhook_redeliveries (id, tenant_id, webhook_id, event_id, attempt_offset)
      VALUES (${r.id}, ${r.tenantId}, ${r.webhookId}, ${r.eventId}, ${r.attemptOffset})
      ON CONFLICT (id) DO NOTHING RETURNING id, attempt_offset`);
    if (!inserted) return { attemptOffset: (await findRedelivery(tx, r.tenantId, r.id))!.attempt_offset, created: false };
    await reopenDelivery(tx, r.webhookId, r.eventId);
    await recordAudit(tx, {
      tenantId: r.tenantId,
      actor,
      action: 'webhook.redeliver',
      resourceType: 'webhook',
      resourceId: r.webhookId,
      changes: { [`delivery@${r.eventId}`]: { before: null, after: r.id } },
    });
    return { attemptOffset: r.attemptOffset, created: true };
  });
}
