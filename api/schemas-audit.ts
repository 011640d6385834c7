// Request schema of the audit log (GET /admin/audit-log).
import { z } from 'zod';
import { pageQuery } from './schemas.ts';

const filter = z.string().trim().min(1).max(200);

/** GET /admin/audit-log: newest first, filtered by resource, actor (API key id) and action; an unknown filter is 400. */
export const auditLogQuery = pageQuery
  .extend({ resource_type: filter.optional(), resource_id: filter.optional(), actor: filter.optional(), action: filter.optional() })
  .strict();
