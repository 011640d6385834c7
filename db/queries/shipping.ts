// SQL owned by shipping_methods and cart_shipping_methods (the only writer); a cart's region is written by carts.ts.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CommonQueryMethods } from 'slonik';
import { noRows, sql } from '../sql.ts';
import { makeId } from '../../domain/ids.ts';
import { NotFoundError, ValidationError } from '../../domain/errors.ts';
import { changedFields } from '../../domain/audit.ts';
import { servesRegion, shippingChoiceProblems, shippingGroupOf, type CheckoutAddress, type ShippingGroupState } from '../../domain/shipping.ts';
import { shippingMethodView, type ShippingOptionView } from '../../contracts/shipping.ts';
import type { Actor } from '../../contracts/audit.ts';
import { priceCart, type PricingInput } from '../../domain/pricing.ts';
import { recordAudit } from './audit-log.ts';
import { cartPricing } from './pricing.ts';
import { assertTenantOwns } from './catalog.ts';
import { setCartShippingRegion } from './carts.ts';

const methodRow = shippingMethodView.extend({ cursor_at: z.string() });
/** A shipping method row: its view plus the list cursor's precise creation time. */
export type ShippingMethodRow = z.infer<typeof methodRow>;

const columns = sql.fragment`id, name, regions, vendor_id, active, created_at, updated_at,
  json_build_object('amount', price, 'currency', currency) AS price,
  CASE WHEN free_over IS NULL THEN NULL ELSE json_build_object('amount', free_over, 'currency', currency) END AS free_over,
  json_build_object('amount', cod_fee, 'currency', currency) AS cod_fee,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at`;

/** A new method's fields, amounts already checked to be in the store's currency. */
export type NewShippingMethod = {
  name: string;
  currency: string;
  price: number;
  freeOver: number | null;
  codFee: number;
  regions: string[];
  vendorId: string | null;
};

/** What a PATCH changes (undefined: unchanged; `freeOver: null` removes the threshold). */
export type ShippingMethodPatch = Partial<Omit<NewShippingMethod, 'currency' | 'vendorId'>> & { active?: boolean };

// What an audit entry shows of a method (timestamps move on their own).
const audited = ({ created_at: _c, updated_at: _u, cursor_at: _k, id: _id, ...fields }: ShippingMethodRow) => fields;

/** Creates a method; `vendorId` only in a mall and only one of the tenant's vendors (ValidationError otherwise). */
export async function createShippingMethod(
  db: CommonQueryMethods,
  tenantId: string,
  mall: boolean,
  m: NewShippingMethod,
  actor: Actor | null,
): Promise<ShippingMethodRow> {
  if (m.vendorId !== null && !mall) throw new ValidationError('vendor_id is for mall stores: a single-brand store ships its own parcels');
  return db.transaction(async (tx) => {
    if (m.vendorId !== null) await assertTenantOwns(tx, tenantId, 'vendors', [m.vendorId]);
    const row = await tx.one(sql.type(methodRow)`
      INSERT INTO shipping_methods (id, tenant_id, name, currency, price, free_over, cod_fee, regions, vendor_id)
      VALUES (${makeId('shm', randomUUID())}, ${tenantId}, ${m.name}, ${m.currency}, ${m.price}, ${m.freeOver}, ${m.codFee},
        ${sql.array(m.regions, 'text')}, ${m.vendorId})
      RETURNING ${columns}`);
    const changes = changedFields(null, audited(row));
    await recordAudit(tx, { tenantId, actor, action: 'shipping_method.create', resourceType: 'shipping_method', resourceId: row.id, changes });
    return row;
  });
}

/** A tenant's methods in creation order (inactive ones too), `limit + 1` rows so the caller knows whether there is a next page. */
export async function listShippingMethods(
  db: CommonQueryMethods,
  tenantId: string,
  after: { createdAt: string; id: string } | undefined,
  limit: number,
): Promise<ShippingMethodRow[]> {
  return [
    ...(await db.any(sql.type(methodRow)`
    SELECT ${columns} FROM shipping_methods WHERE tenant_id = ${tenantId}
      ${after ? sql.fragment`AND (created_at, id) > (${after.createdAt}::timestamptz, ${after.id})` : sql.fragment``}
    ORDER BY created_at, id LIMIT ${limit + 1}`)),
  ];
}

/** One method of the tenant (active or not), or NotFoundError. */
export async function getShippingMethod(db: CommonQueryMethods, tenantId: string, methodId: string, lock = false): Promise<ShippingMethodRow> {
  const row = await db.maybeOne(sql.type(methodRow)`
    SELECT ${columns} FROM shipping_methods WHERE tenant_id = ${tenantId} AND id = ${methodId} ${lock ? sql.fragment`FOR UPDATE` : sql.fragment``}`);
  if (!row) throw new NotFoundError('shipping method', methodId);
  return row;
}

