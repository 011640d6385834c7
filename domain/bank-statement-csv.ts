// Reading a bank statement CSV (columns date,amount,currency,reference,payer): the file's shape is checked as a whole
// (a malformed file is refused), each data line is read on its own (a bad line is reported, the others still count).
import { createHash } from 'node:crypto';
import { CsvError, parse } from 'csv-parse/sync';
import { ValidationError } from './errors.ts';

/** The id of an upload sent with an Idempotency-Key: the same key of the same store names the same statement. */
export function bankStatementIdOf(tenantId: string, idempotencyKey: string): string {
  return `bst_${createHash('sha256').update(`bank-statement\0${tenantId}\0${idempotencyKey}`).digest('hex').slice(0, 32)}`;
}

/** The columns a statement must have (any order, any case; extra columns are ignored). */
export const STATEMENT_COLUMNS = ['date', 'amount', 'currency', 'reference', 'payer'] as const;

/** Most data lines one statement may hold (a month of transfers of a busy store fits many times over). */
export const MAX_STATEMENT_LINES = 10_000;

const MAX_TEXT = 500;
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** One data line of a statement: where it is in the file, what it says, and either its values or why they cannot be read. */
export type StatementLine = { line: number; reference: string; payer: string } & (
  { ok: true; bookedOn: string; amount: number; currency: string; key: string } | { ok: false; error: string }
);

/** Digits after the decimal point in amounts of `currency` as banks print them (JPY 0, USD 2, KWD 3). */
export function currencyDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * An amount as a bank prints it, in major units ("1,500", "-12.30", "+3000"), to integer minor units of `currency`;
 * null when it is not a number or has more decimals than the currency has.
 */
export function parseStatementAmount(text: string, currency: string): number | null {
  const m = /^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return null;
  const digits = currencyDigits(currency);
  const fraction = m[3] ?? '';
  if (fraction.length > digits) return null;
  const minor = Number(m[2].replaceAll(',', '') + fraction.padEnd(digits, '0'));
  if (!Number.isSafeInteger(minor)) return null;
  return m[1] === '-' ? -minor : minor;
}

/** A booking date `YYYY-MM-DD` or `YYYY/MM/DD` as `YYYY-MM-DD`; null when it is no calendar date. */
export function parseStatementDate(text: string): string | null {
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(text.trim());
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

/** The same text however the bank spaced or cased it (full-width characters folded by NFKC). */
export function normalizeStatementText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * The key of a bank transaction, the same in every statement that lists it: the tenant, the line's values and how many
 * identical lines came before it in its statement (two equal transfers on one day are two payments).
 */
export function statementLineKey(
  tenantId: string,
  v: { bookedOn: string; amount: number; currency: string; reference: string; payer: string },
  occurrence: number,
) {
  const parts = [tenantId, v.bookedOn, String(v.amount), v.currency, normalizeStatementText(v.reference), normalizeStatementText(v.payer), String(occurrence)];
  return `stmt:${createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 40)}`;
}

/** The data records of a statement with their line numbers, or ValidationError when the file is not a statement CSV. */
function readRecords(content: string): { line: number; fields: Record<(typeof STATEMENT_COLUMNS)[number], string> }[] {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(content.replace(/\r\n?/g, '\n'), { bom: true, info: true, skip_empty_lines: true }) as unknown as typeof rows;
  } catch (err) {
    if (err instanceof CsvError) throw new ValidationError(`the statement is not valid CSV: ${err.message}`, { field: 'content' });
    throw err;
  }
  const [header, ...data] = rows;
  if (!header) throw new ValidationError('the statement is empty', { field: 'content' });
  const names = header.record.map((h) => h.trim().toLowerCase());
  const missing = STATEMENT_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length)
    throw new ValidationError(`the statement's header lacks ${missing.join(', ')} (columns: ${STATEMENT_COLUMNS.join(',')})`, { field: 'content' });
  if (data.length === 0) throw new ValidationError('the statement has a header but no lines', { field: 'content' });
  if (data.length > MAX_STATEMENT_LINES)
    throw new ValidationError(`a statement holds at most ${MAX_STATEMENT_LINES} lines; split the file`, { field: 'content' });
  const at = Object.fromEntries(STATEMENT_COLUMNS.map((c) => [c, names.indexOf(c)])) as Record<(typeof STATEMENT_COLUMNS)[number], number>;
  return data.map(({ record, info }) => {
    // info.lines is the line the record ends on; a quoted field may span lines.
    const inner = record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
    const fields = Object.fromEntries(STATEMENT_COLUMNS.map((c) => [c, record[at[c]] ?? ''])) as Record<(typeof STATEMENT_COLUMNS)[number], string>;
    return { line: info.lines - inner, fields };
  });
}

/** Checks that `content` is a statement CSV (throws ValidationError otherwise) and returns how many data lines it has. */
export function countStatementLines(content: string): number {
  return readRecords(content).length;
}

/** Every data line of a statement of `tenantId`, each read or explained; ValidationError when the file is malformed. */
export function parseBankStatement(content: string, tenantId: string): StatementLine[] {
  const seen = new Map<string, number>();
  return readRecords(content).map(({ line, fields }) => {
    const reference = fields.reference.trim().slice(0, MAX_TEXT);
    const payer = fields.payer.trim().slice(0, MAX_TEXT);
    const fail = (error: string): StatementLine => ({ line, reference, payer, ok: false, error });
    const bookedOn = parseStatementDate(fields.date);
    if (!bookedOn) return fail(`date "${fields.date.slice(0, 40)}" is not YYYY-MM-DD`);
    const currency = fields.currency.trim().toUpperCase();
    if (!CURRENCIES.has(currency)) return fail(`currency "${fields.currency.slice(0, 40)}" is not an ISO 4217 code`);
    const amount = parseStatementAmount(fields.amount, currency);
    if (amount === null) return fail(`amount "${fields.amount.slice(0, 40)}" is not an amount of ${currency} (at most ${currencyDigits(currency)} decimals)`);
    const values = { bookedOn, amount, currency, reference, payer };
    const identity = statementLineKey(tenantId, values, 0);
    const occurrence = seen.get(identity) ?? 0;
    seen.set(identity, occurrence + 1);
    return { line, reference, payer, ok: true, bookedOn, amount, currency, key: statementLineKey(tenantId, values, occurrence) };
  });
}
