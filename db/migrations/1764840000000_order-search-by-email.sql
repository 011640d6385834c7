-- Up Migration
-- GET /admin/orders?q=<e-mail> (the dashboard's search): a customer's orders by e-mail, newest first, without a scan.
CREATE INDEX orders_tenant_email_idx ON orders (tenant_id, lower(email), created_at DESC, id DESC);

-- Down Migration
DROP INDEX orders_tenant_email_idx;
