// Who may call which back-office and vendor route: the one table of minimum roles (API.md "Staff keys, roles and audit").
import { roleAtLeast, STAFF_ROLES, type KeyRole, type StaffRole } from '../domain/roles.ts';

/**
 * What an entry demands: a staff role (that role or any above it), `vendor` (vendor keys only: staff keys are refused),
 * or `public` (the route checks its own credentials: POST /admin/session takes the key in its body).
 */
export type RouteAccess = StaffRole | 'vendor' | 'public';

/** Every kind of table entry, for documentation and the OpenAPI enum. */
export const ROUTE_ACCESS_KINDS: readonly RouteAccess[] = [...STAFF_ROLES, 'vendor', 'public'];

/**
 * `'METHOD /path'` (Express paths, `:param`) → minimum role, for every /admin and /vendor route.
 * Reads are `viewer` (exports: `admin`); fulfilment, payments, catalog, inventory, imports and single-step retries `staff`;
 * money out, vendors, promotions, webhooks, store settings, shipping methods, payment methods, keys and exports `admin`.
 */
export const ROUTE_ROLES = {
  'POST /admin/session': 'public',
  'DELETE /admin/session': 'public',

  'GET /admin/products': 'viewer',
  'POST /admin/products': 'staff',
  'GET /admin/products/:id': 'viewer',
  'PATCH /admin/products/:id': 'staff',
  'DELETE /admin/products/:id': 'staff',
  'GET /admin/categories': 'viewer',
  'POST /admin/categories': 'staff',
  'GET /admin/locations': 'viewer',
  'POST /admin/locations': 'staff',
  'GET /admin/inventory/:variantId': 'viewer',
  'PUT /admin/inventory/:variantId': 'staff',

  'GET /admin/orders': 'viewer',
  'GET /admin/orders/:id': 'viewer',
  'POST /admin/orders/:id/payment-confirmations': 'staff',
  'POST /admin/orders/:id/cancel': 'staff',
  'POST /admin/orders/:id/resume': 'staff',
  'POST /admin/orders/:id/refunds': 'admin',
  'POST /admin/orders/:id/notifications/:template/resend': 'staff',
  'POST /admin/orders/:id/payments/:payment_id/capture': 'staff',
  'POST /admin/orders/:id/downloads/:download_id/reissue': 'staff',
  'POST /admin/files': 'staff',
  'POST /admin/shipments/:id/ship': 'staff',
  'POST /admin/shipments/:id/deliver': 'staff',
  'POST /admin/bank-statements': 'staff',
  'GET /admin/bank-statements/:id': 'viewer',

  'GET /admin/customers': 'viewer',
  'GET /admin/customers/:id': 'viewer',

  'GET /admin/subscriptions': 'viewer',
  'GET /admin/subscriptions/:id': 'viewer',
  'POST /admin/subscriptions/:id/retry': 'staff',
  'POST /admin/subscriptions/:id/cancel': 'staff',
  'PUT /admin/subscriptions/:id/payment-method': 'admin',

  'GET /admin/vendors': 'viewer',
  'POST /admin/vendors': 'admin',
  'GET /admin/vendors/:id': 'viewer',
  'PATCH /admin/vendors/:id': 'admin',
  'GET /admin/vendors/:id/payouts': 'viewer',
  'POST /admin/payouts/:id/pay': 'admin',
  'POST /admin/payouts/statements': 'admin',
  'POST /admin/payouts/statements/:id/pay': 'admin',

  'GET /admin/promotions': 'viewer',
  'POST /admin/promotions': 'admin',
  'GET /admin/promotions/:id': 'viewer',
  'PATCH /admin/promotions/:id': 'admin',

  'POST /admin/group-buys': 'admin',
  'GET /admin/group-buys/:id': 'viewer',

  'GET /admin/webhooks': 'viewer',
  'POST /admin/webhooks': 'admin',
  'GET /admin/webhooks/:id': 'viewer',
  'GET /admin/webhooks/:id/deliveries': 'viewer',
  'POST /admin/webhooks/:id/deliveries/:delivery_id/redeliver': 'admin',

  'GET /admin/shipping-methods': 'viewer',
  'POST /admin/shipping-methods': 'admin',
  'GET /admin/shipping-methods/:id': 'viewer',
  'PATCH /admin/shipping-methods/:id': 'admin',
  'DELETE /admin/shipping-methods/:id': 'admin',

  'GET /admin/store': 'viewer',
  'PATCH /admin/store': 'admin',

  'GET /admin/api-keys': 'admin',
  'POST /admin/api-keys': 'admin',
  'DELETE /admin/api-keys/:id': 'admin',
  'GET /admin/audit-log': 'admin',

  // Imports are catalog writes (staff); exports copy customers' personal data and vendors' money in bulk (admin).
  'POST /admin/imports': 'staff',
  'GET /admin/imports/:id': 'viewer',
  'POST /admin/exports': 'admin',
  'GET /admin/exports/:id': 'admin',
  'GET /admin/exports/:id/download': 'admin',

  'GET /vendor/shipments': 'vendor',
  'POST /vendor/shipments/:id/ship': 'vendor',
  'POST /vendor/shipments/:id/deliver': 'vendor',
  'GET /vendor/products': 'vendor',
  'POST /vendor/products': 'vendor',
  'PATCH /vendor/products/:id': 'vendor',
  'PUT /vendor/inventory/:variantId': 'vendor',
  'GET /vendor/payouts': 'vendor',
} as const satisfies Record<string, RouteAccess>;

