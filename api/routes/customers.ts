// Storefront customer accounts under /store (after storefrontAuth and customerAuth): register, sign in and out,
// password reset, the account, its addresses, orders and subscriptions.
import { Router } from 'express';
import {
  addCustomerAddress,
  confirmPasswordReset,
  createCustomer,
  createCustomerToken,
  customerCredentials,
  customerPasswordHash,
  deleteCustomerAddress,
  getCustomer,
  requestPasswordReset,
  revokeCustomerToken,
  updateCustomer,
} from '../../db/queries/customers.ts';
import { listOrders } from '../../db/queries/orders.ts';
import { getCustomerSubscription, listSubscriptions } from '../../db/queries/subscriptions.ts';
import type { SubscriptionView } from '../../contracts/views.ts';
import { ConflictError, UnauthenticatedError, ValidationError } from '../../domain/errors.ts';
import { hashSecret, newSecret } from '../../domain/secrets.ts';
import { isSubscriptionEnded } from '../../domain/subscription.ts';
import type { AppDeps } from '../context.ts';
import { customerOf, tenantOf } from '../context.ts';
import { checkPassword, hashPassword } from '../passwords.ts';
import { createSignInLimit, type SignInLimit } from '../sign-in-limit.ts';
import { cancelSubscriptionBody, page, pageQuery, paymentMethodBody, shippingAddress, timeCursor } from '../schemas.ts';
import { passwordResetBody, passwordResetConfirmBody, registerCustomerBody, signInBody, updateCustomerBody } from '../schemas-customers.ts';
import { storeOrder } from '../views.ts';
import type { Processes } from '../processes.ts';

/** Reset tokens live one hour (API.md). */
const PASSWORD_RESET_TTL_MS = 60 * 60 * 1000;

/** A new customer session token: 32 random bytes, shown once; only its SHA-256 is stored. */
const newCustomerToken = () => newSecret('ctok', 32);

const subscriptionResponse = ({ cursor_at: _c, ...s }: SubscriptionView & { cursor_at?: string }) => s;

