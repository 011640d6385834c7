// Back-office routes of storefront customers: list (search by e-mail or name) and detail with order count.
import { Router } from 'express';
import { getCustomerForAdmin, listCustomers } from '../../db/queries/customers.ts';
import type { AppDeps } from '../context.ts';
import { tenantOf } from '../context.ts';
import { page, timeCursor } from '../schemas.ts';
import { customerListQuery } from '../schemas-customers.ts';

/** Customer routes under /admin (roles: api/route-roles.ts); mounted before the main admin router. */
export function adminCustomerRoutes(deps: AppDeps): Router {
  const { pool } = deps;
  const r = Router();

  r.get('/customers', async (req, res) => {
    const q = customerListQuery.parse(req.query);
    const rows = await listCustomers(pool, tenantOf(req).id, { q: q.q, after: timeCursor.decode(q.cursor), limit: q.limit });
    res.json(page([...rows], q.limit, ({ cursor_at: _at, ...c }) => c, timeCursor.keyOf));
  });

  r.get('/customers/:id', async (req, res) => {
    res.json(await getCustomerForAdmin(pool, tenantOf(req).id, req.params.id));
  });

  return r;
}
