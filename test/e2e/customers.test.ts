// Storefront customer accounts on the real stack: register, sign in, carts and orders with the customer token, sign-in
// limits, password reset by e-mail, the customer's own subscriptions, and no token or password hash in logs or answers.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { z } from 'zod';
import { sql } from '../../db/sql.ts';
import { createLogger } from '../../config/logger.ts';
import { subscriptionWorkflowId } from '../../domain/ids.ts';
import { passwordVerifications } from '../../api/passwords.ts';
import { EmailNotifier } from '../../providers/notifications/email.ts';
import { startStackWithTenant, waitFor, type TestStack } from '../helpers/harness.ts';
import { buildAddress, buildCheckout, createTestTenant, seedProduct } from '../helpers/factories.ts';
import { RecordingTransport } from '../helpers/recording-transport.ts';
import type { CreatedTenant } from '../../db/queries/tenants.ts';

const apiLog: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    apiLog.push(String(chunk));
    done();
  },
});
const transport = new RecordingTransport();
// Every answer the tests received, to check that no token hash or password hash ever left the API.
const answers: string[] = [];

let stack: TestStack;
let tenant: CreatedTenant;

beforeAll(async () => {
  ({ stack, tenant } = await startStackWithTenant({
    relay: true,
    logger: createLogger('debug', 'api', sink),
    notifier: new EmailNotifier({ transport: transport as never, from: 'Shop <shop@example.jp>', operations: 'ops@example.jp' }),
  }));
}, 60_000);
afterAll(async () => stack?.stop());

const PASSWORD = 'correct horse battery';
const newEmail = (name: string) => `${name}-${randomUUID().slice(0, 8)}@example.jp`;

/** Storefront calls of one store, with an optional customer token. */
function shopper(publishableKey = tenant.publishable_key) {
  const h = { 'X-Publishable-Key': publishableKey };
  const keep = <T extends { text: string }>(res: T) => (answers.push(res.text), res);
  const as = (token?: string) => (token ? { ...h, Authorization: `Bearer ${token}` } : h);
  return {
    register: async (body: object) => keep(await stack.http.post('/store/customers').set(h).send(body)),
    signIn: async (email: string, password: string) => keep(await stack.http.post('/store/auth/token').set(h).send({ email, password })),
    signOut: async (token: string) => keep(await stack.http.delete('/store/auth/token').set(as(token))),
    me: async (token: string) => keep(await stack.http.get('/store/customers/me').set(as(token))),
    updateMe: async (token: string, body: object) => keep(await stack.http.patch('/store/customers/me').set(as(token)).send(body)),
    addAddress: async (token: string, body: object) => keep(await stack.http.post('/store/customers/me/addresses').set(as(token)).send(body)),
    deleteAddress: async (token: string, id: string) => keep(await stack.http.delete(`/store/customers/me/addresses/${id}`).set(as(token))),
    orders: async (token: string) => keep(await stack.http.get('/store/customers/me/orders').set(as(token))),
    subscriptions: async (token: string) => keep(await stack.http.get('/store/customers/me/subscriptions').set(as(token))),
    cancelSubscription: async (token: string, id: string) =>
      keep(await stack.http.post(`/store/customers/me/subscriptions/${id}/cancel`).set(as(token)).send({})),
    changeCard: async (token: string, id: string, paymentToken: string) =>
      keep(await stack.http.put(`/store/customers/me/subscriptions/${id}/payment-method`).set(as(token)).send({ payment_token: paymentToken })),
    resetRequest: async (email: string) => keep(await stack.http.post('/store/auth/password-reset').set(h).send({ email })),
    resetConfirm: async (token: string, password: string) => keep(await stack.http.post('/store/auth/password-reset/confirm').set(h).send({ token, password })),
    createCart: async (token?: string) => keep(await stack.http.post('/store/carts').set(as(token)).send({})),
    cart: async (id: string, token?: string) => keep(await stack.http.get(`/store/carts/${id}`).set(as(token))),
    addItem: async (cartId: string, variantId: string, token?: string) =>
      keep(await stack.http.post(`/store/carts/${cartId}/items`).set(as(token)).send({ variant_id: variantId, quantity: 1 })),
    checkout: async (cartId: string, body: object, token?: string) => keep(await stack.http.post(`/store/carts/${cartId}/checkout`).set(as(token)).send(body)),
    order: async (id: string, token?: string) => keep(await stack.http.get(`/store/orders/${id}`).set(as(token))),
  };
}

