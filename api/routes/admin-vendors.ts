// Back-office routes of mall mode: vendors and their payout lines.
import { Router } from 'express';
import { createVendor, getVendor, listVendors, updateVendor } from '../../db/queries/vendors.ts';
import { createPayoutStatement, listVendorPayouts, payPayout, payPayoutStatement } from '../../db/queries/payouts.ts';
import type { PayoutView } from '../../contracts/views.ts';
import type { AppDeps } from '../context.ts';
import { actorOf, tenantOf } from '../context.ts';
import { createPayoutStatementBody, updateVendorBody } from '../schemas-vendor.ts';
import { createVendorBody, cursor, page, pageQuery, payPayoutBody, timeCursor } from '../schemas.ts';

/** A payout line as the API answers it (the list cursor's precise time stays internal). */
export function payoutResponse({ cursor_at: _cursorAt, ...line }: PayoutView) {
  return line;
}

/** Vendor and payout routes under /admin (roles: api/route-roles.ts); mounted before the main admin router. */
export function adminVendorRoutes(deps: AppDeps): Router {
  const { pool } = deps;
  const r = Router();

  r.post('/vendors', async (req, res) => {
    res.status(201).json(await createVendor(pool, tenantOf(req).id, createVendorBody.parse(req.body), actorOf(req)));
  });
  r.get('/vendors', async (req, res) => {
    const q = pageQuery.parse(req.query);
    res.json(page(await listVendors(pool, tenantOf(req).id, cursor.decode(q.cursor), q.limit), q.limit, (v) => v));
  });
  r.get('/vendors/:id', async (req, res) => {
    res.json(await getVendor(pool, tenantOf(req).id, req.params.id));
  });
  r.patch('/vendors/:id', async (req, res) => {
    res.json(await updateVendor(pool, tenantOf(req).id, req.params.id, updateVendorBody.parse(req.body), actorOf(req)));
  });
  r.get('/vendors/:id/payouts', async (req, res) => {
    const t = tenantOf(req);
    const q = pageQuery.parse(req.query);
    const vendor = await getVendor(pool, t.id, req.params.id);
    const rows = await listVendorPayouts(pool, t.id, vendor.id, { after: timeCursor.decode(q.cursor), limit: q.limit });
    res.json(page(rows, q.limit, payoutResponse, timeCursor.keyOf));
  });
  r.post('/payouts/:id/pay', async (req, res) => {
    const body = payPayoutBody.parse(req.body);
    res.json(payoutResponse(await payPayout(pool, tenantOf(req).id, req.params.id, body.reference, actorOf(req))));
  });

  // Statements: a vendor's unpaid lines up to `to`, paid at once (and each line only through its statement from then on).
  r.post('/payouts/statements', async (req, res) => {
    const t = tenantOf(req);
    const body = createPayoutStatementBody.parse(req.body);
    const vendor = await getVendor(pool, t.id, body.vendor_id);
    res.status(201).json(await createPayoutStatement(pool, t.id, vendor.id, body.to, actorOf(req)));
  });
  r.post('/payouts/statements/:id/pay', async (req, res) => {
    const body = payPayoutBody.parse(req.body);
    res.json(await payPayoutStatement(pool, tenantOf(req).id, req.params.id, body.reference, actorOf(req)));
  });

  return r;
}
