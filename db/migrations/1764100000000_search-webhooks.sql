-- Up Migration
-- levenshtein_less_equal() narrows the typo candidates of a query word (providers/search/postgres.ts).
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;

-- The PostgreSQL search backend's index: one document per published product, written only by the outbox relay
-- (and the reindex workflow), never by the API, so storefront search follows catalog events like any index would.
CREATE TABLE search_documents (
  tenant_id text NOT NULL REFERENCES tenants(id),
  product_id text NOT NULL,
  title text NOT NULL,
  -- Lower-cased, NFKC-normalised title, description and SKUs: substring matching (Japanese has no word breaks).
  search_text text NOT NULL,
  -- Title terms weigh A, the rest B; lexemes are built by the indexer (providers/search/text.ts), not by a parser.
  tsv tsvector NOT NULL,
  vendor_id text,
  category_ids text[] NOT NULL DEFAULT '{}',
  category_handles text[] NOT NULL DEFAULT '{}',
  price_min bigint,
  price_max bigint,
  in_stock boolean NOT NULL,
  product_created_at timestamptz NOT NULL,
  -- The hit as the storefront receives it (the product list shape).
  doc jsonb NOT NULL,
  indexed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (tenant_id, product_id)
);
CREATE INDEX search_documents_tsv_idx ON search_documents USING gin (tsv);
CREATE INDEX search_documents_text_trgm_idx ON search_documents USING gin (search_text gin_trgm_ops);
CREATE INDEX search_documents_price_idx ON search_documents (tenant_id, price_min, product_id);
CREATE INDEX search_documents_newest_idx ON search_documents (tenant_id, product_created_at DESC, product_id);

-- Every term the index has seen per tenant: a misspelt query word is expanded to the known terms within its typo
-- budget. Terms of deleted products stay (they only widen a query by a word that matches nothing).
CREATE TABLE search_terms (
  tenant_id text NOT NULL REFERENCES tenants(id),
  -- C collation: the primary key's btree then serves `term LIKE 'pre%'` (search-as-you-type completions).
  term text COLLATE "C" NOT NULL,
  PRIMARY KEY (tenant_id, term)
);
CREATE INDEX search_terms_length_idx ON search_terms (tenant_id, char_length(term));
-- Typo candidates with a one-typo budget share the query word's first character (a first-character typo costs two).
CREATE INDEX search_terms_first_char_idx ON search_terms (tenant_id, left(term, 1), char_length(term));

CREATE TABLE webhooks (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  url text NOT NULL,
  events text[] NOT NULL,
  -- AES-256-GCM under WEBHOOK_SECRET_KEY: signing needs the secret itself, so a hash would not do.
  secret_ciphertext text NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_tenant_idx ON webhooks (tenant_id, created_at DESC, id DESC);

-- One row per (webhook, event), written by the delivery activity on every attempt.
CREATE TABLE webhook_deliveries (
  webhook_id text NOT NULL REFERENCES webhooks(id),
  event_id text NOT NULL,
  tenant_id text NOT NULL REFERENCES tenants(id),
  event_type text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  last_status integer,
  last_error text,
  delivered_at timestamptz,
  -- Set when the retry policy ran out (WEBHOOK_RETRY_FOR) or the URL became undeliverable: no attempt follows.
  gave_up_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_list_idx ON webhook_deliveries (webhook_id, created_at DESC, event_id DESC);

-- Down Migration
DROP TABLE webhook_deliveries, webhooks, search_terms, search_documents;