/** A new customer of the test store: its e-mail and session token. */
async function newCustomer(name = 'buyer') {
  const email = newEmail(name);
  const res = await shopper().register({ email, password: PASSWORD, name });
  expect(res.status).toBe(201);
  return { email, token: res.body.token as string, id: res.body.customer.id as string };
}

/** A card checkout by a signed-in customer, without an e-mail in the body. */
async function customerCardOrder(token: string, opts: { billing_interval?: string } = {}) {
  const s = shopper();
  const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 1200, stock: 10, billing_interval: opts.billing_interval });
  const cart = await s.createCart(token);
  expect(cart.status).toBe(201);
  expect((await s.addItem(cart.body.id, variantId, token)).status).toBe(200);
  const { email: _e, ...withoutEmail } = buildCheckout({ payment_method: 'card', payment_token: 'tok_visa' });
  const res = await s.checkout(cart.body.id, withoutEmail, token);
  expect(res.status).toBe(201);
  return { cartId: cart.body.id as string, order: res.body.order as { id: string; status: string; access_token: string } };
}

describe('storefront customers', () => {
  test('when a customer registers, signs in and checks out by card without an e-mail, then me/orders lists the order and the token reads it', async () => {
    const s = shopper();
    const email = newEmail('hanako');
    const registered = await s.register({ email, password: PASSWORD, name: 'Hanako' });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ customer: { email, name: 'Hanako' }, token: expect.stringMatching(/^ctok_/) });
    expect(Date.parse(registered.body.expires_at)).toBeGreaterThan(Date.now() + 29 * 24 * 3600_000);
    const signedIn = await s.signIn(email.toUpperCase(), PASSWORD);
    expect(signedIn.status).toBe(200);
    const token = signedIn.body.token as string;
    expect(token).not.toBe(registered.body.token);

    const { order, cartId } = await customerCardOrder(token);
    expect(order).toMatchObject({ status: 'pending_shipment' });
    const listed = await s.orders(token);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((o: { id: string }) => o.id)).toEqual([order.id]);
    const read = await s.order(order.id, token);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: order.id, payment: { method: 'card', status: 'authorized' } });
    const placed = await stack.pool.one(sql.type(z.object({ email: z.string(), customer_id: z.string().nullable() }))`
      SELECT email, customer_id FROM orders WHERE id = ${order.id}`);
    expect(placed).toEqual({ email, customer_id: registered.body.customer.id });

    // Another customer reaches neither the order nor the cart; without any token the order still needs X-Order-Token.
    const other = await newCustomer('other');
    expect((await s.order(order.id, other.token)).status).toBe(404);
    expect((await s.cart(cartId, other.token)).status).toBe(404);
    expect((await s.orders(other.token)).body.items).toEqual([]);
    expect((await s.order(order.id)).status).toBe(404);
  });

  test('when a guest checks out without an e-mail, then it is a 400, and with one it works as before', async () => {
    const s = shopper();
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 500, stock: 5 });
    const cart = await s.createCart();
    expect((await s.addItem(cart.body.id, variantId)).status).toBe(200);
    const { email: _e, ...withoutEmail } = buildCheckout();
    const refused = await s.checkout(cart.body.id, withoutEmail);
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('validation_failed');
    const placed = await s.checkout(cart.body.id, buildCheckout());
    expect(placed.status).toBe(201);
    expect((await s.order(placed.body.order.id)).status).toBe(404);
  });

  test("when a customer's cart is touched by another customer's token, then it is 404 and nothing changes", async () => {
    const s = shopper();
    const owner = await newCustomer('owner');
    const other = await newCustomer('intruder');
    const { variantId } = await seedProduct(stack.http, tenant.admin_api_key, { price: 500, stock: 5 });
    const cart = await s.createCart(owner.token);
    expect((await s.addItem(cart.body.id, variantId, other.token)).status).toBe(404);
    expect((await s.checkout(cart.body.id, buildCheckout(), other.token)).status).toBe(404);
    expect((await s.cart(cart.body.id)).status).toBe(404);
    expect((await s.cart(cart.body.id, owner.token)).body.items).toEqual([]);
  });

  test('when the password is wrong or the e-mail unknown, then both answer the same 401 after a password check, and the 6th failure in a row is a 429', async () => {
    const s = shopper();
    const { email } = await newCustomer('guessed');
    const before = { ...passwordVerifications };
    const unknown = await s.signIn(newEmail('nobody'), PASSWORD);
    expect(passwordVerifications.dummy).toBe(before.dummy + 1);
    const wrong = await s.signIn(email, 'wrong password!');
    expect(passwordVerifications.real).toBe(before.real + 1);
    expect([unknown.status, wrong.status]).toEqual([401, 401]);
    const { request_id: _a, ...unknownBody } = unknown.body;
    const { request_id: _b, ...wrongBody } = wrong.body;
    expect(unknownBody).toEqual(wrongBody);

    for (let i = 2; i <= 5; i++) expect((await s.signIn(email, `wrong password ${i}`)).status).toBe(401);
    const sixth = await s.signIn(email, PASSWORD);
    expect(sixth.status).toBe(429);
    expect(sixth.body.code).toBe('rate_limited');
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(800);
    // The count is per e-mail and kept in the shared store: another e-mail still signs in.
    const fresh = await newCustomer('fresh');
    expect((await s.signIn(fresh.email, PASSWORD)).status).toBe(200);
    const stored = await stack.pool.oneFirst(sql.type(z.object({ n: z.number() }))`SELECT count(*)::int AS n FROM rate_limits WHERE key LIKE 'signin:%'`);
    expect(stored).toBeGreaterThan(0);
  });

  test('when wrong passwords for one e-mail arrive all at once, then no more than the limit are checked and the rest answer 429', async () => {
    const s = shopper();
    const { email } = await newCustomer('burst');
    const before = passwordVerifications.real;
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => s.signIn(email, `parallel guess ${i}`)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([...Array(5).fill(401), ...Array(7).fill(429)]);
    // The refused ones never reached the password check.
    expect(passwordVerifications.real - before).toBe(5);
  });

  test('when the password is changed after a reset was requested, then the pending reset link no longer works', async () => {
    const s = shopper();
    const { email, token } = await newCustomer('changed-mind');
    expect((await s.resetRequest(email)).status).toBe(202);
    const mail = await waitFor(async () => transport.messages.find((m) => m.to === email && m.template === 'password_reset'), { what: 'the reset e-mail' });
    const resetToken = /prt_[A-Za-z0-9_-]+/.exec(mail.text)![0];
    expect((await s.updateMe(token, { password: 'changed on purpose', current_password: PASSWORD })).status).toBe(200);
    expect((await s.resetConfirm(resetToken, 'taken over by someone')).status).toBe(400);
    expect((await s.signIn(email, 'changed on purpose')).status).toBe(200);
  });

  test('when a password reset is requested, then an e-mail carries a one-time token that sets the password and ends every older session', async () => {
    const s = shopper();
    const { email, token: oldToken } = await newCustomer('forgetful');
    expect((await s.resetRequest(newEmail('nobody'))).status).toBe(202);
    expect((await s.resetRequest(email)).status).toBe(202);
    const mail = await waitFor(async () => transport.messages.find((m) => m.to === email && m.template === 'password_reset'), { what: 'the reset e-mail' });
    const resetToken = /prt_[A-Za-z0-9_-]+/.exec(mail.text)?.[0];
    expect(resetToken).toBeDefined();
    // The token is in no outbox row and in no workflow history input (only ids are).
    const outbox = await stack.pool.anyFirst(sql.type(z.object({ payload: z.string() }))`
      SELECT payload::text AS payload FROM outbox WHERE tenant_id = ${tenant.tenant_id} AND type = 'customer.password_reset_requested'`);
    expect(outbox.join('')).not.toContain(resetToken!);

    const newPassword = 'a brand new password';
    expect((await s.resetConfirm(resetToken!, 'too short')).status).toBe(400);
    expect((await s.resetConfirm(resetToken!, newPassword)).status).toBe(204);
    const again = await s.resetConfirm(resetToken!, 'another new password');
    expect(again.status).toBe(400);
    expect((await s.me(oldToken)).status).toBe(401);
    expect((await s.signIn(email, PASSWORD)).status).toBe(401);
    expect((await s.signIn(email, newPassword)).status).toBe(200);
  });

  test('when a customer registers, then a welcome e-mail is sent by the notice workflow', async () => {
    const { email } = await newCustomer('welcome');
    const mail = await waitFor(async () => transport.messages.find((m) => m.to === email && m.template === 'customer_welcome'), { what: 'the welcome e-mail' });
    expect(mail.subject).toBe('Welcome to our store');
  });

  test('when a customer cancels their own subscription, then its billing workflow ends; another customer gets 404', async () => {
    const s = shopper();
    const buyer = await newCustomer('subscriber');
    const other = await newCustomer('neighbour');
    const { order } = await customerCardOrder(buyer.token, { billing_interval: '1h' });
    const subs = await s.subscriptions(buyer.token);
    expect(subs.status).toBe(200);
    expect(subs.body.items).toHaveLength(1);
    const sub = subs.body.items[0] as { id: string; order_id: string; status: string };
    expect(sub).toMatchObject({ order_id: order.id, status: 'active' });

    expect((await s.subscriptions(other.token)).body.items).toEqual([]);
    expect((await s.cancelSubscription(other.token, sub.id)).status).toBe(404);
    expect((await s.changeCard(other.token, sub.id, 'tok_visa')).status).toBe(404);

    const changed = await s.changeCard(buyer.token, sub.id, 'tok_visa');
    expect(changed.status).toBe(200);
    const cancelled = await s.cancelSubscription(buyer.token, sub.id);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const handle = stack.temporal.workflow.getHandle(subscriptionWorkflowId(tenant.tenant_id, sub.id));
    const status = await waitFor(
      async () => {
        const name = (await handle.describe()).status.name;
        return name === 'RUNNING' ? null : name;
      },
      { what: 'the billing workflow to end' },
    );
    expect(status).toBe('COMPLETED');
  });

  test('when a token is signed out, used at another store or unknown, then it answers 401', async () => {
    const s = shopper();
    const { token } = await newCustomer('leaving');
    expect((await s.me(token)).status).toBe(200);
    const otherTenant = await createTestTenant(stack.pool);
    expect((await shopper(otherTenant.publishable_key).me(token)).status).toBe(401);
    expect((await s.me('ctok_unknown')).status).toBe(401);
    expect((await s.me('')).status).toBe(401);
    expect((await s.signOut(token)).status).toBe(204);
    expect((await s.me(token)).status).toBe(401);
    expect((await s.createCart(token)).status).toBe(401);
  });

  test('when an e-mail is taken in any case or a password is short, then registration is refused', async () => {
    const s = shopper();
    const { email } = await newCustomer('taken');
    const dup = await s.register({ email: email.toUpperCase(), password: PASSWORD });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('conflict');
    const short = await s.register({ email: newEmail('short'), password: '123456789' });
    expect(short.status).toBe(400);
    // The same e-mail in another store is another account.
    const otherTenant = await createTestTenant(stack.pool);
    expect((await shopper(otherTenant.publishable_key).register({ email, password: PASSWORD })).status).toBe(201);
  });

  test('when a customer edits the account, then addresses are saved and removed, and a new password needs the current one', async () => {
    const s = shopper();
    const { token, email } = await newCustomer('editor');
    const added = await s.addAddress(token, buildAddress());
    expect(added.status).toBe(201);
    expect((await s.me(token)).body.addresses).toEqual([expect.objectContaining({ id: added.body.id, city: buildAddress().city })]);
    const other = await newCustomer('other-editor');
    expect((await s.deleteAddress(other.token, added.body.id)).status).toBe(404);
    expect((await s.deleteAddress(token, added.body.id)).status).toBe(204);
    expect((await s.me(token)).body.addresses).toEqual([]);

    expect((await s.updateMe(token, { password: 'another long password' })).status).toBe(400);
    expect((await s.updateMe(token, { password: 'another long password', current_password: 'not it at all' })).status).toBe(400);
    const renamed = await s.updateMe(token, { name: 'Renamed', password: 'another long password', current_password: PASSWORD });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ email, name: 'Renamed' });
    expect((await s.signIn(email, 'another long password')).status).toBe(200);

    // Wrong current passwords count as failed sign-ins (one above, four here): the sixth guess is refused even when right.
    for (let i = 1; i <= 4; i++) expect((await s.updateMe(token, { password: 'yet another password', current_password: `guess ${i}` })).status).toBe(400);
    expect((await s.updateMe(token, { password: 'yet another password', current_password: 'another long password' })).status).toBe(429);
  });
});

