// Shipping rules (domain/shipping.ts, domain/prefectures.ts): region codes, which regions a method serves, when a cart must
// choose a method, and the prefecture an address names.
import { isRegionCode, needsShippingMethod, normalizeRegion, servesRegion, shippingChoiceProblems, shippingGroupOf } from '../../domain/shipping.ts';
import { prefectureOf } from '../../domain/prefectures.ts';
import { regionCode } from '../../api/schemas-shipping.ts';

describe('region codes', () => {
  test('when a code is an ISO 3166-1 alpha-2 country or JP-01..JP-47, then it is a region', () => {
    for (const code of ['JP', 'US', 'KR', 'TW', 'GB', 'JP-01', 'JP-13', 'JP-27', 'JP-47']) expect({ code, ok: isRegionCode(code) }).toEqual({ code, ok: true });
  });

  test('when a code is unassigned, a prefecture out of range or not of Japan, or malformed, then it is not a region', () => {
    for (const code of ['XX', 'UK', 'EU', 'JPN', 'J', '', 'JP-00', 'JP-48', 'JP-1', 'JP-013', 'US-CA', 'jp', 'JP13', ' JP']) {
      expect({ code, ok: isRegionCode(code) }).toEqual({ code, ok: false });
    }
  });

  test('when a code is given in lower case or with spaces, then it is normalised before it is checked', () => {
    expect(normalizeRegion(' jp-13 ')).toBe('JP-13');
    expect(regionCode.parse('jp-13')).toBe('JP-13');
    expect(regionCode.safeParse('JP-48').success).toBe(false);
    expect(regionCode.safeParse('JP-48').error?.issues[0].message).toContain('"JP-48" is not a region');
  });
});

describe('which regions a method serves', () => {
  test('when a method has no regions, then it serves everywhere, also a cart whose region is unknown', () => {
    expect(servesRegion([], 'JP-13')).toBe(true);
    expect(servesRegion([], 'US')).toBe(true);
    expect(servesRegion([], null)).toBe(true);
  });

  test('when a method lists a country, then it serves the country and each of its prefectures, not other countries', () => {
    expect(servesRegion(['JP'], 'JP')).toBe(true);
    expect(servesRegion(['JP'], 'JP-13')).toBe(true);
    expect(servesRegion(['JP'], 'JP-47')).toBe(true);
    expect(servesRegion(['JP'], 'US')).toBe(false);
  });

  test('when a method lists prefectures, then it serves only those, not the whole country nor other prefectures', () => {
    expect(servesRegion(['JP-13', 'JP-14'], 'JP-14')).toBe(true);
    expect(servesRegion(['JP-13'], 'JP-27')).toBe(false);
    expect(servesRegion(['JP-13'], 'JP')).toBe(false);
  });

  test('when a method has regions and the cart region is unknown, then it does not serve the cart', () => {
    expect(servesRegion(['JP'], null)).toBe(false);
  });
});

