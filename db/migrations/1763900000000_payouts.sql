-- Up Migration
-- One payout line per vendor and order (mall mode), created when the order completes and paid out by hand.
CREATE TABLE payouts (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  vendor_id text NOT NULL REFERENCES vendors(id),
  order_id text NOT NULL REFERENCES orders(id),
  currency char(3) NOT NULL,
  gross bigint NOT NULL,
  commission bigint NOT NULL,
  net bigint NOT NULL,
  commission_rate_bps integer NOT NULL CHECK (commission_rate_bps BETWEEN 0 AND 10000),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid')),
  reference text,
  paid_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT payouts_amounts_non_negative CHECK (gross >= 0 AND commission >= 0 AND net >= 0),
  CONSTRAINT payouts_gross_split CHECK (gross = commission + net),
  CONSTRAINT payouts_paid_has_reference CHECK ((status = 'paid') = (paid_at IS NOT NULL AND reference IS NOT NULL)),
  CONSTRAINT payouts_order_vendor_key UNIQUE (order_id, vendor_id)
);
-- The back office lists a vendor's payouts newest first.
CREATE INDEX payouts_tenant_vendor_created_idx ON payouts (tenant_id, vendor_id, created_at DESC, id DESC);
-- Vendors list their own shipments newest first (GET /vendor/shipments).
CREATE INDEX shipments_vendor_created_idx ON shipments (tenant_id, vendor_id, created_at DESC, id DESC) WHERE vendor_id IS NOT NULL;

-- Down Migration
DROP INDEX shipments_vendor_created_idx;
DROP TABLE payouts;
