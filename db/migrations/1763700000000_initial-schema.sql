-- Up Migration
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE tenants (
  id text PRIMARY KEY,
  name text NOT NULL,
  mode text NOT NULL CHECK (mode IN ('single_brand', 'mall')),
  default_currency char(3) NOT NULL DEFAULT 'JPY',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE stores (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  name text NOT NULL,
  publishable_key text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stores_tenant_idx ON stores (tenant_id);

CREATE TABLE vendors (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  name text NOT NULL,
  commission_rate_bps integer NOT NULL DEFAULT 0 CHECK (commission_rate_bps BETWEEN 0 AND 10000),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, id)
);

CREATE TABLE api_keys (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  key_hash text NOT NULL UNIQUE,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'staff', 'vendor')),
  vendor_id text REFERENCES vendors(id),
  label text,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  CHECK ((role = 'vendor') = (vendor_id IS NOT NULL))
);

CREATE TABLE locations (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  code text NOT NULL,
  name text NOT NULL,
  is_default boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT locations_tenant_code_key UNIQUE (tenant_id, code)
);
CREATE UNIQUE INDEX locations_one_default_idx ON locations (tenant_id) WHERE is_default;

CREATE TABLE categories (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  name text NOT NULL,
  handle text NOT NULL,
  parent_id text REFERENCES categories(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT categories_tenant_handle_key UNIQUE (tenant_id, handle)
);

CREATE TABLE products (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  handle text NOT NULL,
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  status text NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
  type text NOT NULL DEFAULT 'physical' CHECK (type IN ('physical', 'digital', 'subscription')),
  vendor_id text REFERENCES vendors(id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  CONSTRAINT products_tenant_handle_key UNIQUE (tenant_id, handle)
);
CREATE INDEX products_list_idx ON products (tenant_id, status, id) WHERE deleted_at IS NULL;
CREATE INDEX products_title_trgm_idx ON products USING gin (title gin_trgm_ops);

CREATE TABLE product_categories (
  tenant_id text NOT NULL REFERENCES tenants(id),
  product_id text NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  category_id text NOT NULL REFERENCES categories(id),
  PRIMARY KEY (product_id, category_id)
);
CREATE INDEX product_categories_category_idx ON product_categories (category_id);

CREATE TABLE variants (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  product_id text NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  sku text NOT NULL,
  title text NOT NULL DEFAULT '',
  position integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT variants_tenant_sku_key UNIQUE (tenant_id, sku)
);
CREATE INDEX variants_product_idx ON variants (product_id);

CREATE TABLE prices (
  tenant_id text NOT NULL REFERENCES tenants(id),
  variant_id text NOT NULL REFERENCES variants(id) ON DELETE CASCADE,
  currency char(3) NOT NULL,
  amount bigint NOT NULL CHECK (amount >= 0),
  compare_at_amount bigint CHECK (compare_at_amount >= 0),
  PRIMARY KEY (variant_id, currency)
);

CREATE TABLE inventory_levels (
  tenant_id text NOT NULL REFERENCES tenants(id),
  variant_id text NOT NULL REFERENCES variants(id) ON DELETE CASCADE,
  location_id text NOT NULL REFERENCES locations(id),
  on_hand integer NOT NULL,
  reserved integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (variant_id, location_id),
  CONSTRAINT inventory_reserved_within_on_hand CHECK (reserved >= 0 AND reserved <= on_hand)
);

CREATE TABLE carts (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  currency char(3) NOT NULL,
  email text,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'converted')),
  order_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX carts_tenant_idx ON carts (tenant_id);

CREATE TABLE cart_items (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  cart_id text NOT NULL REFERENCES carts(id) ON DELETE CASCADE,
  variant_id text NOT NULL REFERENCES variants(id),
  quantity integer NOT NULL CHECK (quantity > 0),
  unit_price bigint NOT NULL CHECK (unit_price >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT cart_items_cart_variant_key UNIQUE (cart_id, variant_id)
);

CREATE TABLE orders (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  cart_id text NOT NULL REFERENCES carts(id),
  status text NOT NULL CHECK (status IN ('pending_payment', 'pending_shipment', 'partially_shipped', 'shipped', 'completed', 'cancelled')),
  currency char(3) NOT NULL,
  subtotal bigint NOT NULL CHECK (subtotal >= 0),
  shipping_total bigint NOT NULL DEFAULT 0 CHECK (shipping_total >= 0),
  total bigint NOT NULL CHECK (total >= 0),
  email text NOT NULL,
  shipping_address jsonb NOT NULL,
  payment_method text NOT NULL CHECK (payment_method IN ('bank_transfer', 'cod', 'card')),
  access_token text NOT NULL,
  cancel_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT orders_cart_key UNIQUE (cart_id)
);
CREATE INDEX orders_tenant_status_idx ON orders (tenant_id, status, id);
CREATE INDEX orders_tenant_id_idx ON orders (tenant_id, id);

CREATE TABLE order_items (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  order_id text NOT NULL REFERENCES orders(id),
  variant_id text NOT NULL REFERENCES variants(id),
  product_id text NOT NULL,
  vendor_id text,
  sku text NOT NULL,
  title text NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0),
  unit_price bigint NOT NULL CHECK (unit_price >= 0),
  total bigint NOT NULL CHECK (total >= 0)
);
CREATE INDEX order_items_order_idx ON order_items (order_id);

-- A hold reserves stock for a cart item; at checkout it becomes an allocation of the order;
-- shipping consumes it (on_hand goes down). reserved = sum of held + allocated quantities.
CREATE TABLE holds (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  cart_id text NOT NULL REFERENCES carts(id),
  cart_item_id text,
  order_id text REFERENCES orders(id),
  variant_id text NOT NULL,
  location_id text NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0),
  status text NOT NULL CHECK (status IN ('held', 'allocated', 'released', 'consumed')),
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  released_at timestamptz,
  FOREIGN KEY (variant_id, location_id) REFERENCES inventory_levels(variant_id, location_id)
);
CREATE INDEX holds_cart_idx ON holds (cart_id) WHERE status = 'held';
CREATE INDEX holds_expiry_idx ON holds (expires_at) WHERE status = 'held';
CREATE INDEX holds_order_idx ON holds (order_id) WHERE order_id IS NOT NULL;

