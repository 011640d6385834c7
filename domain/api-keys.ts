// Pure rules of staff API keys: which roles the back office may create, and who may revoke which key.
import { mayManageKey, type KeyRole } from './roles.ts';

/** Roles POST /admin/api-keys creates (owners come with the tenant or from the CLI; vendor keys from the CLI). */
export const CREATABLE_ROLES = ['admin', 'staff', 'viewer'] as const;

/** A role the back office may create. */
export type CreatableRole = (typeof CREATABLE_ROLES)[number];

/** Who acts on a key: an API key (null: the system, e.g. the CLI, which may do anything). */
export type KeyManager = { keyId: string; role: KeyRole } | null;

/** Whether `manager` may create a key of `role`. */
export function mayCreateKey(manager: KeyManager, role: KeyRole): boolean {
  return manager === null || mayManageKey(manager.role, role);
}

/** Whether `manager` may revoke `target`: the rule of creation, and an admin or owner may revoke their own key (DELETE /admin/api-keys needs admin; the last-owner rule still applies). */
export function mayRevokeKey(manager: KeyManager, target: { id: string; role: KeyRole }): boolean {
  return manager === null || manager.keyId === target.id || mayManageKey(manager.role, target.role);
}
