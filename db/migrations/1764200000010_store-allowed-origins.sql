-- Up Migration
-- Browser origins each store admits for CORS (normalised patterns, see domain/origins.ts); empty = no browser access.
ALTER TABLE stores ADD COLUMN allowed_origins text[] NOT NULL DEFAULT '{}';

-- Every API process keeps all stores' origins in memory (api/store-origins.ts) and LISTENs here to reload them:
-- a trigger, so any writer (API, CLI, seed, psql) reaches every process, and only after its transaction commits.
CREATE FUNCTION notify_store_origins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('store_origins_changed', '');
  RETURN NULL;
END;
$$;

CREATE TRIGGER stores_origins_changed
  AFTER INSERT OR DELETE OR UPDATE OF allowed_origins, publishable_key ON stores
  FOR EACH STATEMENT EXECUTE FUNCTION notify_store_origins();

-- Down Migration
DROP TRIGGER stores_origins_changed ON stores;
DROP FUNCTION notify_store_origins();
ALTER TABLE stores DROP COLUMN allowed_origins;