describe('Temporal visibility', () => {
  test('when a signed-in customer checks out, then ops find the checkout workflow by CustomerId and it carries the attribute', async () => {
    const buyer = await newCustomer('visible');
    const { cartId } = await customerCardOrder(buyer.token);
    const ids = await waitFor(
      async () => {
        const found: string[] = [];
        for await (const w of stack.temporal.workflow.list({ query: `CustomerId = '${buyer.id}'` })) found.push(w.workflowId);
        return found.includes(`checkout:${tenant.tenant_id}:${cartId}`) ? found : null;
      },
      { what: 'the checkout workflow by CustomerId' },
    );
    expect(ids.every((id) => id.includes(cartId) || id.includes(':ord_') || id.startsWith('payment:') || id.startsWith('fulfillment:'))).toBe(true);
    const described = await stack.temporal.workflow.getHandle(`checkout:${tenant.tenant_id}:${cartId}`).describe();
    expect(described.searchAttributes.CustomerId).toEqual([buyer.id]);
  });
});

describe('customers in the back office', () => {
  test('when staff list customers by e-mail and open one, then they see its order count and no password hash', async () => {
    const buyer = await newCustomer('backoffice');
    await customerCardOrder(buyer.token);
    const h = { Authorization: `Bearer ${tenant.admin_api_key}` };
    const listed = await stack.http.get(`/admin/customers?q=${encodeURIComponent(buyer.email)}`).set(h);
    answers.push(listed.text);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ id: buyer.id, email: buyer.email, order_count: 1 })]);
    const one = await stack.http.get(`/admin/customers/${buyer.id}`).set(h);
    answers.push(one.text);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: buyer.id, email: buyer.email, order_count: 1, addresses: [] });
    expect(one.text).not.toContain('password');
    const otherTenant = await createTestTenant(stack.pool);
    expect((await stack.http.get(`/admin/customers/${buyer.id}`).set({ Authorization: `Bearer ${otherTenant.admin_api_key}` })).status).toBe(404);
    expect((await stack.http.get('/admin/customers').set({ 'X-Publishable-Key': tenant.publishable_key })).status).toBe(401);
  });

  test('when more customers match than a page holds, then they come newest first and the cursor reaches the rest', async () => {
    const marker = `pager${randomUUID().slice(0, 6)}`;
    const first = await newCustomer(marker);
    const second = await newCustomer(marker);
    const h = { Authorization: `Bearer ${tenant.admin_api_key}` };
    const one = await stack.http.get(`/admin/customers?q=${marker}&limit=1`).set(h);
    expect(one.body.items.map((c: { id: string }) => c.id)).toEqual([second.id]);
    expect(one.body.next_cursor).toEqual(expect.any(String));
    const two = await stack.http.get(`/admin/customers?q=${marker}&limit=1&cursor=${one.body.next_cursor}`).set(h);
    expect(two.body.items.map((c: { id: string }) => c.id)).toEqual([first.id]);
    expect(two.body.next_cursor).toBeNull();
  });
});

