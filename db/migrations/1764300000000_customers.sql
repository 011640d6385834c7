-- Up Migration
-- Storefront customer accounts (issue 11). db/queries/customers.ts is the only writer of these four tables.
CREATE TABLE customers (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  email text NOT NULL,
  name text,
  -- scrypt$<log2 N>$<r>$<p>$<salt b64url>$<hash b64url>: the cost travels with the hash, so it can be raised later.
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- One account per e-mail and store, whatever its case.
CREATE UNIQUE INDEX customers_tenant_email_key ON customers (tenant_id, lower(email));

-- Session tokens: only their SHA-256 is stored; a token is live until it expires or is revoked.
CREATE TABLE customer_tokens (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  customer_id text NOT NULL REFERENCES customers(id),
  token_hash text NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customer_tokens_customer ON customer_tokens (customer_id) WHERE revoked_at IS NULL;

CREATE TABLE customer_addresses (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  customer_id text NOT NULL REFERENCES customers(id),
  address jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customer_addresses_customer ON customer_addresses (customer_id, created_at);

-- Password-reset tokens: one-time (used_at), short-lived, stored only as SHA-256. The request writes the row without
-- a token; the notice activity that sends the e-mail mints the token and writes its hash (token_hash NULL until then),
-- so the token is never in the outbox nor in a workflow history.
CREATE TABLE password_resets (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  customer_id text NOT NULL REFERENCES customers(id),
  token_hash text UNIQUE,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A cart created (or checked out) with a customer token belongs to the customer; so does its order.
ALTER TABLE carts ADD COLUMN customer_id text REFERENCES customers(id);
ALTER TABLE orders ADD COLUMN customer_id text REFERENCES customers(id);
CREATE INDEX orders_customer ON orders (tenant_id, customer_id, created_at DESC, id DESC) WHERE customer_id IS NOT NULL;

-- Down Migration
DROP INDEX orders_customer;
ALTER TABLE orders DROP COLUMN customer_id;
ALTER TABLE carts DROP COLUMN customer_id;
DROP TABLE password_resets;
DROP TABLE customer_addresses;
DROP TABLE customer_tokens;
DROP TABLE customers;
