// Who may do what in the back office: staff roles, each including the one below it (API.md "Staff keys, roles and audit").

/** Staff roles from least to most powerful; each includes every role before it. */
export const STAFF_ROLES = ['viewer', 'staff', 'admin', 'owner'] as const;

/** A back-office role. */
export type StaffRole = (typeof STAFF_ROLES)[number];

/** The role of any API key: a staff role, or `vendor` (a key bound to one vendor, for /vendor only). */
export type KeyRole = StaffRole | 'vendor';

/** Every role an API key can have. */
export const KEY_ROLES: readonly KeyRole[] = [...STAFF_ROLES, 'vendor'];

/** Whether a key of `role` reaches an operation whose minimum is `minimum` (vendor keys reach no staff operation). */
export function roleAtLeast(role: KeyRole, minimum: StaffRole): boolean {
  if (role === 'vendor') return false;
  return STAFF_ROLES.indexOf(role) >= STAFF_ROLES.indexOf(minimum);
}

/** Whether a key of `creator` may create or revoke a key of `target`: owners manage every key, admins those below admin. */
export function mayManageKey(creator: KeyRole, target: KeyRole): boolean {
  if (creator === 'owner') return true;
  if (creator !== 'admin') return false;
  return target === 'staff' || target === 'viewer' || target === 'vendor';
}
