-- Up Migration
-- Issue 18 scopes 1 and 2: CSV product imports run as the `productImport` workflow; exports are recorded requests whose
-- download streams live. Writers: imports, import_rows — imports.ts; exports — exports.ts.

-- One uploaded file. The CSV lives here (never in a workflow history); the workflow gets only the id. Counters are the
-- progress the back office reads; they move in the same transaction as the rows they count.
CREATE TABLE imports (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  kind text NOT NULL CHECK (kind IN ('products')),
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed')),
  content bytea NOT NULL,
  rows integer,
  processed integer NOT NULL DEFAULT 0,
  created integer NOT NULL DEFAULT 0,
  updated integer NOT NULL DEFAULT 0,
  failed integer NOT NULL DEFAULT 0,
  error text,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  CONSTRAINT imports_counts CHECK (processed >= 0 AND processed = created + updated + failed AND (rows IS NULL OR processed <= rows))
);
CREATE INDEX imports_tenant_idx ON imports (tenant_id, created_at DESC);

-- The file parsed once into numbered rows (`seq` 0.. in file order, `line` the CSV line a spreadsheet shows). A row
-- gets its outcome in the transaction that applies it, so a retried chunk skips what is done.
CREATE TABLE import_rows (
  import_id text NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
  seq integer NOT NULL,
  line integer NOT NULL,
  data jsonb NOT NULL,
  errors jsonb,
  outcome text CHECK (outcome IN ('created', 'updated', 'failed')),
  variant_id text,
  PRIMARY KEY (import_id, seq)
);
CREATE INDEX import_rows_failed_idx ON import_rows (import_id, line) WHERE outcome = 'failed';

-- A recorded export request: what (kind, date range) and who. The CSV is streamed from the database when downloaded.
CREATE TABLE exports (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  kind text NOT NULL CHECK (kind IN ('orders', 'products', 'payouts')),
  range_from timestamptz,
  range_to timestamptz NOT NULL,
  created_by text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX exports_tenant_idx ON exports (tenant_id, created_at DESC);
-- Exports of payouts walk a tenant's lines by creation time (orders have orders_tenant_created_idx).
CREATE INDEX payouts_tenant_created_idx ON payouts (tenant_id, created_at, id);

-- Down Migration
DROP INDEX payouts_tenant_created_idx;
DROP TABLE exports;
DROP TABLE import_rows;
DROP TABLE imports;
