// SQL owned by notification_resends: one row per resend request, written with its audit entry.
import type { DatabasePool } from 'slonik';
import { idRow, sql } from '../sql.ts';
import type { Actor } from '../../contracts/audit.ts';
import { recordAudit } from './audit-log.ts';

/** Records a resend request and audits `notification.resend` under the order, once per request id; true when new. */
export async function recordResend(
  pool: DatabasePool,
  r: { id: string; tenantId: string; orderId: string; template: string },
  actor: Actor | null,
): Promise<boolean> {
  return pool.transaction(async (tx) => {
    const inserted = await tx.maybeOne(sql.type(idRow)`
      INSERT INTO notification_resends (id, tenant_id, order_id, template) VALUES (${r.id}, ${r.tenantId}, ${r.orderId}, ${r.template})
      ON CONFLICT (id) DO NOTHING RETURNING id`);
    if (!inserted) return false;
    await recordAudit(tx, {
      tenantId: r.tenantId,
      actor,
      action: 'notification.resend',
      resourceType: 'order',
      resourceId: r.orderId,
      changes: { [`notification@${r.template}`]: { before: null, after: r.id } },
    });
    return true;
  });
}
