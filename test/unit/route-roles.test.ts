// The role table (api/route-roles.ts): it covers exactly the routes the app registers, matches as Express does, and is what /openapi.json documents.
import type { Client } from '@temporalio/client';
import type { DatabasePool } from 'slonik';
import { pino } from 'pino';
import { createApp } from '../../api/app.ts';
import { buildOpenApi } from '../../api/openapi.ts';
import type { StoreOrigins } from '../../api/store-origins.ts';
import { refusal, roleMayCall, routeEntryOf, routeKeyOfOpenApi, ROUTE_KEYS, ROUTE_ROLES } from '../../api/route-roles.ts';
import { KEY_ROLES, mayManageKey, roleAtLeast, STAFF_ROLES } from '../../domain/roles.ts';
import { testConfig } from '../helpers/stack.ts';

type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] }; rawPath?: string | string[] };

/** Every `METHOD /path` the Express app registers, found by walking its routers. */
function registeredRoutes(stack: Layer[], prefix = ''): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) return Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${prefix}${layer.route!.path}`);
    if (!layer.handle?.stack) return [];
    const mounts = Array.isArray(layer.rawPath) ? layer.rawPath : [layer.rawPath ?? '/'];
    return mounts.flatMap((mount) => registeredRoutes(layer.handle!.stack!, mount === '/' ? prefix : `${prefix}${mount}`));
  });
}

describe('the role table', () => {
  const app = createApp({
    pool: {} as DatabasePool,
    temporal: {} as Client,
    config: testConfig(),
    logger: pino({ level: 'silent' }),
    storeOrigins: {} as StoreOrigins,
  });
  const registered = registeredRoutes((app as unknown as { router: { stack: Layer[] } }).router.stack).filter((r) => /^[A-Z]+ \/(admin|vendor)\//.test(r));

  test('when the app is built, then every /admin and /vendor route it registers has an entry', () => {
    expect(registered.length).toBe(ROUTE_KEYS.length);
    expect(registered.filter((r) => !(r in ROUTE_ROLES))).toEqual([]);
  });

  test('when the table is read, then each entry is a registered route', () => {
    expect(ROUTE_KEYS.filter((k) => !registered.includes(k))).toEqual([]);
  });

  test('when the table is read, then every GET is viewer except keys, the audit log and exports (bulk personal data), and /vendor is vendor only', () => {
    const gets = ROUTE_KEYS.filter((k) => k.startsWith('GET /admin/'));
    expect(gets.filter((k) => ROUTE_ROLES[k] !== 'viewer')).toEqual([
      'GET /admin/api-keys',
      'GET /admin/audit-log',
      'GET /admin/exports/:id',
      'GET /admin/exports/:id/download',
    ]);
    expect(ROUTE_KEYS.filter((k) => k.includes(' /vendor/')).every((k) => ROUTE_ROLES[k] === 'vendor')).toBe(true);
    expect(ROUTE_KEYS.filter((k) => ROUTE_ROLES[k] === 'vendor').every((k) => k.includes(' /vendor/'))).toBe(true);
  });

  test('when the money-out and card routes are looked up, then they need admin (a staff key used to reach them)', () => {
    expect(ROUTE_ROLES['POST /admin/payouts/:id/pay']).toBe('admin');
    expect(ROUTE_ROLES['PUT /admin/subscriptions/:id/payment-method']).toBe('admin');
    expect(ROUTE_ROLES['POST /admin/orders/:id/refunds']).toBe('admin');
  });

  test('when a request path is matched, then it follows Express: HEAD as GET, any case, one trailing slash, non-empty params', () => {
    expect(routeEntryOf('GET', '/admin/products/prod_1')?.key).toBe('GET /admin/products/:id');
    expect(routeEntryOf('HEAD', '/admin/products/prod_1')?.key).toBe('GET /admin/products/:id');
    expect(routeEntryOf('post', '/Admin/Payouts/po_1/PAY/')?.key).toBe('POST /admin/payouts/:id/pay');
    expect(routeEntryOf('GET', '/admin/vendors/v1/payouts')?.key).toBe('GET /admin/vendors/:id/payouts');
    expect(routeEntryOf('GET', '/admin/products//')).toBeUndefined();
    expect(routeEntryOf('GET', '/admin/products/a/b')).toBeUndefined();
    expect(routeEntryOf('PUT', '/admin/products/prod_1')).toBeUndefined();
    expect(routeEntryOf('GET', '/admin/nothing')).toBeUndefined();
    expect(routeEntryOf('POST', '/admin/session')?.access).toBe('public');
  });

  test('when a key meets an entry, then staff roles reach their level and above, vendor keys only /vendor, public admits all', () => {
    for (const key of ROUTE_KEYS) {
      const access = ROUTE_ROLES[key];
      for (const role of KEY_ROLES) {
        const expected = access === 'public' || (access === 'vendor' ? role === 'vendor' : role !== 'vendor' && roleAtLeast(role, access));
        expect({ key, role, may: roleMayCall(role, access) }).toEqual({ key, role, may: expected });
      }
    }
    expect(refusal('staff', { key: 'POST /admin/payouts/:id/pay', access: 'admin' })).toBe(
      'a staff key may not POST /admin/payouts/:id/pay; needs a key of role admin or above',
    );
  });
});

describe('roles', () => {
  test('when two staff roles are compared, then a role includes exactly itself and every role below it', () => {
    STAFF_ROLES.forEach((role, i) =>
      STAFF_ROLES.forEach((minimum, j) => expect({ role, minimum, at: roleAtLeast(role, minimum) }).toEqual({ role, minimum, at: i >= j })),
    );
    expect(STAFF_ROLES.some((minimum) => roleAtLeast('vendor', minimum))).toBe(false);
  });

  test('when a key is created or revoked, then owners manage every role, admins only those below admin, others none', () => {
    expect(KEY_ROLES.every((target) => mayManageKey('owner', target))).toBe(true);
    expect(KEY_ROLES.filter((target) => mayManageKey('admin', target))).toEqual(['viewer', 'staff', 'vendor']);
    for (const creator of ['staff', 'viewer', 'vendor'] as const) expect(KEY_ROLES.some((target) => mayManageKey(creator, target))).toBe(false);
  });
});

describe('/openapi.json', () => {
  test('when an /admin or /vendor operation is documented, then its x-minimum-role is its table entry', () => {
    const paths = buildOpenApi().paths as Record<string, Record<string, { 'x-minimum-role'?: string }>>;
    const documented = Object.entries(paths)
      .filter(([path]) => /^\/(admin|vendor)\//.test(path))
      .flatMap(([path, ops]) =>
        Object.entries(ops).map(([method, op]) => ({ op: `${method} ${path}`, key: routeKeyOfOpenApi(method, path), role: op['x-minimum-role'] })),
      );
    expect(documented.length).toBeGreaterThan(35);
    for (const { op, key, role } of documented) expect({ op, role }).toEqual({ op, role: key && ROUTE_ROLES[key] });
    expect(documented.every((d) => d.role !== undefined)).toBe(true);
  });
});
