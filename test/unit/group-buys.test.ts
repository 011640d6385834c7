// Pure rules of group buying: campaign terms, join refusals, the outcome, the price of a participation's order.
import { checkGroupBuyTerms, groupBuyOutcome, isFull, joinRefusal, MAX_GROUP_SIZE, participationPricing } from '../../domain/group-buys.ts';
import { participationIds } from '../../domain/ids.ts';

const DAY = 86_400_000;
const now = Date.parse('2026-01-10T00:00:00Z');
const terms = (overrides: Partial<Parameters<typeof checkGroupBuyTerms>[0]> = {}) => ({
  minParticipants: 3,
  maxParticipants: null,
  endsAtMs: now + DAY,
  ...overrides,
});
const roster = (joined: number, joining = 0, emails: string[] = []) => ({ joined, joining, emails: new Set(emails) });

describe('campaign terms', () => {
  test('when the campaign ends within the authorization lifetime, then it is accepted', () => {
    expect(() => checkGroupBuyTerms(terms({ endsAtMs: now + 7 * DAY }), now, 7 * DAY)).not.toThrow();
  });
  test('when it ends after the authorization lifetime, then authorization_window_exceeded names the limit and the latest end', () => {
    expect(() => checkGroupBuyTerms(terms({ endsAtMs: now + 7 * DAY + 1 }), now, 7 * DAY)).toThrow(
      expect.objectContaining({ code: 'authorization_window_exceeded', message: expect.stringMatching(/168 h .*2026-01-17T00:00:00.000Z/) }),
    );
  });
  test('when the deadline passed, the maximum is below the minimum or above the cap, then validation_failed', () => {
    for (const bad of [terms({ endsAtMs: now }), terms({ maxParticipants: 2 }), terms({ maxParticipants: MAX_GROUP_SIZE + 1 })])
      expect(() => checkGroupBuyTerms(bad, now, 7 * DAY)).toThrow(expect.objectContaining({ code: 'validation_failed' }));
  });
});

describe('joins', () => {
  test('when the campaign is open with room and the e-mail is new, then the join may go ahead', () => {
    expect(joinRefusal('open', roster(1, 1, ['a@example.jp']), 3, 'b@example.jp')).toBeNull();
  });
  test('when joins in flight fill the last places, then the next is refused as full', () => {
    expect(joinRefusal('open', roster(1, 1), 2, 'c@example.jp')).toMatch(/full \(2 participants\)/);
  });
  test('when the e-mail already joined in another case, then it is refused', () => {
    expect(joinRefusal('open', roster(1, 0, ['a@example.jp']), null, ' A@Example.JP ')).toMatch(/already joined/);
  });
  test('when the campaign is closing or over, then every join is refused', () => {
    for (const status of ['closing', 'succeeded', 'failed'] as const) expect(joinRefusal(status, roster(0), null, 'a@example.jp')).toMatch(/closing|closed/);
  });
  test('when the maximum is reached, then the campaign is full; without a maximum only the cap fills it', () => {
    expect([isFull(2, 2), isFull(1, 2), isFull(MAX_GROUP_SIZE - 1, null), isFull(MAX_GROUP_SIZE, null)]).toEqual([true, false, false, true]);
  });
  test('when at least the minimum joined, then the campaign succeeds, otherwise it fails', () => {
    expect([groupBuyOutcome(3, 3), groupBuyOutcome(2, 3)]).toEqual(['succeeded', 'failed']);
  });
});

test('when a participation becomes an order, then its total is the campaign price with the consumption tax it contains (rounded down)', () => {
  expect(participationPricing(1100, 1000)).toEqual({ total: 1100, taxTotal: 100, taxBreakdown: [{ rateBps: 1000, taxableAmount: 1100, tax: 100 }] });
  expect(participationPricing(1080, 800).taxTotal).toBe(80);
});

test('when ids derive from a participation, then cart, order and gateway keys are the same on every retry', () => {
  expect(participationIds('gbp_abc')).toEqual({
    cartId: 'cart_gbabc',
    itemId: 'item_gbabc',
    orderId: 'ord_gbabc',
    authorizeKey: 'authorize:gbp_abc',
    voidKey: 'void:gbp_abc',
  });
});
