// Matching a bank-statement line to the order it pays: which order its reference names, and whether the transfer may
// confirm that order's payment or must be left to staff (with the reason).
// Imported by contracts/ and so by workflows: pure code only (no node:crypto here; hashing is in bank-statement-csv.ts).

/** Why a statement line confirmed nothing; each needs a person to look at the transfer. */
export const UNMATCHED_REASONS = [
  'unparsable_line',
  'not_a_credit',
  'no_such_order',
  'not_bank_transfer',
  'order_cancelled',
  'not_awaiting_payment',
  'currency_mismatch',
  'over_payment',
] as const;

/** One of UNMATCHED_REASONS. */
export type UnmatchedReason = (typeof UNMATCHED_REASONS)[number];

/** What a matched line did: paid the order in full, paid part of it, or was applied already by an earlier upload. */
export const MATCHED_OUTCOMES = ['paid', 'partially_paid', 'already_applied'] as const;

/** One of MATCHED_OUTCOMES. */
export type MatchedOutcome = (typeof MATCHED_OUTCOMES)[number];

// Order ids are `ord_` and 32 hex digits (domain/ids.ts); banks drop the underscore or split long memos over lines.
const ORDER_ID_IN_TEXT = /ord_?([0-9a-f]{32})(?![0-9a-f])/g;

/**
 * The order id a transfer's reference quotes: the instructions ask customers to quote the order id, and banks change
 * case, width (full-width Japanese input), spacing and sometimes the underscore. Null when it quotes none, or several
 * different ones (which order the money is for is then for a person to decide). A 32-hex id cannot arise by accident.
 */
export function orderIdOfReference(reference: string): string | null {
  const compact = reference.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
  const ids = new Set([...compact.matchAll(ORDER_ID_IN_TEXT)].map((m) => `ord_${m[1]}`));
  return ids.size === 1 ? [...ids][0] : null;
}

/** The order a line names, as matching needs it (null: the store has no such order). */
export type OrderToPay = {
  id: string;
  status: string;
  paymentMethod: string;
  /** The bank-transfer payment (null for orders paid otherwise). */
  payment: { amount: number; currency: string; received: number } | null;
};

/** A readable statement line (amount in minor units; negative amounts are debits). */
export type LineToMatch = { amount: number; currency: string };

/** What to do with a line: send the confirmation, or record it as matched (already applied) or unmatched. */
export type LineVerdict =
  | { kind: 'confirm'; orderId: string }
  | { kind: 'matched'; orderId: string; outcome: MatchedOutcome }
  | { kind: 'unmatched'; reason: UnmatchedReason; detail: string; orderId: string | null };

/**
 * Decides a line before any confirmation is sent. `receipt` is the payment receipt already recorded under the line's
 * key: by this statement (a retried step: the outcome follows the payment) or by an earlier one (already applied).
 */
export function statementLineVerdict(line: LineToMatch, order: OrderToPay | null, receipt: { byThisStatement: boolean } | null): LineVerdict {
  const unmatched = (reason: UnmatchedReason, detail: string, orderId: string | null = order?.id ?? null): LineVerdict => ({
    kind: 'unmatched',
    reason,
    detail,
    orderId,
  });
  if (line.amount <= 0) return unmatched('not_a_credit', 'a debit or zero amount pays no order', null);
  if (!order) return unmatched('no_such_order', 'the reference names no order of this store', null);
  if (receipt) {
    if (!receipt.byThisStatement) return { kind: 'matched', orderId: order.id, outcome: 'already_applied' };
    const paid = order.payment !== null && order.payment.received >= order.payment.amount;
    return { kind: 'matched', orderId: order.id, outcome: paid ? 'paid' : 'partially_paid' };
  }
  if (order.paymentMethod !== 'bank_transfer' || !order.payment)
    return unmatched('not_bank_transfer', `the order is paid by ${order.paymentMethod}, not bank transfer`);
  if (order.status === 'cancelled') return unmatched('order_cancelled', 'the order was cancelled; pay the transfer back by hand');
  if (order.status !== 'pending_payment') return unmatched('not_awaiting_payment', `the order is ${order.status}, no longer awaiting payment`);
  if (line.currency !== order.payment.currency)
    return unmatched('currency_mismatch', `the transfer is in ${line.currency}, the order in ${order.payment.currency}`);
  const owed = order.payment.amount - order.payment.received;
  if (line.amount > owed) return unmatched('over_payment', `${line.amount} received for ${owed} still owed`);
  return { kind: 'confirm', orderId: order.id };
}
