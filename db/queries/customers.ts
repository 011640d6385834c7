// SQL owned by customers, customer_tokens, customer_addresses and password_resets (storefront accounts).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CommonQueryMethods, DatabasePool } from 'slonik';
import { noRows, sql } from '../sql.ts';
import { appendOutbox } from './outbox.ts';
import { makeId } from '../../domain/ids.ts';
import { NotFoundError } from '../../domain/errors.ts';

const customerRow = z.object({ id: z.string(), email: z.string(), name: z.string().nullable() });
/** A customer as the storefront sees it (never with the password hash). */
export type Customer = z.infer<typeof customerRow>;

const tokenRow = z.object({ id: z.string(), expires_at: z.string() });

/** Creates a customer and its first session token (hash given); a taken e-mail is a unique violation (409). */
export async function createCustomer(
  pool: DatabasePool,
  tenantId: string,
  input: { email: string; name?: string | null; passwordHash: string; tokenHash: string; tokenTtlMs: number },
): Promise<{ customer: Customer; token: z.infer<typeof tokenRow> }> {
  const id = makeId('cus', randomUUID());
  return pool.transaction(async (tx) => {
    const customer = await tx.one(sql.type(customerRow)`
      INSERT INTO customers (id, tenant_id, email, name, password_hash) VALUES (${id}, ${tenantId}, ${input.email}, ${input.name ?? null}, ${input.passwordHash})
      RETURNING id, email, name`);
    const token = await insertToken(tx, tenantId, id, input.tokenHash, input.tokenTtlMs);
    // The welcome e-mail goes out from this event (relay → eventNotice workflow): a mail outage delays it, never loses it.
    await appendOutbox(tx, {
      tenantId,
      type: 'customer.registered',
      aggregateId: id,
      eventId: `customer-registered:${id}`,
      payload: { customer_id: id, email: customer.email, name: customer.name },
    });
    return { customer, token };
  });
}

async function insertToken(db: CommonQueryMethods, tenantId: string, customerId: string, tokenHash: string, ttlMs: number) {
  return db.one(sql.type(tokenRow)`
    INSERT INTO customer_tokens (id, tenant_id, customer_id, token_hash, expires_at)
    VALUES (${makeId('ctk', randomUUID())}, ${tenantId}, ${customerId}, ${tokenHash}, now() + ${ttlMs} * interval '1 millisecond')
    RETURNING id, to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS expires_at`);
}

/** Stores a new session token (its hash) for a customer. */
export async function createCustomerToken(pool: DatabasePool, tenantId: string, customerId: string, tokenHash: string, ttlMs: number) {
  return insertToken(pool, tenantId, customerId, tokenHash, ttlMs);
}

const credentialsRow = z.object({ id: z.string(), password_hash: z.string() });

/** The id and password hash of the store's customer with this e-mail (any case), for a sign-in. */
export async function customerCredentials(db: CommonQueryMethods, tenantId: string, email: string) {
  return db.maybeOne(sql.type(credentialsRow)`SELECT id, password_hash FROM customers WHERE tenant_id = ${tenantId} AND lower(email) = lower(${email})`);
}

/** The password hash of a customer (password change). */
export async function customerPasswordHash(db: CommonQueryMethods, tenantId: string, customerId: string): Promise<string> {
  const row = await db.maybeOne(sql.type(credentialsRow)`SELECT id, password_hash FROM customers WHERE tenant_id = ${tenantId} AND id = ${customerId}`);
  if (!row) throw new NotFoundError('customer', customerId);
  return row.password_hash;
}

const sessionRow = customerRow.extend({ token_id: z.string() });
/** The signed-in customer of a request. */
export type CustomerSession = z.infer<typeof sessionRow>;

/** The customer behind a live (unexpired, unrevoked) token of this store, or null. */
export async function customerByTokenHash(db: CommonQueryMethods, tenantId: string, tokenHash: string): Promise<CustomerSession | null> {
  return db.maybeOne(sql.type(sessionRow)`
    SELECT c.id, c.email, c.name, t.id AS token_id FROM customer_tokens t JOIN customers c ON c.id = t.customer_id
    WHERE t.token_hash = ${tokenHash} AND t.tenant_id = ${tenantId} AND t.revoked_at IS NULL AND t.expires_at > now()`);
}