/** Applies a patch; one audit entry with the fields that changed. Orders keep the figures they were placed with. */
export async function updateShippingMethod(
  db: CommonQueryMethods,
  tenantId: string,
  methodId: string,
  p: ShippingMethodPatch,
  actor: Actor | null,
): Promise<ShippingMethodRow> {
  return db.transaction(async (tx) => {
    const before = await getShippingMethod(tx, tenantId, methodId, true);
    const row = await tx.one(sql.type(methodRow)`
      UPDATE shipping_methods SET
        name = COALESCE(${p.name ?? null}, name),
        price = COALESCE(${p.price ?? null}, price),
        free_over = ${p.freeOver === undefined ? sql.fragment`free_over` : sql.fragment`${p.freeOver}`},
        cod_fee = COALESCE(${p.codFee ?? null}, cod_fee),
        regions = ${p.regions === undefined ? sql.fragment`regions` : sql.fragment`${sql.array(p.regions, 'text')}`},
        active = COALESCE(${p.active ?? null}, active),
        updated_at = now()
      WHERE tenant_id = ${tenantId} AND id = ${methodId}
      RETURNING ${columns}`);
    const changes = changedFields(audited(before), audited(row));
    await recordAudit(tx, { tenantId, actor, action: 'shipping_method.update', resourceType: 'shipping_method', resourceId: methodId, changes });
    return row;
  });
}

/**
 * Withdraws a method (DELETE): it is no longer offered nor accepted at checkout, but stays for the orders and carts that
 * name it. Withdrawing a withdrawn method changes nothing and records nothing.
 */
export async function deactivateShippingMethod(db: CommonQueryMethods, tenantId: string, methodId: string, actor: Actor | null): Promise<void> {
  await db.transaction(async (tx) => {
    const before = await getShippingMethod(tx, tenantId, methodId, true);
    if (!before.active) return;
    await tx.query(sql.type(noRows)`UPDATE shipping_methods SET active = false, updated_at = now() WHERE tenant_id = ${tenantId} AND id = ${methodId}`);
    const changes = { active: { before: true, after: false } };
    await recordAudit(tx, { tenantId, actor, action: 'shipping_method.deactivate', resourceType: 'shipping_method', resourceId: methodId, changes });
  });
}

const cartStateRow = z.object({ status: z.string(), currency: z.string(), shipping_region: z.string().nullable(), mall: z.boolean() });
const lineGroupRow = z.object({ vendor_id: z.string().nullable(), physical: z.boolean() });

/** What shipping rules read of a cart: mode, status, currency, region, and each line's vendor and whether it ships. */
async function cartShippingState(db: CommonQueryMethods, tenantId: string, cartId: string) {
  const cart = await db.maybeOne(sql.type(cartStateRow)`
    SELECT c.status, c.currency, c.shipping_region, t.mode = 'mall' AS mall FROM carts c JOIN tenants t ON t.id = c.tenant_id
    WHERE c.tenant_id = ${tenantId} AND c.id = ${cartId}`);
  if (!cart) throw new NotFoundError('cart', cartId);
  const lines = await db.any(sql.type(lineGroupRow)`
    SELECT p.vendor_id, p.type <> 'digital' AS physical
    FROM cart_items ci JOIN variants v ON v.id = ci.variant_id JOIN products p ON p.id = v.product_id
    WHERE ci.tenant_id = ${tenantId} AND ci.cart_id = ${cartId}`);
  const groups = new Map<string, { physical: boolean }[]>();
  for (const l of lines) {
    const key = shippingGroupOf(cart.mall, l.vendor_id);
    groups.set(key, [...(groups.get(key) ?? []), { physical: l.physical }]);
  }
  return { ...cart, groups };
}

/**
 * The active methods in the cart's currency that it may choose for `region` (else the cart's region; none known: methods
 * without regions only). Single brand: the store's methods. Mall: each vendor's methods for the vendors whose goods the
 * cart ships, and vendor-less methods when it ships the platform's own goods. `amount` is what the cart would pay for it
 * now; `cod_fee` what paying on delivery would add to the order's total.
 */
export async function shippingOptions(db: CommonQueryMethods, tenantId: string, cartId: string, region?: string): Promise<ShippingOptionView[]> {
  const cart = await cartShippingState(db, tenantId, cartId);
  const shipped = [...cart.groups].filter(([, lines]) => lines.some((l) => l.physical)).map(([key]) => key);
  const where = region ?? cart.shipping_region;
  const methods = await db.any(sql.type(methodRow)`
    SELECT ${columns} FROM shipping_methods WHERE tenant_id = ${tenantId} AND active AND currency = ${cart.currency}
      ${cart.mall ? sql.fragment`AND COALESCE(vendor_id, '') = ANY(${sql.array(shipped, 'text')})` : sql.fragment``}
    ORDER BY created_at, id`);
  const { input } = await cartPricing(db, tenantId, cartId);
  return methods
    .filter((m) => servesRegion(m.regions, where))
    .map((m) => {
      const { shipping, codFee } = costIfChosen(input, m);
      return {
        id: m.id,
        name: m.name,
        amount: { amount: shipping, currency: cart.currency },
        cod_fee: { amount: codFee, currency: cart.currency },
        vendor_id: m.vendor_id,
      };
    });
}

