// Storefront routes: catalog, carts (stock holds), checkout, order status.
import { Router, type Request, type Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { getProduct } from '../../db/queries/catalog.ts';
import { listProducts } from '../../db/queries/catalog-reads.ts';
import { listCategories } from '../../db/queries/categories.ts';
import { addCartItem, cartHoldsHotVariant, claimCart, createCart, getCart, holdsOver, setCartItemQuantity } from '../../db/queries/carts.ts';
import { findOrderByCart, getOrder, orderCustomerId } from '../../db/queries/orders.ts';
import { ConflictError, InsufficientStockError, NotFoundError, ValidationError } from '../../domain/errors.ts';
import type { AppDeps } from '../context.ts';
import { tenantOf } from '../context.ts';
import { customerAuth, storefrontAuth } from '../auth.ts';
import { cartAccess } from '../cart-access.ts';
import { customerRoutes } from './customers.ts';
import { storeDiscountRoutes } from './store-discounts.ts';
import { storeShippingRoutes } from './store-shipping.ts';
import { storeGroupBuyRoutes } from './group-buys.ts';
import {
  addItemBody,
  checkoutBody,
  createCartBody,
  customerCheckoutBody,
  cursor,
  page,
  pageQuery,
  productListQuery,
  searchQuery,
  updateItemBody,
} from '../schemas.ts';
import { createSearchBackend } from '../../providers/search/index.ts';
import { withCurrentAvailability } from '../search-hits.ts';
import { storeOrder } from '../views.ts';
import { createHoldWatches } from '../hold-watches.ts';
import { holdsWorkflowId } from '../../domain/ids.ts';
import { orderDownloads } from '../order-downloads.ts';
import type { Processes } from '../processes.ts';
import type { CartView } from '../../contracts/views.ts';

/** Routes under /store. */
export function storeRoutes(deps: AppDeps, processes: Processes): Router {
  const { pool, config, metrics } = deps;
  const holdRules = { ttlMs: config.CART_HOLD_TTL, maxLifetimeMs: config.CART_HOLD_MAX_LIFETIME, maxLineQuantity: config.MAX_LINE_QUANTITY };
  const holdWatches = deps.holdWatches ?? createHoldWatches(deps);
  const watchHolds = (tenantId: string, cart: CartView, hot: boolean) =>
    holdWatches.add(holdsWorkflowId(tenantId, cart.id), () => processes.watchHolds(tenantId, cart.id, { hot, holdExpiresAt: cart.hold_expires_at }));
  const r = Router();
  const search = deps.search ?? createSearchBackend(config, pool);
  r.use(storefrontAuth(pool), customerAuth(pool));
  r.use(customerRoutes(deps, processes));
  r.use(storeDiscountRoutes(deps));
  r.use(storeShippingRoutes(deps));
  r.use(storeGroupBuyRoutes(deps));

  const ownCart = cartAccess(pool);

  /** Sends a catalog answer: the cached one when CATALOG_CACHE_ENABLED (kept CATALOG_CACHE_TTL), else rendered now. */
  const sendCatalog = async (req: Request, res: Response, render: () => Promise<unknown>): Promise<void> => {
    if (!deps.catalogCache) return void res.json(await render());
    const t = tenantOf(req);
    const answer = await deps.catalogCache.serve(t.id, `${t.id}\n${t.currency}\n${req.originalUrl}`, render);
    res.setHeader('ETag', answer.etag);
    res.type('application/json').send(answer.body);
  };

  r.get('/search', async (req, res) => {
    const q = searchQuery.parse(req.query);
    if (q.min_price !== undefined && q.max_price !== undefined && q.min_price > q.max_price) throw new ValidationError('min_price is above max_price');
    const t = tenantOf(req);
    await sendCatalog(req, res, async () => {
      const found = await search.search(t.id, {
        q: q.q,
        category: q.category,
        vendor: q.vendor,
        minPrice: q.min_price,
        maxPrice: q.max_price,
        inStock: q.in_stock,
        sort: q.sort,
        limit: q.limit,
        offset: q.offset,
      });
      return { ...found, hits: await withCurrentAvailability(pool, t.id, found.hits) };
    });
  });

  r.get('/products', async (req, res) => {
    const t = tenantOf(req);
    const q = productListQuery.parse(req.query);
    if (q.q) {
      // A text query is a search: same backend and ranking as /store/search; the cursor is the next offset.
      const offset = Number(cursor.decode(q.cursor) ?? 0);
      if (!Number.isSafeInteger(offset) || offset < 0 || offset > 10_000) throw new ValidationError('cursor is not valid; use next_cursor as returned');
      await sendCatalog(req, res, async () => {
        const found = await search.search(t.id, { q: q.q, category: q.category, vendor: q.vendor, sort: 'relevance', limit: q.limit, offset });
        return {
          items: await withCurrentAvailability(pool, t.id, found.hits),
          next_cursor: offset + found.hits.length < found.total ? cursor.encode(String(offset + found.hits.length)) : null,
        };
      });
      return;
    }
    await sendCatalog(req, res, async () => {
      const rows = await listProducts(pool, t.id, t.currency, {
        q: q.q,
        category: q.category,
        vendor: q.vendor,
        publishedOnly: true,
        afterId: cursor.decode(q.cursor),
        limit: q.limit,
      });
      return page(rows, q.limit, ({ created_at: _c, updated_at: _u, ...p }) => p);
    });
  });

  // Never cached: the detail a buyer adds to cart from shows stock as it is now.
  r.get('/products/:id', async (req, res) => {
    const t = tenantOf(req);
    const { created_at: _c, updated_at: _u, ...p } = await getProduct(pool, t.id, t.currency, req.params.id, true);
    res.json(p);
  });

  r.get('/categories', async (req, res) => {
    const q = pageQuery.parse(req.query);
    await sendCatalog(req, res, async () => page(await listCategories(pool, tenantOf(req).id, cursor.decode(q.cursor), q.limit), q.limit, (c) => c));
  });

  r.post('/carts', async (req, res) => {
    const t = tenantOf(req);
    const body = createCartBody.parse(req.body ?? {});
    const customer = req.customer;
    res
      .status(201)
      .json(await createCart(pool, t.id, { currency: body.currency ?? t.currency, email: body.email ?? customer?.email, customerId: customer?.id }));
  });

  r.get('/carts/:id', async (req, res) => {
    await ownCart(req, req.params.id);
    res.json(await getCart(pool, tenantOf(req).id, req.params.id));
  });

  const countStockOut = (err: unknown) => {
    if (err instanceof InsufficientStockError) metrics?.stockOuts.inc();
    throw err;
  };

  r.post('/carts/:id/items', async (req, res) => {
    const t = tenantOf(req);
    const body = addItemBody.parse(req.body);
    // The owner check is part of the add's one statement (a customer's cart answers only to that customer's token).
    const customerId = req.customer?.id ?? null;
    const { cart, holdsStarted, hot } = await addCartItem(pool, t.id, req.params.id, customerId, body.variant_id, body.quantity, holdRules).catch(
      countStockOut,
    );
    metrics?.holdsPlaced.inc();
    // The hold is durable once committed: its watcher starts beside the answer, not before it.
    if (holdsStarted) watchHolds(t.id, cart, hot);
    res.json(cart);
  });

  r.patch('/carts/:id/items/:itemId', async (req, res) => {
    const t = tenantOf(req);
    const body = updateItemBody.parse(req.body);
    await ownCart(req, req.params.id);
    const { cart, holdsStarted, hot } = await setCartItemQuantity(pool, t.id, req.params.id, req.params.itemId, body.quantity, holdRules).catch(countStockOut);
    if (holdsStarted) watchHolds(t.id, cart, hot);
    res.json(cart);
  });

  r.delete('/carts/:id/items/:itemId', async (req, res) => {
    const t = tenantOf(req);
    await ownCart(req, req.params.id);
    const { cart } = await setCartItemQuantity(pool, t.id, req.params.id, req.params.itemId, 0, holdRules);
    metrics?.holdsReleased.inc();
    res.json(cart);
  });

  r.post('/carts/:id/checkout', async (req, res) => {
    const t = tenantOf(req);
    // Guests must give an e-mail (unchanged); a signed-in customer may omit it and the account's is used.
    const body = req.customer ? customerCheckoutBody.parse(req.body) : checkoutBody.parse(req.body);
    await ownCart(req, req.params.id);
    const email = body.email ?? req.customer?.email ?? '';
    const cart = await getCart(pool, t.id, req.params.id);
    const existing = cart.status === 'converted' ? await findOrderByCart(pool, t.id, cart.id) : null;
    if (existing) {
      res.status(200).json({ order: { ...storeOrder(existing), access_token: existing.access_token } });
      return;
    }
    if (cart.items.length === 0) throw new ValidationError('the cart is empty');
    // A guest cart checked out with a token becomes the customer's, and so does its order (placeOrder reads the cart's owner).
    if (req.customer) await claimCart(pool, t.id, cart.id, req.customer.id);
    // Checkout refuses it too (by the database clock); answering here spares a workflow run per attempt.
    if (cart.holds_end_at && Date.parse(cart.holds_end_at) <= Date.now()) throw holdsOver();
    const idempotencyKey = req.get('idempotency-key');
    if (idempotencyKey && idempotencyKey.length > 200) throw new ValidationError('Idempotency-Key is at most 200 characters');
    // After price_changed the storefront re-submits with the new expected_total: a new request, even under the same key
    // (the key alone would replay the failed run's price_changed answer).
    const requestKey =
      idempotencyKey && body.expected_total ? `${idempotencyKey}|expected:${body.expected_total.amount}${body.expected_total.currency}` : idempotencyKey;
    // A flash sale's checkout runs on the hot task queue, so it cannot starve the store's other processes.
    const hot = await cartHoldsHotVariant(pool, cart.id);
    // A watcher still waiting out HOLD_WATCH_DELAY in this process is not started: the order takes the cart's holds. If
    // the checkout fails the cart keeps them, and its watcher is queued again.
    const watcherKey = holdsWorkflowId(t.id, cart.id);
    const cartWatched = !holdWatches.cancel(watcherKey);
    const placed = await processes
      .checkout(
        {
          tenantId: t.id,
          cartId: cart.id,
          email,
          // A cart checked out with a token, or created with one (claimed above), is the signed-in customer's.
          ...(req.customer ? { customerId: req.customer.id } : {}),
          shippingAddress: body.shipping_address,
          paymentMethod: body.payment_method,
          holdTtlMs: config.CART_HOLD_TTL,
          bankTransferTimeoutMs: config.BANK_TRANSFER_TIMEOUT,
          paymentReminderBeforeMs: Math.min(config.PAYMENT_REMINDER_BEFORE, Math.floor(config.BANK_TRANSFER_TIMEOUT / 2)),
          shipSlaMs: config.VENDOR_SHIP_SLA,
          paymentToken: body.payment_token,
          expectedTotal: body.expected_total,
          dunning: { retryScheduleMs: config.DUNNING_RETRY_SCHEDULE, exhaustedStatus: config.DUNNING_EXHAUSTED_STATUS },
          ...(cartWatched ? {} : { cartWatched }),
        },
        { idempotencyKey: requestKey, hot },
      )
      .catch((err: unknown) => {
        if (!cartWatched) watchHolds(t.id, cart, hot);
        return countStockOut(err);
      });
    const order = placed === 'already_finished' ? await findOrderByCart(pool, t.id, cart.id) : await getOrder(pool, t.id, placed.orderId);
    if (!order) throw new ConflictError('this cart was already checked out');
    const created = placed !== 'already_finished' && placed.created;
    res.status(created ? 201 : 200).json({ order: { ...storeOrder(order), access_token: order.access_token } });
  });

  r.get('/orders/:id', async (req, res) => {
    const t = tenantOf(req);
    const token = req.get('x-order-token') ?? '';
    const order = await getOrder(pool, t.id, req.params.id).catch((err) => {
      if (err instanceof NotFoundError) return null;
      throw err;
    });
    // A wrong token looks exactly like a missing order: order ids are not secrets, tokens are. A signed-in customer
    // reads their own orders with their customer token instead.
    const byCustomer = order !== null && req.customer !== undefined && (await orderCustomerId(pool, t.id, order.id)) === req.customer.id;
    if (!order || (!byCustomer && !sameToken(token, order.access_token))) throw new NotFoundError('order', req.params.id);
    res.json({ ...storeOrder(order), downloads: await orderDownloads(pool, config, t.id, order.id) });
  });

  return r;
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
