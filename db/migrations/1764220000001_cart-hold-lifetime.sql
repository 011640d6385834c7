-- Up Migration
-- A cart's holds end a fixed time after its first hold, whatever the cart does later (no hoarding by touching it).
ALTER TABLE carts ADD COLUMN holds_started_at timestamptz, ADD COLUMN holds_end_at timestamptz;
-- Carts that already hold stock count from their oldest hold still held, and get the default 2h lifetime.
UPDATE carts c SET holds_started_at = h.first_at, holds_end_at = h.first_at + interval '2 hours'
FROM (SELECT cart_id, min(created_at) AS first_at FROM holds WHERE status = 'held' GROUP BY cart_id) h
WHERE h.cart_id = c.id AND c.status = 'open';

-- Down Migration
ALTER TABLE carts DROP COLUMN holds_started_at, DROP COLUMN holds_end_at;
