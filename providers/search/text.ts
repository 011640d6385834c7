// Text rules of the PostgreSQL backend: normalisation, terms, typo budget (Meilisearch's defaults), edit distance.

/** NFKC (full-width → half-width, compatibility forms) and lower case. */
export function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** Words: runs of letters and digits of any script. */
export function tokenize(text: string): string[] {
  return normalize(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

// Scripts written without spaces between words: a query word may sit anywhere inside a document's word.
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u;

/** True when the word needs substring matching (Japanese, Chinese, Korean, Thai). */
export function needsSubstring(word: string): boolean {
  return UNSPACED.test(word);
}

const MAX_TERM = 60;

/** Index terms: title words and each pair of adjacent title words joined ("t-shirt" → t, shirt, tshirt); body words; whole SKUs. */
export function documentTerms(title: string, body: string, skus: string[]): { titleTerms: string[]; bodyTerms: string[] } {
  const words = tokenize(title);
  const joined = words.slice(1).map((w, i) => words[i] + w);
  const titleTerms = [...new Set([...words, ...joined])].filter((t) => t.length <= MAX_TERM);
  const bodyTerms = [...new Set([...tokenize(body), ...skus.flatMap((s) => [...tokenize(s), tokenize(s).join('')])])]
    .filter((t) => t.length <= MAX_TERM && !titleTerms.includes(t))
    .slice(0, 2000);
  return { titleTerms, bodyTerms };
}

/** Typos a query word may carry: none below 5 characters, one from 5, two from 9 (Meilisearch's defaults). */
export function typoBudget(word: string): number {
  const length = [...word].length;
  return length >= 9 ? 2 : length >= 5 ? 1 : 0;
}

/** Typos between a query word and a term, as Meilisearch counts them: a wrong first character costs two. */
export function typoCost(word: string, term: string): number {
  return editDistance(word, term) + ([...word][0] === [...term][0] ? 0 : 1);
}

/** Optimal string alignment distance: insert, delete, substitute, swap two neighbours each count one. */
function editDistance(a: string, b: string): number {
  const s = [...a];
  const t = [...b];
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i, ...new Array<number>(t.length).fill(0)]);
  for (let j = 1; j <= t.length; j++) d[0][j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[s.length][t.length];
}
