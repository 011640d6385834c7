// Bank statements: reading the CSV (whole-file refusals, per-line errors, line numbers, keys) and matching rules.
import { countStatementLines, parseBankStatement, parseStatementAmount, parseStatementDate } from '../../domain/bank-statement-csv.ts';
import { orderIdOfReference, statementLineVerdict, type OrderToPay } from '../../domain/bank-statements.ts';
import { ValidationError } from '../../domain/errors.ts';

const ORDER = 'ord_0123456789abcdef0123456789abcdef';
const HEADER = 'date,amount,currency,reference,payer';

/** A statement CSV from data lines (header first). */
const buildCsv = (...lines: string[]) => [HEADER, ...lines].join('\n');

/** An order awaiting a bank transfer; fields overridable. */
function buildOrder(overrides: Partial<OrderToPay> & { amount?: number; received?: number; currency?: string } = {}): OrderToPay {
  const { amount = 3000, received = 0, currency = 'JPY', ...rest } = overrides;
  return { id: ORDER, status: 'pending_payment', paymentMethod: 'bank_transfer', payment: { amount, currency, received }, ...rest };
}

describe('reading a statement', () => {
  test('when the file is not CSV, lacks a column, or has no lines, then it is refused as a whole with validation_failed', () => {
    for (const content of [
      'date,amount\n"unclosed,1',
      'date,amount,currency,reference\n2025-01-01,1,JPY,x',
      HEADER,
      '',
      buildCsv('2025-01-01,1,JPY,x,y,extra'),
    ]) {
      expect(() => countStatementLines(content)).toThrow(ValidationError);
    }
  });

  test('when columns come in another order and case with a BOM and CRLF, then each line keeps its file line number', () => {
    const csv = '\uFEFFPayer,Reference,Currency,Amount,Date\r\nYAMADA,ref-a,jpy,"1,500",2025/01/31\r\n\r\nSATO,ref-b,JPY,700,2025-02-01\r\n';
    const lines = parseBankStatement(csv, 'ten_1');
    expect(lines).toEqual([
      expect.objectContaining({ line: 2, ok: true, bookedOn: '2025-01-31', amount: 1500, currency: 'JPY', reference: 'ref-a', payer: 'YAMADA' }),
      expect.objectContaining({ line: 4, ok: true, amount: 700, reference: 'ref-b' }),
    ]);
  });

  test('when a line has a bad date, currency or amount, then that line alone carries an error and the others read', () => {
    const lines = parseBankStatement(buildCsv('2025-02-30,100,JPY,a,p', '2025-01-01,100,XXX,b,p', '2025-01-01,12.5,JPY,c,p', '2025-01-01,100,JPY,d,p'), 't');
    expect(lines.map((l) => [l.line, l.ok])).toEqual([
      [2, false],
      [3, false],
      [4, false],
      [5, true],
    ]);
    expect(lines[2]).toMatchObject({ error: expect.stringContaining('at most 0 decimals') });
  });

  test('when amounts are printed in major units, then they become minor units of their currency', () => {
    expect(parseStatementAmount('1,234,567', 'JPY')).toBe(1234567);
    expect(parseStatementAmount('12.3', 'USD')).toBe(1230);
    expect(parseStatementAmount('-5.00', 'USD')).toBe(-500);
    expect(parseStatementAmount('1.5', 'JPY')).toBeNull();
    expect(parseStatementAmount('1,23', 'JPY')).toBeNull();
    expect(parseStatementAmount('12e3', 'JPY')).toBeNull();
    expect(parseStatementDate('2024-02-29')).toBe('2024-02-29');
    expect(parseStatementDate('2025-02-29')).toBeNull();
  });

  test('when the same transfer is listed twice in a file, then the two lines get different keys, and a re-upload the same keys', () => {
    const csv = buildCsv(`2025-01-01,500,JPY,${ORDER},YAMADA`, `2025-01-01,500,JPY,${ORDER},YAMADA`);
    const [first, second] = parseBankStatement(csv, 'ten_1');
    const again = parseBankStatement(csv.replace('YAMADA', ' yamada '), 'ten_1');
    expect(first.ok && second.ok && first.key !== second.key).toBe(true);
    expect(again.map((l) => l.ok && l.key)).toEqual([first, second].map((l) => l.ok && l.key));
    expect(parseBankStatement(csv, 'ten_2')[0]).not.toMatchObject({ key: first.ok ? first.key : '' });
  });
});

