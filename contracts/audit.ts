// Who did something, carried from the HTTP request into SQL and, through workflow arguments, into activities.
import { z } from 'zod';
import type { KeyRole } from '../domain/roles.ts';
import { keyRoleSchema } from './api-keys.ts';

/** The person (API key) behind a change, and the request that asked for it. */
export type Actor = { keyId: string; role: KeyRole; requestId: string | null };

/** One field's value before and after a change (secrets are never recorded). */
export type FieldChange = { before: unknown; after: unknown };

/** What one audit entry records: an action on one resource by an actor (null: the system, on nobody's behalf). */
export type AuditRecord = {
  tenantId: string;
  actor: Actor | null;
  /** `<resource>.<verb>`, e.g. `product.update`, `payment.confirm`, `api_key.revoke`. */
  action: string;
  resourceType: string;
  resourceId: string;
  changes?: Record<string, FieldChange>;
};

/** An audit entry as GET /admin/audit-log shows it. */
export const auditEntryView = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.object({ key_id: z.string(), role: keyRoleSchema }).nullable(),
  action: z.string(),
  resource_type: z.string(),
  resource_id: z.string(),
  request_id: z.string().nullable(),
  changes: z.record(z.string(), z.object({ before: z.unknown(), after: z.unknown() })),
});

/** The type of one audit entry view. */
export type AuditEntryView = z.infer<typeof auditEntryView>;