/** One key of the table, e.g. `'POST /admin/payouts/:id/pay'`. */
export type RouteKey = keyof typeof ROUTE_ROLES;

/** Every key of the table, in table order. */
export const ROUTE_KEYS = Object.keys(ROUTE_ROLES) as RouteKey[];

/** A table entry found for a request. */
export type RouteEntry = { key: RouteKey; access: RouteAccess };

type Compiled = RouteEntry & { method: string; segments: string[] };

const segmentsOf = (path: string) => path.split('/').filter((s, i, all) => s !== '' || (i > 0 && i < all.length - 1));

// Compiled once: split each path into segments; `:param` segments match any one non-empty segment.
const COMPILED: Compiled[] = ROUTE_KEYS.map((key) => {
  const [method, path] = key.split(' ');
  return { key, access: ROUTE_ROLES[key], method, segments: segmentsOf(path) };
});

/**
 * The table entry of a request, matched as Express matches routes: case-insensitive, one trailing slash ignored, HEAD as
 * GET. `path` is the full path without the query string (req.baseUrl + req.path).
 */
export function routeEntryOf(method: string, path: string): RouteEntry | undefined {
  const wanted = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
  const given = segmentsOf(path);
  const found = COMPILED.find(
    (c) =>
      c.method === wanted &&
      c.segments.length === given.length &&
      c.segments.every((s, i) => (s.startsWith(':') ? given[i] !== '' : s.toLowerCase() === given[i].toLowerCase())),
  );
  return found && { key: found.key, access: found.access };
}

// Parameter names differ between Express (`:variantId`) and OpenAPI (`{variant_id}`): only their position counts.
const BY_SHAPE = new Map(ROUTE_KEYS.map((key) => [key.replace(/:\w+/g, ':'), key]));

/** The table key of an OpenAPI operation (`get`, `/admin/products/{id}`); undefined when the path has no entry. */
export function routeKeyOfOpenApi(method: string, path: string): RouteKey | undefined {
  return BY_SHAPE.get(`${method.toUpperCase()} ${path.replace(/\{\w+\}/g, ':')}`);
}

/** Whether a key of `role` may call a route of `access` (vendor keys reach only `vendor` routes, staff keys never). */
export function roleMayCall(role: KeyRole, access: RouteAccess): boolean {
  if (access === 'public') return true;
  if (access === 'vendor') return role === 'vendor';
  return roleAtLeast(role, access);
}

/** Why a key of `role` is refused an entry, for the 403's detail. */
export function refusal(role: KeyRole, entry: RouteEntry): string {
  const needs = entry.access === 'vendor' ? 'a vendor key' : entry.access === 'owner' ? 'an owner key' : `a key of role ${entry.access} or above`;
  return `a ${role} key may not ${entry.key}; needs ${needs}`;
}
