-- Up Migration
-- hold_expiry and lock_available_stock in PL/pgSQL instead of SQL (issue 14). A SQL function that PostgreSQL cannot
-- inline (these two are VOLATILE) is parsed and planned again on every call; a PL/pgSQL function keeps its plans for the
-- session. `perf` of PostgreSQL under bench/hold-cost.ts put 20 % of its CPU in those calls (fmgr_sql: the parser and the
-- planner), on every add and every hold placed. Same arguments, same answers.

-- When a hold placed or extended now expires: `ttl_ms` from now, but never after the cart's hold lifetime (carts from
-- before the lifetime existed have none: LEAST ignores the NULL).
CREATE OR REPLACE FUNCTION hold_expiry(p_cart text, p_ttl_ms bigint) RETURNS timestamptz LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  RETURN LEAST(clock_timestamp() + p_ttl_ms * interval '1 millisecond', (SELECT holds_end_at FROM carts WHERE id = p_cart));
END;
$$;

-- Locks the variant's stock rows in location order (concurrent holds cannot deadlock) and answers how many units are free.
CREATE OR REPLACE FUNCTION lock_available_stock(p_tenant text, p_variant text) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  RETURN (
    SELECT COALESCE(sum(GREATEST(l.on_hand - l.reserved, 0)), 0)::bigint
    FROM (SELECT on_hand, reserved FROM inventory_levels WHERE tenant_id = p_tenant AND variant_id = p_variant ORDER BY location_id FOR UPDATE) l
  );
END;
$$;

-- Down Migration
CREATE OR REPLACE FUNCTION hold_expiry(p_cart text, p_ttl_ms bigint) RETURNS timestamptz LANGUAGE sql VOLATILE AS $$
  SELECT LEAST(clock_timestamp() + p_ttl_ms * interval '1 millisecond', (SELECT holds_end_at FROM carts WHERE id = p_cart))
$$;

CREATE OR REPLACE FUNCTION lock_available_stock(p_tenant text, p_variant text) RETURNS bigint LANGUAGE sql VOLATILE AS $$
  SELECT COALESCE(sum(GREATEST(l.on_hand - l.reserved, 0)), 0)::bigint
  FROM (SELECT on_hand, reserved FROM inventory_levels WHERE tenant_id = p_tenant AND variant_id = p_variant ORDER BY location_id FOR UPDATE) l
$$;
