// Many buyers racing for scarce stock through the real API, Postgres and Temporal: no oversell, no lost units.
import pg from 'pg';
import { z } from 'zod';
import { startTestStack, waitFor, type TestStack } from '../helpers/harness.ts';
import { backOffice, buildCheckout, createTestTenant, seedProduct, stockOf, storefront } from '../helpers/factories.ts';
import { sql } from '../../db/sql.ts';
import { holdsWorkflowId } from '../../domain/ids.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

type Res = { status: number; body: any };

/** Counts of each HTTP status in a batch of responses, e.g. `{ 200: 10, 409: 40 }`. */
function statusCounts(responses: Res[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

async function orderCount(stack: TestStack, tenantId: string): Promise<number> {
  return stack.pool.oneFirst(sql.type(z.object({ n: z.number() }))`SELECT count(*)::int8 AS n FROM orders WHERE tenant_id = ${tenantId}`);
}

/**
 * Samples the tenant's stock on its own connection until stopped: the smallest `on_hand - reserved` seen, and
 * whether `reserved` ever differed from the live holds in one snapshot (a single statement sees one snapshot).
 */
function sampleStock(tenantId: string) {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  let running = true;
  const samples: { minAvailable: number; minReserved: number; drift: number }[] = [];
  const loop = (async () => {
    await client.connect();
    try {
      while (running) {
        const { rows } = await client.query(
          `SELECT min(il.on_hand - il.reserved)::int AS min_available, min(il.reserved)::int AS min_reserved,
             coalesce(sum(il.reserved), 0)::int - (SELECT coalesce(sum(quantity), 0)::int FROM holds h WHERE h.tenant_id = $1 AND h.status IN ('held', 'allocated')) AS drift
           FROM inventory_levels il WHERE il.tenant_id = $1`,
          [tenantId],
        );
        samples.push({ minAvailable: rows[0].min_available, minReserved: rows[0].min_reserved, drift: rows[0].drift });
      }
    } finally {
      await client.end();
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}

describe('50 buyers race for 10 units', () => {
  let stack: TestStack;
  let tenant: CreatedTenant;
  let variantId: string;
  const carts: string[] = [];
  const winners: string[] = [];
  const orders: { id: string; cartId: string }[] = [];

  beforeAll(async () => {
    stack = await startTestStack();
    tenant = await createTestTenant(stack.pool);
    ({ variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 1200, stock: 10 }));
    const store = storefront(stack.http, tenant.publishable_key);
    for (let i = 0; i < 50; i++) {
      const cart = await store.createCart();
      expect(cart.status).toBe(201);
      carts.push(cart.body.id);
    }
  });
  afterAll(async () => stack?.stop());

  test('when 50 carts add 1 unit at once, then exactly 10 hold stock, 40 get 409 insufficient_stock and stock never goes negative', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const sampler = sampleStock(tenant.tenant_id);
    const responses: Res[] = await Promise.all(carts.map((cartId) => store.addItem(cartId, variantId, 1)));
    const samples = await sampler.stop();

    expect(statusCounts(responses)).toEqual({ 200: 10, 409: 40 });
    for (const r of responses.filter((x) => x.status === 409)) expect(r.body.code).toBe('insufficient_stock');
    responses.forEach((r, i) => r.status === 200 && winners.push(carts[i]));
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 10, reserved: 10, holds_total: 10 });

    process.stderr.write(
      `[concurrency] ${samples.length} stock samples during the burst, lowest available ${Math.min(...samples.map((s) => s.minAvailable))}\n`,
    );
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.filter((s) => s.minAvailable < 0 || s.minReserved < 0)).toEqual([]);
    expect(samples.filter((s) => s.drift !== 0)).toEqual([]);

    // A rejected request changes nothing: a losing cart is still empty.
    const loser = carts[responses.findIndex((r) => r.status === 409)];
    expect((await store.cart(loser)).body.items).toEqual([]);
  });

  test('when anything tries to reserve more than is on hand or less than nothing, then the CHECK constraint refuses it', async () => {
    // Plain pg, not the slonik pool: this asserts the schema itself, whatever the application code does.
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      await expect(client.query('UPDATE inventory_levels SET reserved = on_hand + 1 WHERE variant_id = $1', [variantId])).rejects.toMatchObject({
        code: '23514',
        constraint: 'inventory_reserved_within_on_hand',
      });
      await expect(client.query('UPDATE inventory_levels SET reserved = -1 WHERE variant_id = $1', [variantId])).rejects.toMatchObject({
        code: '23514',
        constraint: 'inventory_reserved_within_on_hand',
      });
    } finally {
      await client.end();
    }
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 10, reserved: 10, holds_total: 10 });
  });

  test('when the back office sets on_hand below what is reserved, then it is 409 conflict and stock is unchanged', async () => {
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const below = await admin.setStock(variantId, 9);
    expect(below.status).toBe(409);
    expect(below.body.code).toBe('conflict');
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 10, reserved: 10, holds_total: 10 });
  });

  test('when the 10 holders check out at once by bank transfer, then there are exactly 10 orders and 10 × 201', async () => {
    expect(winners).toHaveLength(10);
    const store = storefront(stack.http, tenant.publishable_key);
    const responses: Res[] = await Promise.all(winners.map((cartId) => store.checkout(cartId, buildCheckout({ payment_method: 'bank_transfer' }))));

    expect(statusCounts(responses)).toEqual({ 201: 10 });
    responses.forEach((r, i) => orders.push({ id: r.body.order.id, cartId: winners[i] }));
    expect(new Set(orders.map((o) => o.id)).size).toBe(10);
    for (const r of responses) expect(r.body.order).toMatchObject({ status: 'pending_payment', total: { amount: 1200, currency: 'JPY' } });
    expect(await orderCount(stack, tenant.tenant_id)).toBe(10);
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 10, reserved: 10, holds_total: 10 });
  });

  test('when 4 orders are cancelled at once and the other 6 are paid, then reserved equals the 6 live allocations and on_hand is unchanged', async () => {
    expect(orders).toHaveLength(10);
    const admin = backOffice(stack.http, tenant.admin_api_key);
    const [cancelled, kept] = [orders.slice(0, 4), orders.slice(4)];

    const cancels: Res[] = await Promise.all(cancelled.map((o) => admin.cancel(o.id, 'concurrency test')));
    expect(statusCounts(cancels)).toEqual({ 200: 4 });
    for (const r of cancels) expect(r.body.status).toBe('cancelled');
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 10, reserved: 6, holds_total: 6 });

    const paid: Res[] = await Promise.all(kept.map((o) => admin.confirmPayment(o.id, 1200)));
    expect(statusCounts(paid)).toEqual({ 200: 6 });
    for (const r of paid) expect(r.body.status).toBe('pending_shipment');
    // Paid orders keep their allocations until they ship.
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 10, reserved: 6, holds_total: 6 });
    expect(await orderCount(stack, tenant.tenant_id)).toBe(10);
    const statuses = await stack.pool.anyFirst(
      sql.type(z.object({ status: z.string() }))`SELECT status FROM orders WHERE tenant_id = ${tenant.tenant_id} ORDER BY status`,
    );
    expect(statuses).toEqual([...Array(4).fill('cancelled'), ...Array(6).fill('pending_shipment')]);
  });

  test('when 5 new buyers race for the 4 released units, then exactly 4 get them and stock is fully reserved again', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const fresh = await Promise.all(Array.from({ length: 5 }, async () => (await store.createCart()).body.id as string));
    const responses: Res[] = await Promise.all(fresh.map((cartId) => store.addItem(cartId, variantId, 1)));

    expect(statusCounts(responses)).toEqual({ 200: 4, 409: 1 });
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 10, reserved: 10, holds_total: 10 });
  });
});

