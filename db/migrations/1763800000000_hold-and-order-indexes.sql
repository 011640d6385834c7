-- Up Migration
-- Cart reads sum the live holds of each line; item changes release a line's holds.
CREATE INDEX holds_cart_item_live_idx ON holds (cart_item_id) WHERE status IN ('held', 'allocated');
-- The back office lists orders newest first.
CREATE INDEX orders_tenant_created_idx ON orders (tenant_id, created_at DESC, id DESC);

-- Down Migration
DROP INDEX holds_cart_item_live_idx;
DROP INDEX orders_tenant_created_idx;