describe('secrets', () => {
  test('when all of the above ran, then no session token hash, reset token hash or password hash is in the API log or any answer', async () => {
    const hashes = await stack.pool.anyFirst(sql.type(z.object({ h: z.string() }))`
      SELECT password_hash AS h FROM customers WHERE tenant_id = ${tenant.tenant_id}
      UNION ALL SELECT token_hash FROM customer_tokens WHERE tenant_id = ${tenant.tenant_id}
      UNION ALL SELECT token_hash FROM password_resets WHERE tenant_id = ${tenant.tenant_id} AND token_hash IS NOT NULL`);
    expect(hashes.length).toBeGreaterThan(10);
    const logText = apiLog.join('');
    const answerText = answers.join('\n');
    expect(logText).toContain('"path":"/store/auth/token"');
    for (const h of hashes) {
      // The salt and digest parts of each scrypt hash, and each token's SHA-256.
      for (const part of h.split('$').filter((p) => p.length >= 16)) {
        expect(logText).not.toContain(part);
        expect(answerText).not.toContain(part);
      }
    }
    expect(answerText).not.toContain('password_hash');
    expect(logText).not.toContain(PASSWORD);
    // Session tokens are shown once, in the register/sign-in answers, and never logged.
    expect(logText).not.toMatch(/ctok_[A-Za-z0-9_-]{20,}/);
  });
});

describe('OpenAPI', () => {
  test('when /openapi.json is read, then it lists every customer route with its method', async () => {
    const doc = (await stack.http.get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const routes = [
      ['post', '/store/customers'],
      ['post', '/store/auth/token'],
      ['delete', '/store/auth/token'],
      ['post', '/store/auth/password-reset'],
      ['post', '/store/auth/password-reset/confirm'],
      ['get', '/store/customers/me'],
      ['patch', '/store/customers/me'],
      ['post', '/store/customers/me/addresses'],
      ['delete', '/store/customers/me/addresses/{id}'],
      ['get', '/store/customers/me/orders'],
      ['get', '/store/customers/me/subscriptions'],
      ['post', '/store/customers/me/subscriptions/{id}/cancel'],
      ['put', '/store/customers/me/subscriptions/{id}/payment-method'],
      ['get', '/admin/customers'],
      ['get', '/admin/customers/{id}'],
    ];
    expect(routes.filter(([method, path]) => !doc.paths[path]?.[method])).toEqual([]);
  });
});
