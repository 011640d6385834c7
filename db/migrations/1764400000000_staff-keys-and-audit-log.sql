-- Up Migration
-- Staff keys and the audit log (issue 12). db/queries/api-keys.ts writes api_keys; db/queries/audit-log.ts writes audit_log.
ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('owner', 'admin', 'staff', 'viewer', 'vendor'));
ALTER TABLE api_keys RENAME COLUMN label TO name;
UPDATE api_keys SET name = role || ' key' WHERE name IS NULL;
ALTER TABLE api_keys ALTER COLUMN name SET NOT NULL;
-- Written in batches (at most once a minute per key), never once per request.
ALTER TABLE api_keys ADD COLUMN last_used_at timestamptz;
-- GET /admin/api-keys lists a tenant's keys; the last-owner rule counts its live owners.
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, created_at, id);
CREATE INDEX api_keys_live_owners ON api_keys (tenant_id) WHERE role = 'owner' AND revoked_at IS NULL;

-- One entry per admin or vendor write, in the same transaction as the change. Append-only: nothing updates or deletes it.
CREATE TABLE audit_log (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- Null: the system acting on nobody's behalf (a timer, the sweeper).
  actor_key_id text REFERENCES api_keys(id),
  actor_role text,
  action text NOT NULL,
  resource_type text NOT NULL,
  resource_id text NOT NULL,
  request_id text,
  -- {field: {before, after}}; secrets are never recorded in clear.
  changes jsonb NOT NULL DEFAULT '{}'::jsonb,
  CHECK ((actor_key_id IS NULL) = (actor_role IS NULL))
);
CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at DESC, id DESC);
CREATE INDEX audit_log_resource ON audit_log (tenant_id, resource_type, resource_id, at DESC, id DESC);
CREATE INDEX audit_log_actor ON audit_log (tenant_id, actor_key_id, at DESC, id DESC);

-- Down Migration
DROP TABLE audit_log;
DROP INDEX api_keys_live_owners;
DROP INDEX api_keys_tenant;
ALTER TABLE api_keys DROP COLUMN last_used_at;
ALTER TABLE api_keys RENAME COLUMN name TO label;
ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('owner', 'admin', 'staff', 'vendor'));
