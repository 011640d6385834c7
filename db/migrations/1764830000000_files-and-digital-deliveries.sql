-- Up Migration
-- Issue 18 scope 4: uploaded files (bytes in a file-storage provider, metadata here), product images, digital variants
-- and their deliveries (signed, expiring, counted download links). Writers: files.ts (files), product-media.ts
-- (product_images, variant_digital), digital-deliveries.ts (digital_deliveries).

-- One uploaded file: the bytes live in the storage provider under storage_key; the id is random (not guessable).
CREATE TABLE files (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  storage_key text NOT NULL UNIQUE,
  content_type text NOT NULL,
  size_bytes bigint NOT NULL CHECK (size_bytes > 0),
  sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX files_tenant_idx ON files (tenant_id, id);

-- A product's images in display order; only files used here are served publicly under /files/:id.
CREATE TABLE product_images (
  tenant_id text NOT NULL REFERENCES tenants(id),
  product_id text NOT NULL REFERENCES products(id) ON DELETE CASCADE,
  position integer NOT NULL CHECK (position >= 0),
  file_id text NOT NULL REFERENCES files(id),
  alt text NOT NULL DEFAULT '',
  PRIMARY KEY (product_id, position)
);
CREATE INDEX product_images_file_idx ON product_images (file_id);

-- What a digital variant delivers: a file, how long a link lives, how many downloads it allows.
CREATE TABLE variant_digital (
  tenant_id text NOT NULL REFERENCES tenants(id),
  variant_id text PRIMARY KEY REFERENCES variants(id) ON DELETE CASCADE,
  file_id text NOT NULL REFERENCES files(id),
  link_ttl text NOT NULL,
  link_ttl_ms bigint NOT NULL CHECK (link_ttl_ms > 0),
  max_downloads integer NOT NULL CHECK (max_downloads > 0)
);
CREATE INDEX variant_digital_file_idx ON variant_digital (file_id);

-- One delivery per digital order line (id derived from the line: issuing twice inserts nothing). The link is never
-- stored: it is signed from (id, tenant, expires_at), so reissuing (a new expiry) makes the old link unusable.
CREATE TABLE digital_deliveries (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  order_id text NOT NULL REFERENCES orders(id),
  order_item_id text NOT NULL UNIQUE REFERENCES order_items(id),
  variant_id text NOT NULL,
  file_id text NOT NULL REFERENCES files(id),
  link_ttl_ms bigint NOT NULL CHECK (link_ttl_ms > 0),
  max_downloads integer NOT NULL CHECK (max_downloads > 0),
  remaining integer NOT NULL CHECK (remaining >= 0 AND remaining <= max_downloads),
  expires_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  revoked_reason text,
  revoked_at timestamptz,
  issue_count integer NOT NULL DEFAULT 1 CHECK (issue_count > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT digital_deliveries_revoked_has_reason CHECK ((status = 'revoked') = (revoked_at IS NOT NULL AND revoked_reason IS NOT NULL))
);
CREATE INDEX digital_deliveries_order_idx ON digital_deliveries (order_id);

-- Down Migration
DROP TABLE digital_deliveries;
DROP TABLE variant_digital;
DROP TABLE product_images;
DROP TABLE files;
