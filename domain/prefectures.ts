// The 47 prefectures of Japan (ISO 3166-2:JP) and how a free-text address region names one, so checkout can compare the
// address with the region a shipping method was chosen for.

// Index i is JP-(i+1): romaji without macrons, and the official Japanese name with its suffix (都, 道, 府, 県).
const PREFECTURES: readonly (readonly [string, string])[] = [
  ['hokkaido', '北海道'],
  ['aomori', '青森県'],
  ['iwate', '岩手県'],
  ['miyagi', '宮城県'],
  ['akita', '秋田県'],
  ['yamagata', '山形県'],
  ['fukushima', '福島県'],
  ['ibaraki', '茨城県'],
  ['tochigi', '栃木県'],
  ['gunma', '群馬県'],
  ['saitama', '埼玉県'],
  ['chiba', '千葉県'],
  ['tokyo', '東京都'],
  ['kanagawa', '神奈川県'],
  ['niigata', '新潟県'],
  ['toyama', '富山県'],
  ['ishikawa', '石川県'],
  ['fukui', '福井県'],
  ['yamanashi', '山梨県'],
  ['nagano', '長野県'],
  ['gifu', '岐阜県'],
  ['shizuoka', '静岡県'],
  ['aichi', '愛知県'],
  ['mie', '三重県'],
  ['shiga', '滋賀県'],
  ['kyoto', '京都府'],
  ['osaka', '大阪府'],
  ['hyogo', '兵庫県'],
  ['nara', '奈良県'],
  ['wakayama', '和歌山県'],
  ['tottori', '鳥取県'],
  ['shimane', '島根県'],
  ['okayama', '岡山県'],
  ['hiroshima', '広島県'],
  ['yamaguchi', '山口県'],
  ['tokushima', '徳島県'],
  ['kagawa', '香川県'],
  ['ehime', '愛媛県'],
  ['kochi', '高知県'],
  ['fukuoka', '福岡県'],
  ['saga', '佐賀県'],
  ['nagasaki', '長崎県'],
  ['kumamoto', '熊本県'],
  ['oita', '大分県'],
  ['miyazaki', '宮崎県'],
  ['kagoshima', '鹿児島県'],
  ['okinawa', '沖縄県'],
];

const codeOf = (i: number) => `JP-${String(i + 1).padStart(2, '0')}`;

// Every accepted spelling → code: "Tokyo", "Tokyo-to", "Tokyo Prefecture", "東京都", "東京", "Hokkaidō", "Ōsaka-fu", "JP-13".
const BY_NAME = new Map<string, string>(
  PREFECTURES.flatMap(([romaji, kanji], i) => {
    const short = kanji === '北海道' ? kanji : kanji.slice(0, -1);
    const suffixes = ['', 'to', 'do', 'fu', 'ken', 'prefecture'];
    return [
      ...suffixes.map((s) => [romaji + s, codeOf(i)] as const),
      [kanji, codeOf(i)] as const,
      [short, codeOf(i)] as const,
      [codeOf(i).toLowerCase().replace('-', ''), codeOf(i)] as const,
    ];
  }),
);

/**
 * The prefecture code ("JP-13") a free-text address region names, or null when it names none unambiguously (a city, a
 * ward, a typo, another country's region). Case, spaces, hyphens and macrons do not matter.
 */
export function prefectureOf(region: string | undefined): string | null {
  if (region === undefined) return null;
  const key = region
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\s\-‐－ー・.,]/g, '');
  return BY_NAME.get(key) ?? null;
}
