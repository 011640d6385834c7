-- Up Migration
-- Issue 17 scope 4: group buying. A campaign sells one variant at a group price; each participation holds one unit and
-- an authorization of the card until the campaign ends, then becomes a card order or is voided and released.
-- Writers: group_buys, group_buy_participations — group-buys.ts; carts/cart_items — carts.ts; holds — holds.ts.
CREATE TABLE group_buys (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  variant_id text NOT NULL REFERENCES variants(id),
  price bigint NOT NULL CHECK (price >= 0),
  currency char(3) NOT NULL,
  min_participants integer NOT NULL CHECK (min_participants >= 1),
  max_participants integer CHECK (max_participants >= min_participants),
  ends_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'succeeded', 'failed')),
  closed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX group_buys_tenant_idx ON group_buys (tenant_id, created_at DESC);

-- One row per join attempt; its id derives the cart, hold and order ids, and the gateway keys.
CREATE TABLE group_buy_participations (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  group_buy_id text NOT NULL REFERENCES group_buys(id),
  email text NOT NULL,
  shipping_address jsonb NOT NULL,
  cart_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('holding', 'joined', 'declined', 'withdrawn', 'ordered', 'voided')),
  authorization_ref text,
  card_ref text,
  decline_code text,
  order_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- One live participation per e-mail and campaign (a declined card may try again).
CREATE UNIQUE INDEX group_buy_participations_email_key ON group_buy_participations (group_buy_id, lower(email))
  WHERE status IN ('holding', 'joined', 'ordered');
CREATE INDEX group_buy_participations_campaign_idx ON group_buy_participations (group_buy_id, created_at);

-- A participation's cart and holds belong to its campaign: cart expiry, the hold lifetime and the sweeper leave them alone.
ALTER TABLE carts ADD COLUMN group_buy_id text REFERENCES group_buys(id);
ALTER TABLE holds ADD COLUMN group_buy_id text REFERENCES group_buys(id);

-- Down Migration
ALTER TABLE holds DROP COLUMN group_buy_id;
ALTER TABLE carts DROP COLUMN group_buy_id;
DROP TABLE group_buy_participations;
DROP TABLE group_buys;