/**
 * What the cart would pay to ship its group with `method`, by the pricing function itself: the cart priced with this
 * method in place of its group's choice (0 over free_over, or with a free-shipping code), and the COD fee that method
 * adds when the order is paid on delivery (0 when its group ships nothing physical).
 */
function costIfChosen(input: PricingInput, method: ShippingMethodRow): { shipping: number; codFee: number } {
  const vendorId = method.vendor_id;
  const mine = { vendorId, price: method.price.amount, freeOver: method.free_over?.amount ?? null, codFee: method.cod_fee.amount };
  const shipping = priceCart({ ...input, shipping: [...input.shipping.filter((s) => s.vendorId !== vendorId), mine] }).groups;
  return {
    shipping: shipping.find((g) => g.vendorId === vendorId)?.shipping ?? 0,
    codFee: priceCart({ ...input, shipping: [mine], cashOnDelivery: true }).codFee,
  };
}

/**
 * Chooses `methodId` for its shipping group of an open cart (replacing the group's previous choice) and records `region`
 * when given. 404 unknown or withdrawn method, or one in another currency than the cart's (it is never offered to
 * it); 409 converted cart; 400 when the method does not ship to the cart's region, or (mall) the cart ships nothing of
 * the method's vendor.
 */
export async function chooseShippingMethod(db: CommonQueryMethods, tenantId: string, cartId: string, methodId: string, region?: string): Promise<void> {
  await db.transaction(async (tx) => {
    const where = await setCartShippingRegion(tx, tenantId, cartId, region);
    const cart = await cartShippingState(tx, tenantId, cartId);
    const method = await getShippingMethod(tx, tenantId, methodId);
    if (!method.active || method.price.currency !== cart.currency) throw new NotFoundError('shipping method', methodId);
    if (!servesRegion(method.regions, where)) {
      throw new ValidationError(
        where === null
          ? `shipping method "${method.name}" ships only to ${method.regions.join(', ')}: give the region the cart ships to`
          : `shipping method "${method.name}" does not ship to ${where}`,
        { region: where, regions: method.regions },
      );
    }
    const group = shippingGroupOf(cart.mall, method.vendor_id);
    if (cart.mall && !cart.groups.get(group)?.some((l) => l.physical)) {
      throw new ValidationError(
        group === '' ? 'this cart ships none of the store’s own goods' : `this cart ships nothing of vendor ${group}: that vendor's methods do not apply`,
      );
    }
    await tx.query(sql.type(noRows)`
      INSERT INTO cart_shipping_methods (cart_id, tenant_id, group_key, shipping_method_id) VALUES (${cartId}, ${tenantId}, ${group}, ${methodId})
      ON CONFLICT (cart_id, group_key) DO UPDATE SET shipping_method_id = EXCLUDED.shipping_method_id, created_at = now()`);
  });
}

const chosenRow = z.object({ group_key: z.string(), name: z.string(), active: z.boolean(), regions: z.array(z.string()) });
const methodGroupRow = z.object({ group_key: z.string() });

/**
 * Refuses checkout (ValidationError, 400) unless every shipping group of physical lines that the store offers methods for
 * in the cart's currency has chosen one that is still active and ships to the cart's region (else to the checkout
 * address's prefecture or country, which must agree with that region: shippingChoiceProblems). Call inside
 * placeOrder's transaction, before writing.
 */
export async function assertShippingChosen(tx: CommonQueryMethods, tenantId: string, cartId: string, opts: { address?: CheckoutAddress } = {}): Promise<void> {
  const cart = await cartShippingState(tx, tenantId, cartId);
  const offered = new Set(
    await tx.anyFirst(sql.type(methodGroupRow)`
      SELECT DISTINCT COALESCE(vendor_id, '') AS group_key FROM shipping_methods WHERE tenant_id = ${tenantId} AND active AND currency = ${cart.currency}`),
  );
  const chosen = new Map(
    (
      await tx.any(sql.type(chosenRow)`
      SELECT csm.group_key, m.name, m.active, m.regions
      FROM cart_shipping_methods csm JOIN shipping_methods m ON m.id = csm.shipping_method_id AND m.tenant_id = csm.tenant_id AND m.currency = ${cart.currency}
      WHERE csm.tenant_id = ${tenantId} AND csm.cart_id = ${cartId}`)
    ).map((c) => [c.group_key, c]),
  );
  const groups: ShippingGroupState[] = [...cart.groups].map(([groupKey, lines]) => ({
    groupKey,
    lines,
    hasMethods: cart.mall ? offered.has(groupKey) : offered.size > 0,
    chosen: chosen.get(groupKey) ?? null,
  }));
  const problems = shippingChoiceProblems(groups, cart.shipping_region, opts.address);
  if (problems.length > 0) throw new ValidationError(problems.join('; '), { problems });
}
