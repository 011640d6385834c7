// SQL owned by audit_log: the only writer. Every admin or vendor write calls recordAudit inside its own transaction,
// so an entry exists exactly when its change committed.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CommonQueryMethods } from 'slonik';
import { noRows, sql } from '../sql.ts';
import { makeId } from '../../domain/ids.ts';
import { auditEntryView, type AuditEntryView, type AuditRecord } from '../../contracts/audit.ts';

/** Writes one audit entry; pass the transaction of the change it records. */
export async function recordAudit(tx: CommonQueryMethods, r: AuditRecord): Promise<void> {
  await tx.query(sql.type(noRows)`
    INSERT INTO audit_log (id, tenant_id, actor_key_id, actor_role, action, resource_type, resource_id, request_id, changes)
    VALUES (${makeId('aud', randomUUID())}, ${r.tenantId}, ${r.actor?.keyId ?? null}, ${r.actor?.role ?? null}, ${r.action}, ${r.resourceType},
      ${r.resourceId}, ${r.actor?.requestId ?? null}, ${sql.jsonb(JSON.parse(JSON.stringify(r.changes ?? {})) as never)})`);
}

const auditRow = auditEntryView.extend({ cursor_at: z.string() });

/** Filters of GET /admin/audit-log; `after` is the last entry of the previous page (newest first). */
export type AuditLogFilter = {
  resourceType?: string;
  resourceId?: string;
  actorKeyId?: string;
  action?: string;
  after?: { createdAt: string; id: string };
  limit: number;
};

/** A tenant's audit entries, newest first, `limit + 1` rows (the extra one says there is a next page). */
export async function listAuditLog(db: CommonQueryMethods, tenantId: string, f: AuditLogFilter): Promise<(AuditEntryView & { cursor_at: string })[]> {
  const optional = (column: string, value: string | undefined) =>
    value === undefined ? sql.fragment`` : sql.fragment`AND ${sql.identifier([column])} = ${value}`;
  return [
    ...(await db.any(sql.type(auditRow)`
    SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at,
      CASE WHEN actor_key_id IS NULL THEN NULL ELSE json_build_object('key_id', actor_key_id, 'role', actor_role) END AS actor,
      action, resource_type, resource_id, request_id, changes,
      to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
    FROM audit_log
    WHERE tenant_id = ${tenantId} ${optional('resource_type', f.resourceType)} ${optional('resource_id', f.resourceId)}
      ${optional('actor_key_id', f.actorKeyId)} ${optional('action', f.action)}
      ${f.after ? sql.fragment`AND (at, id) < (${f.after.createdAt}::timestamptz, ${f.after.id})` : sql.fragment``}
    ORDER BY at DESC, id DESC LIMIT ${f.limit + 1}`)),
  ];
}