describe('holds that nobody checks out', () => {
  let stack: TestStack;
  let tenant: CreatedTenant;

  beforeAll(async () => {
    stack = await startTestStack({ config: { CART_HOLD_TTL: '2s' } });
    tenant = await createTestTenant(stack.pool);
  });
  afterAll(async () => stack?.stop());

  test('when 10 carts hold all the stock with a 2 s hold TTL and nobody checks out, then the holds expire and reserved returns to 0', async () => {
    const store = storefront(stack.http, tenant.publishable_key);
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { stock: 10 });
    const carts = await Promise.all(Array.from({ length: 11 }, async () => (await store.createCart()).body.id as string));

    const responses: Res[] = await Promise.all(carts.map((cartId) => store.addItem(cartId, variantId, 1)));
    expect(statusCounts(responses)).toEqual({ 200: 10, 409: 1 });
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 10, reserved: 10, holds_total: 10 });

    await waitFor(
      async () => {
        const s = await stockOf(stack.pool, variantId);
        return s.reserved === 0 && s.holds_total === 0 ? s : null;
      },
      { timeoutMs: 30_000, what: 'every hold to expire' },
    );
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 10, reserved: 0, holds_total: 0 });
    const released = await stack.pool.oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(*)::int8 AS n FROM holds WHERE variant_id = ${variantId} AND status = 'released' AND released_at IS NOT NULL`);
    expect(released).toBe(10);
    const expiredEvents = await stack.pool.oneFirst(sql.type(z.object({ n: z.number() }))`
      SELECT count(*)::int8 AS n FROM outbox WHERE tenant_id = ${tenant.tenant_id} AND type = 'inventory.reservation.expired' AND payload->>'variant_id' = ${variantId}`);
    expect(expiredEvents).toBe(10);

    // The expiry workflows of the winning carts end once nothing is held any more.
    const winners = carts.filter((_, i) => responses[i].status === 200);
    await waitFor(
      async () => {
        const described = await Promise.all(winners.map((c) => stack.temporal.workflow.getHandle(holdsWorkflowId(tenant.tenant_id, c)).describe()));
        return described.every((d) => d.status.name === 'COMPLETED');
      },
      { what: 'the reservation-expiry workflows to complete' },
    );

    // The released units can be held again.
    const again = await store.addItem(carts[10], variantId, 10);
    expect(again.status).toBe(200);
    expect(await stockOf(stack.pool, variantId)).toEqual({ on_hand: 10, reserved: 10, holds_total: 10 });
  });
});