describe('when a cart must choose a shipping method', () => {
  test('when the store has methods and the cart has a physical line, then a method is needed; digital-only or no methods, not', () => {
    expect(needsShippingMethod(true, [{ physical: false }, { physical: true }])).toBe(true);
    expect(needsShippingMethod(true, [{ physical: false }])).toBe(false);
    expect(needsShippingMethod(true, [])).toBe(false);
    expect(needsShippingMethod(false, [{ physical: true }])).toBe(false);
  });

  test('when lines are grouped, then a single-brand cart is one group and a mall groups by vendor, the platform as ""', () => {
    expect(shippingGroupOf(false, 'ven_1')).toBe('');
    expect(shippingGroupOf(true, 'ven_1')).toBe('ven_1');
    expect(shippingGroupOf(true, null)).toBe('');
  });

  const method = { name: 'Yamato', active: true, regions: ['JP'] };
  const physical = [{ physical: true }];

  test('when every group that needs a method has an active one that ships to the region, then there is no problem', () => {
    const groups = [
      { groupKey: 'ven_a', lines: physical, hasMethods: true, chosen: method },
      { groupKey: 'ven_b', lines: physical, hasMethods: false, chosen: null },
      { groupKey: '', lines: [{ physical: false }], hasMethods: true, chosen: null },
    ];
    expect(shippingChoiceProblems(groups, 'JP-13')).toEqual([]);
  });

  test('when a group has no choice, a withdrawn one, or one not shipping to the region, then each is named', () => {
    expect(shippingChoiceProblems([{ groupKey: '', lines: physical, hasMethods: true, chosen: null }], 'JP-13')).toEqual([
      'choose a shipping method: GET /store/carts/:id/shipping-options',
    ]);
    expect(shippingChoiceProblems([{ groupKey: 'ven_a', lines: physical, hasMethods: true, chosen: { ...method, active: false } }], 'JP')).toEqual([
      'shipping method "Yamato" for the lines of vendor ven_a is no longer offered; choose another',
    ]);
    expect(shippingChoiceProblems([{ groupKey: '', lines: physical, hasMethods: true, chosen: method }], 'US')).toEqual([
      'shipping method "Yamato" does not ship to US',
    ]);
    // A withdrawn choice is refused even when the store no longer offers any method; a digital-only group's choice is ignored.
    expect(shippingChoiceProblems([{ groupKey: '', lines: physical, hasMethods: false, chosen: { ...method, active: false } }], 'JP')).toHaveLength(1);
    expect(shippingChoiceProblems([{ groupKey: '', lines: [{ physical: false }], hasMethods: true, chosen: { ...method, active: false } }], 'JP')).toEqual([]);
    expect(shippingChoiceProblems([{ groupKey: '', lines: physical, hasMethods: true, chosen: method }], null)).toEqual([
      'shipping method "Yamato" does not ship to an unknown region',
    ]);
  });

  test('when the checkout address is known, then it stands in for an unknown region and must agree with a chosen one', () => {
    const chosen = [{ groupKey: '', lines: physical, hasMethods: true, chosen: method }];
    expect(shippingChoiceProblems(chosen, null, { country: 'JP' })).toEqual([]);
    expect(shippingChoiceProblems(chosen, null, { country: 'US' })).toEqual(['shipping method "Yamato" does not ship to US']);
    expect(shippingChoiceProblems(chosen, 'JP-13', { country: 'JP' })).toEqual([]);
    expect(shippingChoiceProblems([{ ...chosen[0], chosen: { ...method, regions: [] } }], 'JP-13', { country: 'US' })).toEqual([
      "shipping was chosen for JP-13 but the shipping address is in US; choose shipping for the address's region",
    ]);
  });

  const tokyoOnly = [{ groupKey: '', lines: physical, hasMethods: true, chosen: { ...method, regions: ['JP-13'] } }];

  test('when the address names another prefecture than the one shipping was chosen for, then checkout is refused', () => {
    for (const region of ['Osaka', '大阪府', 'JP-27', 'Ōsaka-fu']) {
      expect({ region, problems: shippingChoiceProblems(tokyoOnly, 'JP-13', { country: 'JP', region }) }).toEqual({
        region,
        problems: ["shipping was chosen for JP-13 but the shipping address is in JP-27; choose shipping for the address's region"],
      });
    }
  });

  test('when the address names the chosen prefecture, or no prefecture recognisably, then the cart region stands', () => {
    for (const region of ['Tokyo', '東京都', '東京', 'tokyo-to', 'JP-13', 'Chiyoda-ku', 'Tokio', '', undefined]) {
      expect({ region, problems: shippingChoiceProblems(tokyoOnly, 'JP-13', { country: 'JP', region }) }).toEqual({ region, problems: [] });
    }
    // A cart region that is a whole country is not narrowed by the address's prefecture.
    expect(shippingChoiceProblems(chosenFor(['JP']), 'JP', { country: 'JP', region: 'Osaka' })).toEqual([]);
  });

  test('when the cart has no region, then a recognisable prefecture of the address is the region checked', () => {
    expect(shippingChoiceProblems(tokyoOnly, null, { country: 'JP', region: '東京都' })).toEqual([]);
    expect(shippingChoiceProblems(tokyoOnly, null, { country: 'JP', region: 'Osaka' })).toEqual(['shipping method "Yamato" does not ship to JP-27']);
    expect(shippingChoiceProblems(tokyoOnly, null, { country: 'JP', region: 'Chiyoda' })).toEqual(['shipping method "Yamato" does not ship to JP']);
  });
});

const chosenFor = (regions: string[]) => [{ groupKey: '', lines: [{ physical: true }], hasMethods: true, chosen: { name: 'Yamato', active: true, regions } }];

describe('prefectures named in an address', () => {
  test('when a region is a prefecture code, its romaji (any case, suffix, macrons) or its Japanese name, then it is that prefecture', () => {
    const cases: [string, string][] = [
      ['JP-13', 'JP-13'],
      ['jp-01', 'JP-01'],
      ['Tokyo', 'JP-13'],
      ['TOKYO-TO', 'JP-13'],
      ['東京都', 'JP-13'],
      ['東京', 'JP-13'],
      ['Hokkaidō', 'JP-01'],
      ['北海道', 'JP-01'],
      ['Kyoto-fu', 'JP-26'],
      ['京都', 'JP-26'],
      ['Kanagawa Prefecture', 'JP-14'],
      ['Hyōgo-ken', 'JP-28'],
      ['沖縄県', 'JP-47'],
    ];
    for (const [text, code] of cases) expect({ text, code: prefectureOf(text) }).toEqual({ text, code });
  });

  test('when a region names no prefecture (a ward, a typo, another country, a code out of range), then none is recognised', () => {
    for (const text of ['Chiyoda-ku', 'Tokio', 'California', 'JP-48', 'JP-00', '', '東京都千代田区', undefined])
      expect({ text, code: prefectureOf(text) }).toEqual({ text, code: null });
  });
});
