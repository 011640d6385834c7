// SQL owned by the built-in test card gateway's own tables (test_gateway_cards, test_gateway_ledger).
import { z } from 'zod';
import type { CommonQueryMethods } from 'slonik';
import { countRow, noRows, sql } from '../sql.ts';

const ledgerRow = z.object({
  id: z.string(),
  operation: z.string(),
  card_id: z.string().nullable(),
  parent_id: z.string().nullable(),
  amount: z.number(),
  outcome: z.enum(['succeeded', 'declined']),
  decline_code: z.string().nullable(),
});
/** One operation the test gateway recorded. */
export type LedgerRow = z.infer<typeof ledgerRow>;
const ledgerColumns = sql.fragment`id, operation, card_id, parent_id, amount, outcome, decline_code`;
const cardRow = z.object({ id: z.string(), token: z.string() });
const sumRow = z.object({ total: z.number() });

/** A ledger entry to record under its idempotency key. */
export type NewLedgerEntry = {
  id: string;
  idempotencyKey: string;
  fingerprint: string;
  operation: string;
  cardId: string | null;
  parentId: string | null;
  reference: string | null;
  amount: number;
  currency: string | null;
  outcome: 'succeeded' | 'declined';
  declineCode: string | null;
};

/** Stores a new test card under its token. */
export async function insertCard(tx: CommonQueryMethods, id: string, token: string): Promise<void> {
  await tx.query(sql.type(noRows)`INSERT INTO test_gateway_cards (id, token) VALUES (${id}, ${token})`);
}

/** The token a stored card was made from (null: no such card). */
export async function cardToken(db: CommonQueryMethods, cardRef: string): Promise<string | null> {
  const card = await db.maybeOne(sql.type(cardRow)`SELECT id, token FROM test_gateway_cards WHERE id = ${cardRef}`);
  return card?.token ?? null;
}

/** Locks a stored card, so its charges are decided one at a time. */
export async function lockCard(tx: CommonQueryMethods, cardRef: string): Promise<void> {
  await tx.one(sql.type(cardRow)`SELECT id, token FROM test_gateway_cards WHERE id = ${cardRef} FOR UPDATE`);
}

/** How many times a card was authorized or charged before. */
export async function countCardPayments(tx: CommonQueryMethods, cardRef: string): Promise<number> {
  return (
    await tx.one(sql.type(countRow)`
    SELECT count(*)::int AS n FROM test_gateway_ledger WHERE card_id = ${cardRef} AND operation IN ('authorize', 'charge')`)
  ).n;
}

/** How many charges of one bill (reference) a card has seen. */
export async function countBillCharges(tx: CommonQueryMethods, cardRef: string, reference: string): Promise<number> {
  return (
    await tx.one(sql.type(countRow)`
    SELECT count(*)::int AS n FROM test_gateway_ledger WHERE card_id = ${cardRef} AND operation = 'charge' AND reference = ${reference}`)
  ).n;
}

/** How many operations of a kind were made on an authorization (succeeded ones only, unless `includeRefused`). */
export async function countChildren(tx: CommonQueryMethods, parentId: string, operation: string, includeRefused = false): Promise<number> {
  return (
    await tx.one(sql.type(countRow)`
    SELECT count(*)::int AS n FROM test_gateway_ledger WHERE parent_id = ${parentId} AND operation = ${operation}
      ${includeRefused ? sql.fragment`` : sql.fragment`AND outcome = 'succeeded'`}`)
  ).n;
}

/** The amount moved by the operations of a kind on an authorization. */
export async function sumChildren(tx: CommonQueryMethods, parentId: string, operation: string): Promise<number> {
  return (
    await tx.one(
      sql.type(
        sumRow,
      )`SELECT COALESCE(sum(amount), 0)::bigint AS total FROM test_gateway_ledger WHERE parent_id = ${parentId} AND operation = ${operation} AND outcome = 'succeeded'`,
    )
  ).total;
}

/** One ledger entry by id (null: none). */
export async function findLedgerEntry(db: CommonQueryMethods, id: string): Promise<LedgerRow | null> {
  return db.maybeOne(sql.type(ledgerRow)`SELECT ${ledgerColumns} FROM test_gateway_ledger WHERE id = ${id}`);
}

/** Locks a ledger entry (an authorization being captured, voided or refunded). */
export async function lockLedgerEntry(tx: CommonQueryMethods, id: string): Promise<void> {
  await tx.query(sql.type(noRows)`SELECT 1 FROM test_gateway_ledger WHERE id = ${id} FOR UPDATE`);
}

/** Serialises concurrent requests with one idempotency key until the transaction ends. */
export async function lockIdempotencyKey(tx: CommonQueryMethods, key: string): Promise<void> {
  await tx.query(sql.type(noRows)`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`);
}

/** The entry recorded under an idempotency key, with the fingerprint of the request that made it (null: none). */
export async function findByIdempotencyKey(tx: CommonQueryMethods, key: string): Promise<(LedgerRow & { request_fingerprint: string }) | null> {
  return tx.maybeOne(sql.type(ledgerRow.extend({ request_fingerprint: z.string() }))`
    SELECT ${ledgerColumns}, request_fingerprint FROM test_gateway_ledger WHERE idempotency_key = ${key}`);
}

/** Records a ledger entry and returns it. */
export async function insertLedgerEntry(tx: CommonQueryMethods, e: NewLedgerEntry): Promise<LedgerRow> {
  return tx.one(sql.type(ledgerRow)`
    INSERT INTO test_gateway_ledger (id, idempotency_key, request_fingerprint, operation, card_id, parent_id, reference, amount, currency, outcome, decline_code)
    VALUES (${e.id}, ${e.idempotencyKey}, ${e.fingerprint}, ${e.operation}, ${e.cardId}, ${e.parentId}, ${e.reference}, ${e.amount}, ${e.currency}, ${e.outcome}, ${e.declineCode})
    RETURNING ${ledgerColumns}`);
}

/** Ledger entries, oldest first, optionally of one card or one reference (what the gateway's dashboard would show). */
export async function ledgerEntries(db: CommonQueryMethods, filter: { cardRef?: string; reference?: string }): Promise<LedgerRow[]> {
  return [
    ...(await db.any(sql.type(ledgerRow)`
    SELECT ${ledgerColumns} FROM test_gateway_ledger
    WHERE (${filter.cardRef ?? null}::text IS NULL OR card_id = ${filter.cardRef ?? null})
      AND (${filter.reference ?? null}::text IS NULL OR reference = ${filter.reference ?? null})
    ORDER BY created_at, id`)),
  ];
}
