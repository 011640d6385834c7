// Vendor payouts (mall mode): commission and net of a vendor's sales, in integer minor units. No I/O.

/** Payout line status: owed to the vendor, then paid out by the back office. */
export const PAYOUT_STATUSES = ['pending', 'paid'] as const;

/** Vendor status: suspended vendors keep their data and payouts. */
export const VENDOR_STATUSES = ['active', 'suspended'] as const;
export type VendorStatus = (typeof VENDOR_STATUSES)[number];

/** Basis points in 100 %. */
export const BPS_SCALE = 10_000;

/** What a vendor's sales split into: `commission + net === gross`, always. */
export type PayoutLine = { gross: number; commission: number; net: number };

/**
 * The platform's commission on `gross` minor units at `bps` basis points.
 *
 * Rounding rule: round half up on the exact product, integer arithmetic only —
 * `commission = floor((gross × bps + 5000) / 10000)`. Half a minor unit goes to the platform
 * (5 JPY at 10 % → 1; 15 JPY at 10 % → 2); anything below half goes to the vendor. The quotient is
 * taken with an exact remainder (no float division); when `gross × bps` exceeds 2^53 the same
 * formula runs in BigInt, so the rule holds for every safe amount. Never rounds per item: it is
 * applied once to a vendor's gross of one order.
 */
export function commissionFor(gross: number, bps: number): number {
  if (!Number.isSafeInteger(gross) || gross < 0) throw new RangeError(`gross must be a non-negative safe integer of minor units, got ${gross}`);
  if (!Number.isInteger(bps) || bps < 0 || bps > BPS_SCALE)
    throw new RangeError(`commission rate must be an integer of basis points in 0..${BPS_SCALE}, got ${bps}`);
  const scaled = gross * bps + BPS_SCALE / 2;
  if (Number.isSafeInteger(scaled)) return (scaled - (scaled % BPS_SCALE)) / BPS_SCALE;
  return Number((BigInt(gross) * BigInt(bps) + BigInt(BPS_SCALE / 2)) / BigInt(BPS_SCALE));
}

/** Splits a vendor's gross into commission (by `commissionFor`) and net = gross − commission. */
export function payoutLine(gross: number, bps: number): PayoutLine {
  const commission = commissionFor(gross, bps);
  return { gross, commission, net: gross - commission };
}

/** What a payout line is for: a sale owes the vendor, a refund takes its share back (negative amounts). */
export const PAYOUT_KINDS = ['sale', 'refund'] as const;

/**
 * Splits a refund of `amount` over an order of `orderTotal` whose vendors sold `grosses` (the rest of the total, e.g.
 * shipping, is the platform's): each vendor's share is proportional to its gross, by the largest remainder (the rest's
 * part included), so the shares never exceed the grosses and a full refund returns each gross exactly.
 */
export function refundShares(amount: number, grosses: number[], orderTotal: number): number[] {
  const rest = Math.max(0, orderTotal - grosses.reduce((a, b) => a + b, 0));
  const weights = [...grosses, rest].map(BigInt);
  const total = weights.reduce((a, b) => a + b, 0n);
  if (total === 0n || amount <= 0) return grosses.map(() => 0);
  const capped = BigInt(Math.min(amount, orderTotal));
  const exact = weights.map((w) => ({ floor: (capped * w) / total, remainder: (capped * w) % total }));
  let left = capped - exact.reduce((a, e) => a + e.floor, 0n);
  const order = exact.map((_, i) => i).sort((a, b) => (exact[b].remainder > exact[a].remainder ? 1 : exact[b].remainder < exact[a].remainder ? -1 : a - b));
  const shares = exact.map((e) => e.floor);
  for (const i of order) {
    if (left === 0n) break;
    shares[i] += 1n;
    left -= 1n;
  }
  return shares.slice(0, grosses.length).map(Number);
}

/** A refund's line for one vendor: the negated split of its share (commission returned at the sale's rate). */
export function refundLine(share: number, bps: number): PayoutLine {
  const { gross, commission, net } = payoutLine(share, bps);
  return { gross: -gross, commission: -commission, net: -net };
}
