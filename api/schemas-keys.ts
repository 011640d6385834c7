// Request schemas of the staff key routes (API.md "Staff keys, roles and audit").
import { z } from 'zod';
import { CREATABLE_ROLES } from '../domain/api-keys.ts';

/** POST /admin/api-keys: a key for one person (owners come with the tenant or from the CLI). */
export const createApiKeyBody = z.object({ name: z.string().trim().min(1).max(100), role: z.enum(CREATABLE_ROLES) }).strict();