/** Customer routes; `storeRoutes` mounts them after its authentication middlewares. */
export function customerRoutes(deps: AppDeps, processes: Processes): Router {
  const { pool, config } = deps;
  const signIn: SignInLimit =
    deps.rateLimits?.signIn ?? createSignInLimit({ points: config.SIGN_IN_FAILURE_LIMIT, windowMs: config.SIGN_IN_FAILURE_WINDOW, logger: deps.logger });
  const r = Router();

  r.post('/customers', async (req, res) => {
    const t = tenantOf(req);
    const body = registerCustomerBody.parse(req.body);
    const token = newCustomerToken();
    const created = await createCustomer(pool, t.id, {
      email: body.email,
      name: body.name,
      passwordHash: await hashPassword(body.password),
      tokenHash: hashSecret(token),
      tokenTtlMs: config.CUSTOMER_TOKEN_TTL,
    }).catch((err: unknown) => {
      if ((err as { constraint?: string }).constraint === 'customers_tenant_email_key')
        throw new ConflictError('an account with this e-mail already exists in this store');
      throw err;
    });
    res.status(201).json({ customer: created.customer, token, expires_at: created.token.expires_at });
  });

  r.post('/auth/token', async (req, res) => {
    const t = tenantOf(req);
    const body = signInBody.parse(req.body);
    const attempt = await signIn.attempt(t.id, body.email);
    const found = await customerCredentials(pool, t.id, body.email);
    // An unknown e-mail is verified against a dummy hash: same work, same answer as a wrong password.
    const ok = await checkPassword(body.password, found?.password_hash ?? null);
    if (!found || !ok) throw new UnauthenticatedError('the e-mail or the password is wrong');
    await attempt.succeeded();
    const token = newCustomerToken();
    const stored = await createCustomerToken(pool, t.id, found.id, hashSecret(token), config.CUSTOMER_TOKEN_TTL);
    res.json({ token, expires_at: stored.expires_at });
  });

  r.delete('/auth/token', async (req, res) => {
    const c = customerOf(req);
    await revokeCustomerToken(pool, tenantOf(req).id, c.token_id);
    res.status(204).end();
  });

  r.post('/auth/password-reset', async (req, res) => {
    const body = passwordResetBody.parse(req.body);
    // 202 whether or not the account exists: the answer tells nobody which e-mails have accounts.
    await requestPasswordReset(pool, tenantOf(req).id, body.email, PASSWORD_RESET_TTL_MS);
    res.status(202).json({ status: 'accepted' });
  });

  r.post('/auth/password-reset/confirm', async (req, res) => {
    const body = passwordResetConfirmBody.parse(req.body);
    const done = await confirmPasswordReset(pool, tenantOf(req).id, hashSecret(body.token), await hashPassword(body.password));
    if (!done) throw new ValidationError('this reset token is unknown, expired or already used');
    res.status(204).end();
  });

  r.get('/customers/me', async (req, res) => {
    res.json(await getCustomer(pool, tenantOf(req).id, customerOf(req).id));
  });

  r.patch('/customers/me', async (req, res) => {
    const t = tenantOf(req);
    const c = customerOf(req);
    const body = updateCustomerBody.parse(req.body);
    let passwordHash: string | undefined;
    if (body.password !== undefined) {
      // A wrong current password counts as a failed sign-in: a stolen token must not become a password oracle.
      const attempt = await signIn.attempt(t.id, c.email);
      const current = await customerPasswordHash(pool, t.id, c.id);
      if (!(await checkPassword(body.current_password ?? '', current))) throw new ValidationError('current_password is wrong');
      await attempt.succeeded();
      passwordHash = await hashPassword(body.password);
    }
    await updateCustomer(pool, t.id, c.id, { name: body.name, passwordHash, keepTokenId: c.token_id });
    res.json(await getCustomer(pool, t.id, c.id));
  });

  r.post('/customers/me/addresses', async (req, res) => {
    const address = shippingAddress.strict().parse(req.body);
    res.status(201).json(await addCustomerAddress(pool, tenantOf(req).id, customerOf(req).id, address));
  });

  r.delete('/customers/me/addresses/:id', async (req, res) => {
    await deleteCustomerAddress(pool, tenantOf(req).id, customerOf(req).id, req.params.id);
    res.status(204).end();
  });

  r.get('/customers/me/orders', async (req, res) => {
    const c = customerOf(req);
    const q = pageQuery.parse(req.query);
    const rows = await listOrders(pool, tenantOf(req).id, { customerId: c.id, after: timeCursor.decode(q.cursor), limit: q.limit });
    res.json(page(rows, q.limit, ({ cursor_at: _at, ...o }) => storeOrder(o), timeCursor.keyOf));
  });

  r.get('/customers/me/subscriptions', async (req, res) => {
    const c = customerOf(req);
    const q = pageQuery.parse(req.query);
    const rows = await listSubscriptions(pool, tenantOf(req).id, { customerId: c.id, after: timeCursor.decode(q.cursor), limit: q.limit });
    res.json(page(rows, q.limit, subscriptionResponse, timeCursor.keyOf));
  });

  // The same workflow Updates as the back office's: customer and staff act on one process.
  r.post('/customers/me/subscriptions/:id/cancel', async (req, res) => {
    const t = tenantOf(req);
    const c = customerOf(req);
    const body = cancelSubscriptionBody.parse(req.body ?? {});
    const sub = await getCustomerSubscription(pool, t.id, c.id, req.params.id);
    if (isSubscriptionEnded(sub.status)) throw new ConflictError(`the subscription is already ${sub.status}`);
    await processes.cancelSubscription(t.id, sub.id, { reason: body.reason ?? `cancelled by customer ${c.id}` });
    res.json(subscriptionResponse(await getCustomerSubscription(pool, t.id, c.id, sub.id)));
  });

  r.put('/customers/me/subscriptions/:id/payment-method', async (req, res) => {
    const t = tenantOf(req);
    const c = customerOf(req);
    const body = paymentMethodBody.parse(req.body);
    const sub = await getCustomerSubscription(pool, t.id, c.id, req.params.id);
    if (isSubscriptionEnded(sub.status)) throw new ConflictError(`the subscription is ${sub.status}`);
    await processes.updateSubscriptionCard(t.id, sub.id, { token: body.payment_token });
    res.json(subscriptionResponse(await getCustomerSubscription(pool, t.id, c.id, sub.id)));
  });

  return r;
}
