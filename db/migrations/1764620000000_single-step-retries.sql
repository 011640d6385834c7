-- Up Migration
-- Retrying one step (issue 15): a capture the gateway refused, a notification sent again, a webhook delivery redelivered.
-- Writers: payments — payments.ts; notification_resends — notification-resends.ts; webhook_redeliveries,
-- webhook_deliveries — webhooks.ts.

-- A capture the gateway refused leaves the money authorized: recorded here so staff can retry it (and see why).
-- `capture_failures` counts refusals; each retry uses the gateway key `capture:<payment>:retry:<n>` for the n-th.
ALTER TABLE payments
  ADD COLUMN capture_failures integer NOT NULL DEFAULT 0 CHECK (capture_failures >= 0),
  ADD COLUMN capture_failed_at timestamptz,
  ADD COLUMN capture_error text;

-- One row per resend request (its id is derived from the request's Idempotency-Key): a repeated request finds its row
-- and records no second audit entry.
CREATE TABLE notification_resends (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  order_id text NOT NULL REFERENCES orders(id),
  template text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notification_resends_order_idx ON notification_resends (tenant_id, order_id);

-- One row per redelivery request; `attempt_offset` is where the new attempt series starts counting, fixed at the first
-- request so a repeated one starts the very same workflow input.
CREATE TABLE webhook_redeliveries (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  webhook_id text NOT NULL,
  event_id text NOT NULL,
  attempt_offset integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (webhook_id, event_id) REFERENCES webhook_deliveries (webhook_id, event_id)
);

ALTER TABLE webhook_deliveries ADD COLUMN redeliveries integer NOT NULL DEFAULT 0;

-- Down Migration
ALTER TABLE webhook_deliveries DROP COLUMN redeliveries;
DROP TABLE webhook_redeliveries, notification_resends;
ALTER TABLE payments DROP COLUMN capture_error, DROP COLUMN capture_failed_at, DROP COLUMN capture_failures;