CREATE TABLE payments (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  order_id text NOT NULL REFERENCES orders(id),
  method text NOT NULL CHECK (method IN ('bank_transfer', 'cod', 'card')),
  status text NOT NULL CHECK (status IN ('pending', 'authorized', 'captured', 'failed', 'refunded', 'voided')),
  amount bigint NOT NULL CHECK (amount >= 0),
  currency char(3) NOT NULL,
  received_amount bigint NOT NULL DEFAULT 0 CHECK (received_amount >= 0 AND received_amount <= amount),
  payment_due_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT payments_order_method_key UNIQUE (order_id, method)
);

CREATE TABLE payment_receipts (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  payment_id text NOT NULL REFERENCES payments(id),
  amount bigint NOT NULL CHECK (amount > 0),
  currency char(3) NOT NULL,
  reference text NOT NULL,
  confirmed_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT payment_receipts_reference_key UNIQUE (payment_id, reference)
);

CREATE TABLE shipments (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  order_id text NOT NULL REFERENCES orders(id),
  vendor_id text,
  group_key text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'shipped', 'delivered', 'cancelled')),
  carrier text,
  tracking_number text,
  cod_amount bigint,
  cod_collected bigint,
  shipped_at timestamptz,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT shipments_order_group_key UNIQUE (order_id, group_key)
);

CREATE TABLE outbox (
  seq bigserial PRIMARY KEY,
  event_id text NOT NULL UNIQUE,
  tenant_id text NOT NULL,
  type text NOT NULL,
  aggregate_id text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX outbox_unpublished_idx ON outbox (seq) WHERE published_at IS NULL;

-- Down Migration
DROP TABLE outbox, shipments, payment_receipts, payments, holds, order_items, orders, cart_items, carts,
  inventory_levels, prices, variants, product_categories, products, categories, locations, api_keys,
  vendors, stores, tenants;
