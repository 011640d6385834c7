-- Up Migration
-- Issue 18 scope 3: bank statements uploaded by staff are matched to pending bank-transfer orders by a workflow.
-- Writer of bank_statements and bank_statement_lines: db/queries/bank-statements.ts.

-- The uploaded CSV is kept here (never in a workflow history); the workflow gets the id only.
CREATE TABLE bank_statements (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed')),
  content text NOT NULL,
  line_count integer NOT NULL CHECK (line_count > 0),
  uploaded_by_key_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  CONSTRAINT bank_statements_completed_at CHECK ((status = 'completed') = (completed_at IS NOT NULL))
);
CREATE INDEX bank_statements_tenant_idx ON bank_statements (tenant_id, created_at DESC);

-- One row per CSV data line (line = the line number in the file, header is line 1). `line_key` identifies the bank
-- transaction across uploads (tenant, date, amount, currency, reference, payer, occurrence): the payment receipt is
-- recorded under it, so a re-uploaded or overlapping statement never counts the same money twice.
-- `outcome` is null until the line was applied: matched lines name their order, unmatched ones a reason.
CREATE TABLE bank_statement_lines (
  statement_id text NOT NULL REFERENCES bank_statements(id),
  line integer NOT NULL CHECK (line > 1),
  tenant_id text NOT NULL REFERENCES tenants(id),
  line_key text,
  booked_on date,
  amount bigint,
  currency char(3),
  reference text NOT NULL,
  payer text NOT NULL,
  parse_error text,
  outcome text CHECK (outcome IN ('paid', 'partially_paid', 'already_applied', 'unmatched')),
  order_id text,
  reason text,
  detail text,
  applied_at timestamptz,
  PRIMARY KEY (statement_id, line),
  CONSTRAINT bank_statement_lines_parsed CHECK ((parse_error IS NULL) = (line_key IS NOT NULL AND amount IS NOT NULL AND currency IS NOT NULL AND booked_on IS NOT NULL)),
  CONSTRAINT bank_statement_lines_outcome CHECK (
    outcome IS NULL
    OR (outcome = 'unmatched' AND reason IS NOT NULL)
    OR (outcome <> 'unmatched' AND order_id IS NOT NULL AND reason IS NULL))
);
CREATE INDEX bank_statement_lines_order_idx ON bank_statement_lines (tenant_id, order_id) WHERE order_id IS NOT NULL;

-- Down Migration
DROP TABLE bank_statement_lines, bank_statements;