/** Revokes one token (sign-out). */
export async function revokeCustomerToken(db: CommonQueryMethods, tenantId: string, tokenId: string): Promise<void> {
  await db.query(sql.type(noRows)`UPDATE customer_tokens SET revoked_at = now() WHERE tenant_id = ${tenantId} AND id = ${tokenId} AND revoked_at IS NULL`);
}

/** Revokes every live token of a customer except `keepTokenId` (password change keeps the session that made it). */
async function revokeOtherTokens(db: CommonQueryMethods, customerId: string, keepTokenId: string | null): Promise<void> {
  await db.query(sql.type(noRows)`
    UPDATE customer_tokens SET revoked_at = now()
    WHERE customer_id = ${customerId} AND revoked_at IS NULL ${keepTokenId ? sql.fragment`AND id <> ${keepTokenId}` : sql.fragment``}`);
}

/** Updates name and/or password hash; a new password revokes every other session of the customer. */
export async function updateCustomer(
  pool: DatabasePool,
  tenantId: string,
  customerId: string,
  change: { name?: string | null; passwordHash?: string; keepTokenId: string },
): Promise<void> {
  await pool.transaction(async (tx) => {
    await tx.query(sql.type(noRows)`
      UPDATE customers SET
        name = ${change.name === undefined ? sql.fragment`name` : sql.fragment`${change.name}`},
        password_hash = ${change.passwordHash === undefined ? sql.fragment`password_hash` : sql.fragment`${change.passwordHash}`},
        updated_at = now()
      WHERE tenant_id = ${tenantId} AND id = ${customerId}`);
    if (change.passwordHash !== undefined) {
      await revokeOtherTokens(tx, customerId, change.keepTokenId);
      // A reset link sent before the change must not reopen the account.
      await tx.query(sql.type(noRows)`UPDATE password_resets SET used_at = now() WHERE customer_id = ${customerId} AND used_at IS NULL`);
    }
  });
}

const addressRow = z.object({ id: z.string(), address: z.record(z.string(), z.unknown()) });

/** A customer with their saved addresses. */
export async function getCustomer(db: CommonQueryMethods, tenantId: string, customerId: string) {
  const customer = await db.maybeOne(sql.type(customerRow)`SELECT id, email, name FROM customers WHERE tenant_id = ${tenantId} AND id = ${customerId}`);
  if (!customer) throw new NotFoundError('customer', customerId);
  const addresses = await db.any(sql.type(addressRow)`
    SELECT id, address FROM customer_addresses WHERE tenant_id = ${tenantId} AND customer_id = ${customerId} ORDER BY created_at, id`);
  return { ...customer, addresses: addresses.map((a) => ({ id: a.id, ...a.address })) };
}

/** Saves an address for a customer. */
export async function addCustomerAddress(db: CommonQueryMethods, tenantId: string, customerId: string, address: Record<string, unknown>) {
  const row = await db.one(sql.type(addressRow)`
    INSERT INTO customer_addresses (id, tenant_id, customer_id, address) VALUES (${makeId('adr', randomUUID())}, ${tenantId}, ${customerId}, ${sql.jsonb(address as never)})
    RETURNING id, address`);
  return { id: row.id, ...row.address };
}

/** Deletes a customer's address; another customer's is NotFoundError. */
export async function deleteCustomerAddress(db: CommonQueryMethods, tenantId: string, customerId: string, addressId: string): Promise<void> {
  const deleted = await db.maybeOne(sql.type(z.object({ id: z.string() }))`
    DELETE FROM customer_addresses WHERE tenant_id = ${tenantId} AND customer_id = ${customerId} AND id = ${addressId} RETURNING id`);
  if (!deleted) throw new NotFoundError('address', addressId);
}

const adminCustomerRow = customerRow.extend({ created_at: z.string(), order_count: z.number() });
const adminCustomerListRow = adminCustomerRow.extend({ cursor_at: z.string() });

