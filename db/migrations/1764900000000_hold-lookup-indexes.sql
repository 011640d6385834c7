-- Up Migration
-- The hold path's lookups, planned right before the tables have statistics (issue 14). A prepared statement or a PL/pgSQL
-- function plans once per connection; planned while carts and holds were new and small, the cart lookups
-- (`tenant_id = $1 AND id = $2`) walked carts_tenant_idx over every cart of the tenant, and the holds lookups walked
-- holds_expiry_idx (the held rows in expiry order) filtering by cart: measured with bench/hold-cost.ts, 520 carts and 1,300
-- holds rows read per add, and the plans stayed so until an ANALYZE. With these indexes each lookup has an index that
-- answers it exactly, so the planner has no cheaper-looking walk to choose: (tenant_id, id) still serves the tenant's
-- listings, (cart_id, expires_at) serves the cart's held rows and their earliest expiry (the cart view's hold_expires_at).
-- Building an index blocks writes to its table meanwhile: on a store with millions of carts, build both by hand first
-- with CREATE INDEX CONCURRENTLY and the same names, and this migration only drops the old ones.
CREATE INDEX IF NOT EXISTS carts_tenant_id_idx ON carts (tenant_id, id);
DROP INDEX IF EXISTS carts_tenant_idx;
CREATE INDEX IF NOT EXISTS holds_cart_expiry_idx ON holds (cart_id, expires_at) WHERE status = 'held';
DROP INDEX IF EXISTS holds_cart_idx;

-- place_hold as before, with the line's existing hold found by its cart too.
CREATE OR REPLACE FUNCTION place_hold(p_tenant text, p_cart text, p_item text, p_variant text, p_quantity int, p_ttl_ms bigint, p_group_buy text)
RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  levels text[];
  frees int[];
  remaining int := p_quantity;
  take int;
  expiry timestamptz;
BEGIN
  SELECT array_agg(l.location_id ORDER BY l.free DESC, l.location_id), array_agg(l.free ORDER BY l.free DESC, l.location_id)
  INTO levels, frees
  FROM (
    SELECT location_id, GREATEST(on_hand - reserved, 0) AS free FROM inventory_levels
    WHERE tenant_id = p_tenant AND variant_id = p_variant ORDER BY location_id FOR UPDATE
  ) l;
  IF levels IS NULL OR (SELECT sum(f) FROM unnest(frees) f) < p_quantity THEN
    RETURN false;
  END IF;
  expiry := hold_expiry(p_cart, p_ttl_ms);
  FOR i IN 1 .. array_length(levels, 1) LOOP
    EXIT WHEN remaining = 0;
    take := LEAST(remaining, frees[i]);
    CONTINUE WHEN take = 0;
    UPDATE inventory_levels SET reserved = reserved + take, updated_at = now() WHERE variant_id = p_variant AND location_id = levels[i];
    -- More of a line at a location it already holds from grows that hold: one row per line and location, not one per
    -- click, so extending a cart's holds stays cheap however often it changes. (The cart is locked by the caller, so an
    -- expiry pass cannot release the hold in between.)
    -- One row only: carts from before this migration may hold a line at a location in several rows. By the cart first:
    -- holds_cart_expiry_idx finds its few rows whatever the statistics say.
    UPDATE holds SET quantity = quantity + take, expires_at = expiry
    WHERE id = (
      SELECT id FROM holds
      WHERE cart_id = p_cart AND cart_item_id = p_item AND location_id = levels[i] AND status = 'held' AND group_buy_id IS NOT DISTINCT FROM p_group_buy
      ORDER BY id LIMIT 1
    );
    IF NOT FOUND THEN
      INSERT INTO holds (id, tenant_id, cart_id, cart_item_id, variant_id, location_id, quantity, status, expires_at, group_buy_id)
      VALUES ('hold_' || replace(gen_random_uuid()::text, '-', ''), p_tenant, p_cart, p_item, p_variant, levels[i], take, 'held', expiry, p_group_buy);
    END IF;
    remaining := remaining - take;
  END LOOP;
  RETURN true;
END;
$$;

-- Down Migration
CREATE OR REPLACE FUNCTION place_hold(p_tenant text, p_cart text, p_item text, p_variant text, p_quantity int, p_ttl_ms bigint, p_group_buy text)
RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  levels text[];
  frees int[];
  remaining int := p_quantity;
  take int;
  expiry timestamptz;
BEGIN
  SELECT array_agg(l.location_id ORDER BY l.free DESC, l.location_id), array_agg(l.free ORDER BY l.free DESC, l.location_id)
  INTO levels, frees
  FROM (
    SELECT location_id, GREATEST(on_hand - reserved, 0) AS free FROM inventory_levels
    WHERE tenant_id = p_tenant AND variant_id = p_variant ORDER BY location_id FOR UPDATE
  ) l;
  IF levels IS NULL OR (SELECT sum(f) FROM unnest(frees) f) < p_quantity THEN
    RETURN false;
  END IF;
  expiry := hold_expiry(p_cart, p_ttl_ms);
  FOR i IN 1 .. array_length(levels, 1) LOOP
    EXIT WHEN remaining = 0;
    take := LEAST(remaining, frees[i]);
    CONTINUE WHEN take = 0;
    UPDATE inventory_levels SET reserved = reserved + take, updated_at = now() WHERE variant_id = p_variant AND location_id = levels[i];
    -- More of a line at a location it already holds from grows that hold: one row per line and location, not one per
    -- click, so extending a cart's holds stays cheap however often it changes. (The cart is locked by the caller, so an
    -- expiry pass cannot release the hold in between.)
    -- One row only: carts from before this migration may hold a line at a location in several rows.
    UPDATE holds SET quantity = quantity + take, expires_at = expiry
    WHERE id = (
      SELECT id FROM holds
      WHERE cart_item_id = p_item AND location_id = levels[i] AND status = 'held' AND group_buy_id IS NOT DISTINCT FROM p_group_buy
      ORDER BY id LIMIT 1
    );
    IF NOT FOUND THEN
      INSERT INTO holds (id, tenant_id, cart_id, cart_item_id, variant_id, location_id, quantity, status, expires_at, group_buy_id)
      VALUES ('hold_' || replace(gen_random_uuid()::text, '-', ''), p_tenant, p_cart, p_item, p_variant, levels[i], take, 'held', expiry, p_group_buy);
    END IF;
    remaining := remaining - take;
  END LOOP;
  RETURN true;
END;
$$;
CREATE INDEX holds_cart_idx ON holds (cart_id) WHERE status = 'held';
DROP INDEX holds_cart_expiry_idx;
CREATE INDEX carts_tenant_idx ON carts (tenant_id);
DROP INDEX carts_tenant_id_idx;