describe('matching a line to its order', () => {
  test('when the reference quotes the order id with other case, width, spacing or no underscore, then it names the order', () => {
    const hex = ORDER.slice(4);
    for (const ref of [
      ORDER,
      ` ${ORDER.toUpperCase()} `,
      `Payment for ${ORDER}`,
      `ORD${hex.toUpperCase()}`,
      `ord_${hex.slice(0, 16)} ${hex.slice(16)}`,
      'ＯＲＤ＿' + hex,
    ]) {
      expect(orderIdOfReference(ref)).toBe(ORDER);
    }
    expect(orderIdOfReference(`${ORDER}0`)).toBeNull();
    expect(orderIdOfReference(ORDER.slice(0, 30))).toBeNull();
    expect(orderIdOfReference(`${ORDER} ord_ffffffffffffffffffffffffffffffff`)).toBeNull();
  });

  test('when a credit fits what the order still owes, then it confirms; a debit, an unknown order, a card order never do', () => {
    expect(statementLineVerdict({ amount: 3000, currency: 'JPY' }, buildOrder(), null)).toEqual({ kind: 'confirm', orderId: ORDER });
    expect(statementLineVerdict({ amount: 1000, currency: 'JPY' }, buildOrder({ received: 2000 }), null)).toEqual({ kind: 'confirm', orderId: ORDER });
    expect(statementLineVerdict({ amount: -3000, currency: 'JPY' }, buildOrder(), null)).toMatchObject({ reason: 'not_a_credit' });
    expect(statementLineVerdict({ amount: 3000, currency: 'JPY' }, null, null)).toMatchObject({ reason: 'no_such_order' });
    expect(statementLineVerdict({ amount: 3000, currency: 'JPY' }, buildOrder({ paymentMethod: 'card', payment: null }), null)).toMatchObject({
      reason: 'not_bank_transfer',
    });
  });

  test('when the order is cancelled, paid, in another currency or owes less, then the line is unmatched with that reason', () => {
    const line = { amount: 3000, currency: 'JPY' };
    expect(statementLineVerdict(line, buildOrder({ status: 'cancelled' }), null)).toMatchObject({ reason: 'order_cancelled', orderId: ORDER });
    expect(statementLineVerdict(line, buildOrder({ status: 'pending_shipment' }), null)).toMatchObject({ reason: 'not_awaiting_payment' });
    expect(statementLineVerdict(line, buildOrder({ currency: 'USD' }), null)).toMatchObject({ reason: 'currency_mismatch' });
    expect(statementLineVerdict(line, buildOrder({ received: 1 }), null)).toMatchObject({ reason: 'over_payment' });
  });

  test('when a receipt exists under the line key, then it is already applied, or (this statement, retried) follows the payment', () => {
    const line = { amount: 1000, currency: 'JPY' };
    const paid = buildOrder({ status: 'pending_shipment', received: 3000 });
    expect(statementLineVerdict(line, paid, { byThisStatement: false })).toEqual({ kind: 'matched', orderId: ORDER, outcome: 'already_applied' });
    expect(statementLineVerdict(line, paid, { byThisStatement: true })).toEqual({ kind: 'matched', orderId: ORDER, outcome: 'paid' });
    expect(statementLineVerdict(line, buildOrder({ received: 1000 }), { byThisStatement: true })).toMatchObject({ outcome: 'partially_paid' });
  });
});
