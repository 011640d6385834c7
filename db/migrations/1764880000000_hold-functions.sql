-- Up Migration
-- Holding stock, in the database: adding to a cart is the hottest write of a sale, and it took nine round trips (issue
-- 14, scope 4). db/queries/carts.ts now adds an item in one statement that locks and checks the cart, then calls
-- hold_cart_line(); db/queries/holds.ts places every other hold through place_hold(). The rules are the ones the TypeScript
-- had: no location ever goes below zero (the CHECK on inventory_levels stays the backstop), one location when one has
-- enough, else split from the fullest; a hold expires CART_HOLD_TTL after the last change, never after the cart's
-- holds_end_at.

-- When a hold placed or extended now expires: `ttl_ms` from now, but never after the cart's hold lifetime (carts from
-- before the lifetime existed have none: LEAST ignores the NULL).
CREATE FUNCTION hold_expiry(p_cart text, p_ttl_ms bigint) RETURNS timestamptz LANGUAGE sql VOLATILE AS $$
  SELECT LEAST(clock_timestamp() + p_ttl_ms * interval '1 millisecond', (SELECT holds_end_at FROM carts WHERE id = p_cart))
$$;

-- Locks the variant's stock rows in location order (concurrent holds cannot deadlock) and answers how many units are free.
CREATE FUNCTION lock_available_stock(p_tenant text, p_variant text) RETURNS bigint LANGUAGE sql VOLATILE AS $$
  SELECT COALESCE(sum(GREATEST(l.on_hand - l.reserved, 0)), 0)::bigint
  FROM (SELECT on_hand, reserved FROM inventory_levels WHERE tenant_id = p_tenant AND variant_id = p_variant ORDER BY location_id FOR UPDATE) l
$$;

-- Holds `p_quantity` of a variant for a cart item, or nothing when the locations together do not have it (false). Takes
-- from the fullest location first, so a location with enough gives one hold; otherwise the hold is split. The rows it
-- reads are the rows it locked, in location order, in the same statement.
CREATE FUNCTION place_hold(p_tenant text, p_cart text, p_item text, p_variant text, p_quantity int, p_ttl_ms bigint, p_group_buy text)
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

-- The writes of adding to a cart, once its caller has locked the cart and checked it (open, the caller's, within its hold
-- lifetime, the variant for sale at `p_price`). Answers {"outcome": "ok" | "insufficient_stock" | "line_too_large",
-- "line_quantity", "had_live_holds"}; writes nothing unless ok. Each statement here sees what committed before it.
CREATE FUNCTION hold_cart_line(
  p_tenant text, p_cart text, p_variant text, p_quantity int, p_price bigint, p_new_item text,
  p_ttl_ms bigint, p_max_lifetime_ms bigint, p_max_line int
) RETURNS jsonb LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  had_live boolean;
  item text;
  line int;
BEGIN
  -- Expired-but-unreleased holds do not count: their workflow may be about to release them and end.
  had_live := EXISTS (SELECT 1 FROM holds WHERE cart_id = p_cart AND status = 'held' AND expires_at > clock_timestamp());
  -- The line cap first (the cart is locked, so the line cannot change): a request over it is the client's mistake, 400,
  -- whatever the stock.
  SELECT quantity INTO line FROM cart_items WHERE cart_id = p_cart AND variant_id = p_variant;
  IF COALESCE(line, 0) + p_quantity > p_max_line THEN
    RETURN jsonb_build_object('outcome', 'line_too_large', 'line_quantity', COALESCE(line, 0), 'had_live_holds', had_live);
  END IF;
  IF lock_available_stock(p_tenant, p_variant) < p_quantity THEN
    RETURN jsonb_build_object('outcome', 'insufficient_stock', 'had_live_holds', had_live);
  END IF;
  -- The cap again in the upsert itself (no row comes back over it): nothing is written then.
  INSERT INTO cart_items (id, tenant_id, cart_id, variant_id, quantity, unit_price)
  VALUES (p_new_item, p_tenant, p_cart, p_variant, p_quantity, p_price)
  ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = cart_items.quantity + EXCLUDED.quantity
    WHERE cart_items.quantity + EXCLUDED.quantity <= p_max_line
  RETURNING id INTO item;
  IF item IS NULL THEN
    SELECT quantity INTO line FROM cart_items WHERE cart_id = p_cart AND variant_id = p_variant;
    RETURN jsonb_build_object('outcome', 'line_too_large', 'line_quantity', COALESCE(line, 0), 'had_live_holds', had_live);
  END IF;
  -- The cart's first hold starts its lifetime; every change moves its holds' expiry on.
  UPDATE carts SET updated_at = now(),
    holds_started_at = COALESCE(holds_started_at, clock_timestamp()),
    holds_end_at = CASE WHEN holds_started_at IS NULL THEN clock_timestamp() + p_max_lifetime_ms * interval '1 millisecond' ELSE holds_end_at END
  WHERE id = p_cart;
  -- The stock rows are locked since the check above: the hold cannot fail now; if it ever did, undo the whole add.
  IF NOT place_hold(p_tenant, p_cart, item, p_variant, p_quantity, p_ttl_ms, NULL) THEN
    RAISE EXCEPTION 'place_hold refused stock that lock_available_stock had found for variant %', p_variant;
  END IF;
  UPDATE holds SET expires_at = hold_expiry(p_cart, p_ttl_ms) WHERE cart_id = p_cart AND status = 'held';
  RETURN jsonb_build_object('outcome', 'ok', 'had_live_holds', had_live);
END;
$$;

-- Down Migration
DROP FUNCTION hold_cart_line(text, text, text, int, bigint, text, bigint, bigint, int);
DROP FUNCTION place_hold(text, text, text, text, int, bigint, text);
DROP FUNCTION lock_available_stock(text, text);
DROP FUNCTION hold_expiry(text, bigint);
