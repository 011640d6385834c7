// The API key shape of GET /admin/api-keys (never the secret nor its hash).
import { z } from 'zod';
import { KEY_ROLES, type KeyRole } from '../domain/roles.ts';

/** Any API key role, as responses and rows carry it. */
export const keyRoleSchema = z.enum(KEY_ROLES as [KeyRole, ...KeyRole[]]);

/** An API key as the back office sees it; `vendor_id` is set only on vendor keys. */
export const apiKeyView = z.object({
  id: z.string(),
  name: z.string(),
  role: keyRoleSchema,
  vendor_id: z.string().nullable(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});

/** The type of one API key view. */
export type ApiKeyView = z.infer<typeof apiKeyView>;

/** The answer of POST /admin/api-keys: the secret appears here and nowhere else. */
export const createdApiKeyView = z.object({ id: z.string(), name: z.string(), role: keyRoleSchema, api_key: z.string() });
