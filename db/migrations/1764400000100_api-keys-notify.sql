-- Up Migration
-- Every API process caches key lookups (api/key-cache.ts) and LISTENs here: a revoked key answers 401 everywhere
-- within a second, a new key is never refused by a cached "unknown". A trigger, so any writer (API, CLI, psql) reaches
-- every process, and only after its transaction commits. The payload is the key id (never its hash).
-- last_used_at updates (batched touches) do not notify.
CREATE FUNCTION notify_api_key_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('api_keys_changed', CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
  RETURN NULL;
END;
$$;

CREATE TRIGGER api_keys_inserted AFTER INSERT ON api_keys FOR EACH ROW EXECUTE FUNCTION notify_api_key_changed();
CREATE TRIGGER api_keys_changed AFTER UPDATE OF revoked_at, role, tenant_id, vendor_id, key_hash ON api_keys
  FOR EACH ROW WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.role IS DISTINCT FROM NEW.role
    OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id OR OLD.vendor_id IS DISTINCT FROM NEW.vendor_id OR OLD.key_hash IS DISTINCT FROM NEW.key_hash)
  EXECUTE FUNCTION notify_api_key_changed();
-- Keys are revoked, never deleted, by this product; a hand-made DELETE must still reach every process.
CREATE TRIGGER api_keys_deleted AFTER DELETE ON api_keys FOR EACH ROW EXECUTE FUNCTION notify_api_key_changed();

-- Down Migration
DROP TRIGGER api_keys_deleted ON api_keys;
DROP TRIGGER api_keys_changed ON api_keys;
DROP TRIGGER api_keys_inserted ON api_keys;
DROP FUNCTION notify_api_key_changed();
