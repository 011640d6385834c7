-- Up Migration
-- Every API process keeps rendered catalog answers for CATALOG_CACHE_TTL (api/catalog-cache.ts) and LISTENs here: a
-- product, price, category, image, digital-setting or vendor change (by any writer: API, imports, CLI, psql) drops that tenant's answers in every
-- process once its transaction commits. The payload is the tenant id; PostgreSQL delivers identical notifications of one
-- transaction once, so a bulk import notifies once. Stock (inventory_levels, holds) is deliberately not here: it changes
-- with every hold, and answers may show it up to CATALOG_CACHE_TTL late.
CREATE FUNCTION notify_catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('catalog_changed', CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END);
  RETURN NULL;
END;
$$;

CREATE TRIGGER products_catalog_changed AFTER INSERT OR UPDATE OR DELETE ON products FOR EACH ROW EXECUTE FUNCTION notify_catalog_changed();
CREATE TRIGGER variants_catalog_changed AFTER INSERT OR UPDATE OR DELETE ON variants FOR EACH ROW EXECUTE FUNCTION notify_catalog_changed();
CREATE TRIGGER prices_catalog_changed AFTER INSERT OR UPDATE OR DELETE ON prices FOR EACH ROW EXECUTE FUNCTION notify_catalog_changed();
CREATE TRIGGER categories_catalog_changed AFTER INSERT OR UPDATE OR DELETE ON categories FOR EACH ROW EXECUTE FUNCTION notify_catalog_changed();
CREATE TRIGGER product_categories_catalog_changed AFTER INSERT OR UPDATE OR DELETE ON product_categories FOR EACH ROW EXECUTE FUNCTION notify_catalog_changed();
CREATE TRIGGER vendors_catalog_changed AFTER INSERT OR UPDATE OR DELETE ON vendors FOR EACH ROW EXECUTE FUNCTION notify_catalog_changed();
CREATE TRIGGER product_images_catalog_changed AFTER INSERT OR UPDATE OR DELETE ON product_images FOR EACH ROW EXECUTE FUNCTION notify_catalog_changed();
CREATE TRIGGER variant_digital_catalog_changed AFTER INSERT OR UPDATE OR DELETE ON variant_digital FOR EACH ROW EXECUTE FUNCTION notify_catalog_changed();

-- Down Migration
DROP TRIGGER variant_digital_catalog_changed ON variant_digital;
DROP TRIGGER product_images_catalog_changed ON product_images;
DROP TRIGGER vendors_catalog_changed ON vendors;
DROP TRIGGER product_categories_catalog_changed ON product_categories;
DROP TRIGGER categories_catalog_changed ON categories;
DROP TRIGGER prices_catalog_changed ON prices;
DROP TRIGGER variants_catalog_changed ON variants;
DROP TRIGGER products_catalog_changed ON products;
DROP FUNCTION notify_catalog_changed();
