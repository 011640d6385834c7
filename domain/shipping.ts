// Pure rules of shipping methods (API.md "Pricing: tax, shipping, promotions"): which regions a method serves and when
// a cart must choose one before checkout. Regions are ISO 3166-1 alpha-2 countries ("JP") or JP prefectures ("JP-13").
import { prefectureOf } from './prefectures.ts';

// ISO 3166-1 alpha-2, officially assigned codes.
const COUNTRIES = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI ' +
    'CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR ' +
    'GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU ' +
    'LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL ' +
    'PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO ' +
    'TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
  ).split(' '),
);

// JP-01 (Hokkaido) … JP-47 (Okinawa), ISO 3166-2:JP.
const JP_PREFECTURE = /^JP-(0[1-9]|[1-3][0-9]|4[0-7])$/;

/** The canonical form of a region code: trimmed, upper case. */
export function normalizeRegion(code: string): string {
  return code.trim().toUpperCase();
}

/** Whether `code` (already normalised) is an ISO 3166-1 alpha-2 country or a JP prefecture JP-01..JP-47. */
export function isRegionCode(code: string): boolean {
  return COUNTRIES.has(code) || JP_PREFECTURE.test(code);
}

/** The country of a region: "JP-13" → "JP", "US" → "US". */
export function countryOfRegion(region: string): string {
  return region.slice(0, 2);
}

/**
 * Whether a method limited to `regions` ships to `region`: a method without regions ships everywhere; otherwise the region
 * or its country must be listed ("JP" serves "JP-13"; "JP-13" does not serve "JP" nor "JP-27"). With no region known
 * only methods without regions qualify.
 */
export function servesRegion(regions: readonly string[], region: string | null): boolean {
  if (regions.length === 0) return true;
  if (region === null) return false;
  return regions.includes(region) || regions.includes(countryOfRegion(region));
}

/** Whether a cart must choose a shipping method: the store offers methods and the cart has a line to ship. */
export function needsShippingMethod(hasMethods: boolean, lines: readonly { physical: boolean }[]): boolean {
  return hasMethods && lines.some((l) => l.physical);
}

/** The shipping group of a line or method: '' the whole cart (single brand) or the platform's own lines (mall), else the vendor. */
export function shippingGroupOf(mall: boolean, vendorId: string | null): string {
  return mall ? (vendorId ?? '') : '';
}

/** One shipping group of a cart at checkout: its lines, whether the store offers it methods, and its choice (if any). */
export type ShippingGroupState = {
  groupKey: string;
  lines: readonly { physical: boolean }[];
  hasMethods: boolean;
  chosen: { name: string; active: boolean; regions: readonly string[] } | null;
};

/** The checkout address as shipping rules read it: its country and its free-text region (a prefecture when recognisable). */
export type CheckoutAddress = { country: string; region?: string };

/**
 * Why a cart cannot check out with its shipping choices: one message per group at fault, none when it may. A group of
 * physical lines needs a choice when the store offers it methods; a choice it has must be active and ship to the cart's
 * region, else to the checkout address's prefecture or country (when given). The cart's region is the authority: the
 * address must agree with it, its country always and its prefecture when the address names one recognisably
 * (prefectureOf); an address region that names none is not checked.
 */
export function shippingChoiceProblems(groups: readonly ShippingGroupState[], cartRegion: string | null, address?: CheckoutAddress): string[] {
  const problems: string[] = [];
  const addressCountry = address?.country;
  const addressPrefecture = addressCountry === 'JP' ? prefectureOf(address?.region) : null;
  // The address given at checkout is where the parcels go: a region chosen for another country cannot stand.
  if (cartRegion !== null && addressCountry !== undefined && countryOfRegion(cartRegion) !== addressCountry) {
    problems.push(`shipping was chosen for ${cartRegion} but the shipping address is in ${addressCountry}; choose shipping for the address's region`);
  } else if (cartRegion !== null && JP_PREFECTURE.test(cartRegion) && addressPrefecture !== null && addressPrefecture !== cartRegion) {
    problems.push(`shipping was chosen for ${cartRegion} but the shipping address is in ${addressPrefecture}; choose shipping for the address's region`);
  }
  const region = cartRegion ?? addressPrefecture ?? addressCountry ?? null;
  for (const g of groups) {
    const whose = g.groupKey === '' ? '' : ` for the lines of vendor ${g.groupKey}`;
    if (!g.chosen) {
      if (needsShippingMethod(g.hasMethods, g.lines)) problems.push(`choose a shipping method${whose}: GET /store/carts/:id/shipping-options`);
      continue;
    }
    // A choice made is charged, so it must still hold even when the store has since withdrawn every method.
    if (!g.lines.some((l) => l.physical)) continue;
    if (!g.chosen.active) problems.push(`shipping method "${g.chosen.name}"${whose} is no longer offered; choose another`);
    else if (!servesRegion(g.chosen.regions, region))
      problems.push(`shipping method "${g.chosen.name}"${whose} does not ship to ${region ?? 'an unknown region'}`);
  }
  return problems;
}
