-- Up Migration

-- Card payments: what the gateway knows the payment by, and how much of the captured money went back.
ALTER TABLE payments
  ADD COLUMN provider text,
  ADD COLUMN authorization_ref text,
  ADD COLUMN card_ref text,
  ADD COLUMN decline_code text,
  ADD COLUMN refunded_amount bigint NOT NULL DEFAULT 0,
  ADD COLUMN captured_at timestamptz,
  ADD COLUMN voided_at timestamptz,
  ADD CONSTRAINT payments_refunded_within_received CHECK (refunded_amount >= 0 AND refunded_amount <= received_amount);

-- A refund is reserved (pending) in the same transaction that checks what is left, then executed at the gateway.
CREATE TABLE refunds (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  payment_id text NOT NULL REFERENCES payments(id),
  order_id text NOT NULL REFERENCES orders(id),
  amount bigint NOT NULL CHECK (amount > 0),
  currency char(3) NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  gateway_ref text,
  requested_by text NOT NULL,
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);
CREATE INDEX refunds_payment_idx ON refunds (payment_id);

-- A variant sold by subscription carries its billing interval (`1mo`, `1y`, `7d`, `5s`).
ALTER TABLE variants ADD COLUMN subscription_interval text;

CREATE TABLE subscriptions (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  order_id text NOT NULL REFERENCES orders(id),
  order_item_id text NOT NULL UNIQUE,
  variant_id text NOT NULL REFERENCES variants(id),
  customer_email text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'past_due', 'cancelled', 'unpaid')),
  billing_interval text NOT NULL,
  amount bigint NOT NULL CHECK (amount >= 0),
  currency char(3) NOT NULL,
  card_ref text NOT NULL,
  anchor_at timestamptz NOT NULL,
  -- The period being paid for now; period 1 was paid by the order itself.
  period integer NOT NULL DEFAULT 1 CHECK (period >= 1),
  current_period_end timestamptz NOT NULL,
  next_attempt_at timestamptz,
  failed_attempts integer NOT NULL DEFAULT 0,
  cancel_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_tenant_status_idx ON subscriptions (tenant_id, status, created_at DESC, id DESC);

-- Every renewal attempt, one row per (subscription, period, attempt): the dunning history the back office sees.
CREATE TABLE subscription_charges (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  subscription_id text NOT NULL REFERENCES subscriptions(id),
  period integer NOT NULL,
  attempt integer NOT NULL CHECK (attempt >= 1),
  status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  amount bigint NOT NULL,
  currency char(3) NOT NULL,
  gateway_ref text,
  decline_code text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT subscription_charges_attempt_key UNIQUE (subscription_id, period, attempt)
);

-- The built-in test card gateway's own books: saved cards and every operation it accepted, keyed by the
-- caller's idempotency key exactly as a real gateway stores them. Nothing of ours writes here but the gateway.
CREATE TABLE test_gateway_cards (
  id text PRIMARY KEY,
  token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE test_gateway_ledger (
  id text PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  -- What the request asked for: a key reused for a different request is refused, as real gateways do.
  request_fingerprint text NOT NULL,
  operation text NOT NULL CHECK (operation IN ('authorize', 'capture', 'void', 'refund', 'charge', 'save_card')),
  card_id text REFERENCES test_gateway_cards(id),
  parent_id text REFERENCES test_gateway_ledger(id),
  reference text,
  amount bigint NOT NULL DEFAULT 0,
  currency char(3),
  outcome text NOT NULL CHECK (outcome IN ('succeeded', 'declined')),
  decline_code text,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX test_gateway_ledger_card_idx ON test_gateway_ledger (card_id, created_at);
CREATE INDEX test_gateway_ledger_reference_idx ON test_gateway_ledger (reference);

-- Down Migration
DROP TABLE test_gateway_ledger, test_gateway_cards, subscription_charges, subscriptions, refunds;
ALTER TABLE variants DROP COLUMN subscription_interval;
ALTER TABLE payments DROP CONSTRAINT payments_refunded_within_received, DROP COLUMN provider, DROP COLUMN authorization_ref,
  DROP COLUMN card_ref, DROP COLUMN decline_code, DROP COLUMN refunded_amount, DROP COLUMN captured_at, DROP COLUMN voided_at;
