-- Up Migration
-- Issue 17 scope 3: a refund of a mall order gives back the vendor's share (a negative `refund` payout line, commission
-- returned pro rata), and payout lines are paid per vendor statement. Writer of payouts and payout_statements: payouts.ts.

-- A statement groups a vendor's unpaid lines up to `period_to`; paying it pays every line in it, once.
CREATE TABLE payout_statements (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  vendor_id text NOT NULL REFERENCES vendors(id),
  currency char(3) NOT NULL,
  period_to timestamptz NOT NULL,
  net bigint NOT NULL,
  line_count integer NOT NULL CHECK (line_count > 0),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid')),
  reference text,
  paid_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT payout_statements_paid_has_reference CHECK ((status = 'paid') = (paid_at IS NOT NULL AND reference IS NOT NULL))
);
CREATE INDEX payout_statements_vendor_idx ON payout_statements (tenant_id, vendor_id, created_at DESC);

ALTER TABLE payouts
  ADD COLUMN kind text NOT NULL DEFAULT 'sale' CHECK (kind IN ('sale', 'refund')),
  ADD COLUMN refund_id text REFERENCES refunds(id),
  ADD COLUMN statement_id text REFERENCES payout_statements(id);
-- Sales owe the vendor (amounts ≥ 0), refunds take back (amounts ≤ 0, always naming their refund).
ALTER TABLE payouts DROP CONSTRAINT payouts_amounts_non_negative;
ALTER TABLE payouts ADD CONSTRAINT payouts_amounts_signed CHECK (
  (kind = 'sale' AND refund_id IS NULL AND gross >= 0 AND commission >= 0 AND net >= 0)
  OR (kind = 'refund' AND refund_id IS NOT NULL AND gross <= 0 AND commission <= 0 AND net <= 0));
-- One sale line per order and vendor, one refund line per refund and vendor: retries create nothing twice.
ALTER TABLE payouts DROP CONSTRAINT payouts_order_vendor_key;
CREATE UNIQUE INDEX payouts_sale_key ON payouts (order_id, vendor_id) WHERE kind = 'sale';
CREATE UNIQUE INDEX payouts_refund_key ON payouts (refund_id, vendor_id) WHERE kind = 'refund';
CREATE INDEX payouts_statement_idx ON payouts (statement_id) WHERE statement_id IS NOT NULL;

-- Down Migration
DROP INDEX payouts_statement_idx;
DROP INDEX payouts_refund_key;
DROP INDEX payouts_sale_key;
DELETE FROM payouts WHERE kind = 'refund';
ALTER TABLE payouts ADD CONSTRAINT payouts_order_vendor_key UNIQUE (order_id, vendor_id);
ALTER TABLE payouts DROP CONSTRAINT payouts_amounts_signed;
ALTER TABLE payouts ADD CONSTRAINT payouts_amounts_non_negative CHECK (gross >= 0 AND commission >= 0 AND net >= 0);
ALTER TABLE payouts DROP COLUMN statement_id, DROP COLUMN refund_id, DROP COLUMN kind;
DROP TABLE payout_statements;