/** Back office: the store's customers, newest first, optionally filtered by e-mail or name (`q`, a substring); `limit + 1` rows. */
export async function listCustomers(db: CommonQueryMethods, tenantId: string, f: { q?: string; after?: { createdAt: string; id: string }; limit: number }) {
  const like = f.q ? `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  return db.any(sql.type(adminCustomerListRow)`
    SELECT c.id, c.email, c.name, to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
      to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at,
      (SELECT count(*)::int FROM orders o WHERE o.tenant_id = c.tenant_id AND o.customer_id = c.id) AS order_count
    FROM customers c
    WHERE c.tenant_id = ${tenantId} ${like ? sql.fragment`AND (c.email ILIKE ${like} OR c.name ILIKE ${like})` : sql.fragment``}
      ${f.after ? sql.fragment`AND (c.created_at, c.id) < (${f.after.createdAt}::timestamptz, ${f.after.id})` : sql.fragment``}
    ORDER BY c.created_at DESC, c.id DESC LIMIT ${f.limit + 1}`);
}

/** Back office: one customer with order count and addresses. */
export async function getCustomerForAdmin(db: CommonQueryMethods, tenantId: string, customerId: string) {
  const row = await db.maybeOne(sql.type(adminCustomerRow)`
    SELECT c.id, c.email, c.name, to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
      (SELECT count(*)::int FROM orders o WHERE o.tenant_id = c.tenant_id AND o.customer_id = c.id) AS order_count
    FROM customers c WHERE c.tenant_id = ${tenantId} AND c.id = ${customerId}`);
  if (!row) throw new NotFoundError('customer', customerId);
  const { addresses } = await getCustomer(db, tenantId, customerId);
  return { ...row, addresses };
}

/**
 * Records a password-reset request of the store's customer with this e-mail, if any, valid `ttlMs`, and the outbox event
 * whose notice mints the token and e-mails it. Returns whether an account exists (the route answers 202 either way).
 */
export async function requestPasswordReset(pool: DatabasePool, tenantId: string, email: string, ttlMs: number): Promise<boolean> {
  return pool.transaction(async (tx) => {
    const customer = await customerCredentials(tx, tenantId, email);
    if (!customer) return false;
    const id = makeId('pwr', randomUUID());
    await tx.query(sql.type(noRows)`
      INSERT INTO password_resets (id, tenant_id, customer_id, expires_at) VALUES (${id}, ${tenantId}, ${customer.id}, now() + ${ttlMs} * interval '1 millisecond')`);
    // Only ids here: the outbox table is plain text, so the token is minted later by the activity that sends it.
    await appendOutbox(tx, {
      tenantId,
      type: 'customer.password_reset_requested',
      aggregateId: customer.id,
      eventId: `password-reset:${id}`,
      payload: { customer_id: customer.id, reset_id: id },
    });
    return true;
  });
}

const resetRecipientRow = z.object({ email: z.string(), name: z.string().nullable() });

/**
 * Stores the hash of a freshly minted reset token on a pending reset (the notice activity, just before it sends the
 * e-mail); returns the customer to write to, or null when the reset was used, expired or is unknown. A retried send
 * mints a new token, so only the last e-mail sent works.
 */
export async function armPasswordReset(db: CommonQueryMethods, tenantId: string, resetId: string, tokenHash: string) {
  return db.maybeOne(sql.type(resetRecipientRow)`
    UPDATE password_resets r SET token_hash = ${tokenHash} FROM customers c
    WHERE r.tenant_id = ${tenantId} AND r.id = ${resetId} AND r.used_at IS NULL AND r.expires_at > now() AND c.id = r.customer_id
    RETURNING c.email, c.name`);
}

/** A customer's e-mail and name (notice recipient), or null. */
export async function customerContact(db: CommonQueryMethods, tenantId: string, customerId: string) {
  return db.maybeOne(sql.type(resetRecipientRow)`SELECT email, name FROM customers WHERE tenant_id = ${tenantId} AND id = ${customerId}`);
}

/**
 * Uses a reset token once: sets the new password hash, marks every pending reset of the customer used and revokes every
 * session token they had. False when the token is unknown, used or expired (nothing changes).
 */
export async function confirmPasswordReset(pool: DatabasePool, tenantId: string, tokenHash: string, passwordHash: string): Promise<boolean> {
  return pool.transaction(async (tx) => {
    const reset = await tx.maybeOne(sql.type(z.object({ customer_id: z.string() }))`
      UPDATE password_resets SET used_at = now()
      WHERE tenant_id = ${tenantId} AND token_hash = ${tokenHash} AND used_at IS NULL AND expires_at > now()
      RETURNING customer_id`);
    if (!reset) return false;
    await tx.query(sql.type(noRows)`UPDATE password_resets SET used_at = now() WHERE customer_id = ${reset.customer_id} AND used_at IS NULL`);
    await tx.query(sql.type(noRows)`UPDATE customers SET password_hash = ${passwordHash}, updated_at = now() WHERE id = ${reset.customer_id}`);
    await revokeOtherTokens(tx, reset.customer_id, null);
    return true;
  });
}
