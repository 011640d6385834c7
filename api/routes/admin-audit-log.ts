// Back-office audit log: who changed what, newest first (entries are written by the changes themselves, in their transactions).
import { Router } from 'express';
import { listAuditLog } from '../../db/queries/audit-log.ts';
import type { AppDeps } from '../context.ts';
import { tenantOf } from '../context.ts';
import { page, timeCursor } from '../schemas.ts';
import { auditLogQuery } from '../schemas-audit.ts';

/** GET /admin/audit-log (minimum role in api/route-roles.ts); mounted before the main admin router. */
export function adminAuditLogRoutes(deps: AppDeps): Router {
  const { pool } = deps;
  const r = Router();
  r.get('/audit-log', async (req, res) => {
    const q = auditLogQuery.parse(req.query);
    const rows = await listAuditLog(pool, tenantOf(req).id, {
      resourceType: q.resource_type,
      resourceId: q.resource_id,
      actorKeyId: q.actor,
      action: q.action,
      after: timeCursor.decode(q.cursor),
      limit: q.limit,
    });
    res.json(page(rows, q.limit, ({ cursor_at: _at, ...entry }) => entry, timeCursor.keyOf));
  });
  return r;
}
