// Group buying: the pure rules of a campaign (what may be created, who may join, how it ends).
import { ValidationError, DomainError } from './errors.ts';
import { priceCart, type TaxLine } from './pricing.ts';

/** Where a campaign stands: `open` takes joins; `closing` settles the joins in flight; then it ends one way or the other. */
export type GroupBuyStatus = 'open' | 'closing' | 'succeeded' | 'failed';

/**
 * Most participants one campaign takes: each join and each order adds events to the campaign's workflow history, which
 * Temporal keeps below 50,000 events; 500 participants stay far below it.
 */
export const MAX_GROUP_SIZE = 500;

/** The gateway would let an authorization lapse before the campaign ends (422): the message names the limit. */
export class AuthorizationWindowError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('authorization_window_exceeded', message, details);
  }
}

/** A campaign as asked for by the back office. */
export type GroupBuyTerms = { minParticipants: number; maxParticipants: number | null; endsAtMs: number };

/**
 * Refuses terms that cannot work: a deadline in the past, a campaign longer than the card gateway keeps an authorization
 * (every join's authorization must still be valid when the campaign turns it into an order), bounds out of order.
 */
export function checkGroupBuyTerms(terms: GroupBuyTerms, nowMs: number, authorizationValidityMs: number): void {
  if (terms.endsAtMs <= nowMs) throw new ValidationError('ends_at must be in the future');
  if (terms.maxParticipants !== null && terms.maxParticipants < terms.minParticipants)
    throw new ValidationError('max_participants must be at least min_participants');
  if ((terms.maxParticipants ?? terms.minParticipants) > MAX_GROUP_SIZE || terms.minParticipants > MAX_GROUP_SIZE)
    throw new ValidationError(`a campaign takes at most ${MAX_GROUP_SIZE} participants`);
  const latest = nowMs + authorizationValidityMs;
  if (terms.endsAtMs > latest)
    throw new AuthorizationWindowError(
      `ends_at is beyond the card authorization lifetime of ${Math.floor(authorizationValidityMs / 3_600_000)} h (CARD_AUTHORIZATION_VALIDITY): ` +
        `a campaign created now must end by ${new Date(latest).toISOString()}`,
      { latest_ends_at: new Date(latest).toISOString(), authorization_validity_ms: authorizationValidityMs },
    );
}

/** Who is in the campaign as the workflow counts them: joined, or joining (their unit and card are being taken). */
export type Roster = { joined: number; joining: number; emails: ReadonlySet<string> };

/** Why a join is refused before anything is held or charged (a 409 `conflict` message), or null when it may go ahead. */
export function joinRefusal(status: GroupBuyStatus, roster: Roster, maxParticipants: number | null, email: string): string | null {
  if (status !== 'open') return `the group buy is ${status === 'closing' ? 'closing' : 'closed'}; it takes no more participants`;
  const limit = maxParticipants ?? MAX_GROUP_SIZE;
  if (roster.joined + roster.joining >= limit) return `the group buy is full (${limit} participants)`;
  if (roster.emails.has(normalEmail(email))) return `${email} has already joined this group buy`;
  return null;
}

/** The e-mail as participations are told apart (case does not make another person). */
export function normalEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** True once no more may join: the maximum joined (the campaign then closes before its deadline). */
export function isFull(joined: number, maxParticipants: number | null): boolean {
  return joined >= (maxParticipants ?? MAX_GROUP_SIZE);
}

/** How the campaign ends once the joins in flight have settled. */
export function groupBuyOutcome(joined: number, minParticipants: number): 'succeeded' | 'failed' {
  return joined >= minParticipants ? 'succeeded' : 'failed';
}

/**
 * What one participation's order costs: the campaign price is the whole charge (tax included, no shipping, no codes),
 * so the order total is exactly the amount authorized at the join. Tax is the consumption tax contained in it.
 */
export function participationPricing(price: number, taxRateBps: number): { total: number; taxBreakdown: TaxLine[]; taxTotal: number } {
  const priced = priceCart({
    lines: [{ key: 'unit', unitPrice: price, quantity: 1, taxRateBps, vendorId: null, physical: true }],
    discounts: [],
    shipping: [],
    pricesIncludeTax: true,
    cashOnDelivery: false,
  });
  return { total: priced.total, taxBreakdown: priced.taxBreakdown, taxTotal: priced.taxTotal };
}
