// Back-office shipping methods: create, list, read, change, withdraw (API.md "Pricing: tax, shipping, promotions").
import { Router } from 'express';
import {
  createShippingMethod,
  deactivateShippingMethod,
  getShippingMethod,
  listShippingMethods,
  updateShippingMethod,
  type ShippingMethodRow,
} from '../../db/queries/shipping.ts';
import { ValidationError } from '../../domain/errors.ts';
import type { Money } from '../../domain/money.ts';
import type { AppDeps } from '../context.ts';
import { actorOf, tenantOf } from '../context.ts';
import { page, timeCursor } from '../schemas.ts';
import { createShippingMethodBody, shippingMethodListQuery, updateShippingMethodBody } from '../schemas-shipping.ts';

/** A method as the API answers it (the list cursor's precise time stays internal). */
export function shippingMethodResponse({ cursor_at: _c, ...method }: ShippingMethodRow) {
  return method;
}

// Methods are priced in the store's currency only: a method in another currency could never apply to its carts.
function amountIn(currency: string, field: string, money: Money): number;
function amountIn(currency: string, field: string, money: Money | null | undefined): number | null | undefined;
function amountIn(currency: string, field: string, money: Money | null | undefined): number | null | undefined {
  if (money && money.currency !== currency) throw new ValidationError(`${field} must be in the store's currency ${currency}, not ${money.currency}`);
  return money === null || money === undefined ? money : money.amount;
}

/** Routes under /admin/shipping-methods (roles: api/route-roles.ts). */
export function adminShippingRoutes(deps: AppDeps): Router {
  const { pool } = deps;
  const r = Router();

  r.post('/shipping-methods', async (req, res) => {
    const t = tenantOf(req);
    const body = createShippingMethodBody.parse(req.body);
    const method = await createShippingMethod(
      pool,
      t.id,
      t.mode === 'mall',
      {
        name: body.name,
        currency: t.currency,
        price: amountIn(t.currency, 'price', body.price),
        freeOver: amountIn(t.currency, 'free_over', body.free_over) ?? null,
        codFee: amountIn(t.currency, 'cod_fee', body.cod_fee) ?? 0,
        regions: body.regions ?? [],
        vendorId: body.vendor_id ?? null,
      },
      actorOf(req),
    );
    res.status(201).json(shippingMethodResponse(method));
  });

  r.get('/shipping-methods', async (req, res) => {
    const q = shippingMethodListQuery.parse(req.query);
    const rows = await listShippingMethods(pool, tenantOf(req).id, timeCursor.decode(q.cursor), q.limit);
    res.json(page(rows, q.limit, shippingMethodResponse, timeCursor.keyOf));
  });

  r.get('/shipping-methods/:id', async (req, res) => {
    res.json(shippingMethodResponse(await getShippingMethod(pool, tenantOf(req).id, req.params.id)));
  });

  r.patch('/shipping-methods/:id', async (req, res) => {
    const t = tenantOf(req);
    const body = updateShippingMethodBody.parse(req.body ?? {});
    const method = await updateShippingMethod(
      pool,
      t.id,
      req.params.id,
      {
        name: body.name,
        price: amountIn(t.currency, 'price', body.price) ?? undefined,
        freeOver: amountIn(t.currency, 'free_over', body.free_over),
        codFee: amountIn(t.currency, 'cod_fee', body.cod_fee) ?? undefined,
        regions: body.regions,
        active: body.active,
      },
      actorOf(req),
    );
    res.json(shippingMethodResponse(method));
  });

  r.delete('/shipping-methods/:id', async (req, res) => {
    await deactivateShippingMethod(pool, tenantOf(req).id, req.params.id, actorOf(req));
    res.status(204).end();
  });

  return r;
}
