-- Up Migration
-- Pricing (issue 13): consumption tax per variant, tax-inclusive or -exclusive stores, shipping methods, promotions.
-- Writers: variants — catalog.ts; stores — stores.ts; carts — carts.ts; shipping_methods, cart_shipping_methods —
-- shipping.ts; promotions, cart_discounts, promotion_redemptions — promotions.ts; orders, order_items — orders.ts.

-- Japanese consumption tax: 1000 bps standard (10 %), 800 reduced (8 %: food and drink).
ALTER TABLE variants ADD COLUMN tax_rate_bps integer NOT NULL DEFAULT 1000 CHECK (tax_rate_bps IN (800, 1000));
-- Prices include tax by default (Japanese retail); false: tax is added on top.
ALTER TABLE stores ADD COLUMN prices_include_tax boolean NOT NULL DEFAULT true;

CREATE TABLE shipping_methods (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  name text NOT NULL,
  currency char(3) NOT NULL,
  price bigint NOT NULL CHECK (price >= 0),
  -- Free when the shipping group's lines cost at least this much after discounts.
  free_over bigint CHECK (free_over >= 0),
  -- Cash-on-delivery fee, its own amount on the order.
  cod_fee bigint NOT NULL DEFAULT 0 CHECK (cod_fee >= 0),
  -- ISO 3166-1 alpha-2 countries ("JP") and JP prefectures ("JP-13"); empty: everywhere.
  regions text[] NOT NULL DEFAULT '{}',
  -- Mall mode: the vendor whose parcels it ships; null: the store's own (single brand) or any vendor.
  vendor_id text REFERENCES vendors(id),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX shipping_methods_tenant ON shipping_methods (tenant_id, created_at, id);

-- The region a cart ships to (chosen before the address is known at checkout).
ALTER TABLE carts ADD COLUMN shipping_region text;

-- A cart's chosen shipping method per shipping group: '' the whole cart (single brand), else the vendor id (mall).
CREATE TABLE cart_shipping_methods (
  cart_id text NOT NULL REFERENCES carts(id) ON DELETE CASCADE,
  tenant_id text NOT NULL REFERENCES tenants(id),
  group_key text NOT NULL,
  shipping_method_id text NOT NULL REFERENCES shipping_methods(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (cart_id, group_key)
);

CREATE TABLE promotions (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  code text NOT NULL,
  type text NOT NULL CHECK (type IN ('percentage', 'fixed', 'free_shipping')),
  -- percentage: whole percent 1–100; fixed: minor units of `currency`; free_shipping: 0.
  value bigint NOT NULL DEFAULT 0 CHECK (value >= 0),
  currency char(3) NOT NULL,
  min_subtotal bigint CHECK (min_subtotal >= 0),
  starts_at timestamptz,
  ends_at timestamptz,
  usage_limit integer CHECK (usage_limit > 0),
  usage_limit_per_customer integer CHECK (usage_limit_per_customer > 0),
  vendor_id text REFERENCES vendors(id),
  active boolean NOT NULL DEFAULT true,
  -- Live redemptions; the CHECK is the last guard of the limit (redeeming is one conditional UPDATE).
  times_used integer NOT NULL DEFAULT 0 CHECK (times_used >= 0 AND (usage_limit IS NULL OR times_used <= usage_limit)),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (type <> 'percentage' OR value BETWEEN 1 AND 100),
  CHECK (starts_at IS NULL OR ends_at IS NULL OR starts_at < ends_at)
);
CREATE UNIQUE INDEX promotions_tenant_code ON promotions (tenant_id, upper(code));
CREATE INDEX promotions_tenant_created ON promotions (tenant_id, created_at, id);

-- Codes applied to an open cart (checked again when the order is placed).
CREATE TABLE cart_discounts (
  cart_id text NOT NULL REFERENCES carts(id) ON DELETE CASCADE,
  tenant_id text NOT NULL REFERENCES tenants(id),
  promotion_id text NOT NULL REFERENCES promotions(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (cart_id, promotion_id)
);

-- One per order and code; released (a cancelled order, a failed checkout) gives the use back.
CREATE TABLE promotion_redemptions (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  promotion_id text NOT NULL REFERENCES promotions(id),
  order_id text NOT NULL REFERENCES orders(id),
  -- The customer id, or 'email:' || lower(email) for a guest: what per-customer limits count.
  customer_key text NOT NULL,
  amount bigint NOT NULL CHECK (amount >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  released_at timestamptz,
  UNIQUE (promotion_id, order_id)
);
CREATE INDEX promotion_redemptions_customer ON promotion_redemptions (promotion_id, customer_key) WHERE released_at IS NULL;

-- What an order was placed with: every figure of the pricing function, kept as placed.
ALTER TABLE orders
  ADD COLUMN discount_total bigint NOT NULL DEFAULT 0 CHECK (discount_total >= 0),
  ADD COLUMN tax_total bigint NOT NULL DEFAULT 0 CHECK (tax_total >= 0),
  ADD COLUMN cod_fee bigint NOT NULL DEFAULT 0 CHECK (cod_fee >= 0),
  ADD COLUMN prices_include_tax boolean NOT NULL DEFAULT true,
  -- [{rate_bps, taxable_amount, tax}]
  ADD COLUMN tax_breakdown jsonb NOT NULL DEFAULT '[]',
  -- [{code, amount}]
  ADD COLUMN discounts jsonb NOT NULL DEFAULT '[]',
  -- [{group_key, shipping_method_id, name, amount}] as chosen at checkout
  ADD COLUMN shipping_methods jsonb NOT NULL DEFAULT '[]';
-- total stays what the line costs after its share of discounts; discount is that share.
ALTER TABLE order_items
  ADD COLUMN discount bigint NOT NULL DEFAULT 0 CHECK (discount >= 0),
  ADD COLUMN tax_rate_bps integer NOT NULL DEFAULT 1000;

-- Down Migration
ALTER TABLE order_items DROP COLUMN discount, DROP COLUMN tax_rate_bps;
ALTER TABLE orders DROP COLUMN discount_total, DROP COLUMN tax_total, DROP COLUMN cod_fee, DROP COLUMN prices_include_tax,
  DROP COLUMN tax_breakdown, DROP COLUMN discounts, DROP COLUMN shipping_methods;
DROP TABLE promotion_redemptions, cart_discounts, promotions, cart_shipping_methods, shipping_methods;
ALTER TABLE carts DROP COLUMN shipping_region;
ALTER TABLE stores DROP COLUMN prices_include_tax;
ALTER TABLE variants DROP COLUMN tax_rate_bps;
