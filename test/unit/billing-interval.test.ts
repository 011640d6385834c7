import { parseBillingInterval, periodEnd } from '../../domain/billing-interval.ts';
import { parseConfig } from '../../config/config.ts';

const utc = (text: string) => new Date(`${text}Z`);
const ends = (anchor: string, interval: string, periods: number) =>
  Array.from({ length: periods }, (_, i) => periodEnd(utc(anchor), parseBillingInterval(interval, { allowShort: true }), i + 1).toISOString());

describe('billing intervals', () => {
  it('when the anchor is 31 January, then monthly periods end 28/29 Feb, 31 Mar, 30 Apr, 31 May', () => {
    expect(ends('2027-01-31T10:00:00', '1mo', 4)).toEqual([
      '2027-02-28T10:00:00.000Z',
      '2027-03-31T10:00:00.000Z',
      '2027-04-30T10:00:00.000Z',
      '2027-05-31T10:00:00.000Z',
    ]);
    expect(ends('2028-01-31T00:00:00', '1mo', 2)).toEqual(['2028-02-29T00:00:00.000Z', '2028-03-31T00:00:00.000Z']);
  });

  it('when the interval is a year from 29 February, then it ends 28 Feb and comes back to 29 Feb in a leap year', () => {
    expect(ends('2028-02-29T12:30:00', '1y', 4).map((d) => d.slice(0, 10))).toEqual(['2029-02-28', '2030-02-28', '2031-02-28', '2032-02-29']);
  });

  it('when the interval crosses a year end, then the month and year roll over', () => {
    expect(ends('2026-11-30T08:00:00', '1mo', 3).map((d) => d.slice(0, 10))).toEqual(['2026-12-30', '2027-01-30', '2027-02-28']);
    expect(ends('2026-12-15T08:00:00', '3mo', 2).map((d) => d.slice(0, 10))).toEqual(['2027-03-15', '2027-06-15']);
  });

  it('when the interval is fixed, then each period adds the same milliseconds', () => {
    expect(ends('2026-01-01T00:00:00', '5s', 3)).toEqual(['2026-01-01T00:00:05.000Z', '2026-01-01T00:00:10.000Z', '2026-01-01T00:00:15.000Z']);
    expect(parseBillingInterval('7d')).toEqual({ kind: 'fixed', ms: 7 * 86_400_000 });
  });

  it('when the interval is malformed or zero, then it is refused', () => {
    for (const bad of ['', 'monthly', '0mo', '1w', '-1mo']) expect(() => parseBillingInterval(bad)).toThrow(/billing interval/);
    expect(() => periodEnd(new Date(), parseBillingInterval('1mo'), 0)).toThrow(/period/);
  });

  it('when the interval is longer than a year, then it is refused whatever the flag (12mo and 365d are the most)', () => {
    for (const bad of ['99999999y', '2y', '13mo', '366d', '500d', '9000h', '99999999999999999999mo']) {
      expect(() => parseBillingInterval(bad)).toThrow(RangeError);
      expect(() => parseBillingInterval(bad, { allowShort: true })).toThrow(/longer than a year/);
    }
    expect(parseBillingInterval('1y')).toEqual({ kind: 'calendar', months: 12 });
    expect(parseBillingInterval('12mo')).toEqual({ kind: 'calendar', months: 12 });
    expect(parseBillingInterval('365d')).toEqual({ kind: 'fixed', ms: 365 * 86_400_000 });
  });

  it('when the interval is shorter than a day, then it is refused unless short intervals are allowed (never below a second)', () => {
    for (const short of ['5s', '30m', '23h']) {
      expect(() => parseBillingInterval(short)).toThrow(/shorter than a day/);
      expect(parseBillingInterval(short, { allowShort: true }).kind).toBe('fixed');
    }
    expect(parseBillingInterval('1d')).toEqual({ kind: 'fixed', ms: 86_400_000 });
    expect(parseBillingInterval('24h')).toEqual({ kind: 'fixed', ms: 86_400_000 });
    expect(() => parseBillingInterval('500ms', { allowShort: true })).toThrow(/shorter than a second/);
  });

  it('when a period end would be past the last valid date, then periodEnd throws a RangeError instead of returning an invalid date', () => {
    expect(() => periodEnd(utc('2026-01-01T00:00:00'), { kind: 'calendar', months: 99999999 * 12 }, 1)).toThrow(RangeError);
    expect(() => periodEnd(utc('2026-01-01T00:00:00'), parseBillingInterval('1y'), 10_000_000)).toThrow(/invalid date/);
  });

  it('when no variable is set, then short intervals are off and a checkout answers within 20 s', () => {
    expect(parseConfig({})).toMatchObject({ ALLOW_SHORT_BILLING_INTERVALS: false, CHECKOUT_ANSWER_TIMEOUT: 20_000 });
    expect(parseConfig({ ALLOW_SHORT_BILLING_INTERVALS: 'true', CHECKOUT_ANSWER_TIMEOUT: '2s' })).toMatchObject({
      ALLOW_SHORT_BILLING_INTERVALS: true,
      CHECKOUT_ANSWER_TIMEOUT: 2_000,
    });
  });
});
