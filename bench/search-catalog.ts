// The search scenario's catalog: SEARCH_PRODUCTS generated products (English and Japanese titles) and the queries run against them.
import { z } from 'zod';
import type { createDbPool } from '../db/pool.ts';
import { createProduct } from '../db/queries/catalog.ts';
import { sql } from '../db/sql.ts';

/** How many products the search scenario indexes. */
export const SEARCH_PRODUCTS = Number(process.env.BENCH_SEARCH_PRODUCTS ?? 10_000);
/** Typical storefront searches: words, a typo, Japanese, filters, facets always, sorts, a deep page. */
export const SEARCH_QUERIES = [
  'q=shirt',
  'q=tshrit',
  'q=matcha',
  'q=%E6%8A%B9%E8%8C%B6',
  'q=cotton%20bag&sort=price_asc',
  'q=blue&max_price=3000',
  'q=ceramic%20mug&in_stock=true',
  'q=linen',
  'sort=newest',
  'q=kettle&offset=20&limit=20',
  'q=green%20tea&min_price=1000&max_price=5000',
  'q=wool',
];
const WORDS = {
  color: ['blue', 'green', 'indigo', 'black', 'white', 'red', 'ochre', 'grey', 'navy', 'sakura'],
  material: ['cotton', 'linen', 'wool', 'ceramic', 'cast iron', 'bamboo', 'hinoki', 'leather', 'glass', 'porcelain'],
  noun: ['T-Shirt', 'bag', 'mug', 'kettle', 'tea bowl', 'scarf', 'apron', 'tote', 'cup', 'teapot', 'matcha whisk', 'towel'],
  ja: ['宇治抹茶', '煎茶', '南部鉄器', '有田焼', '手ぬぐい', 'ほうじ茶', '抹茶ラテ', '風呂敷'],
};

/** Creates the catalog through the product's own catalog writes (so the relay indexes it as it would in production). */
export async function seedSearchCatalog(pool: Awaited<ReturnType<typeof createDbPool>>, tenantId: string): Promise<void> {
  const pick = <T>(list: T[], i: number) => list[i % list.length];
  let next = 0;
  const one = async (i: number) => {
    const title =
      i % 5 === 0 ? `${pick(WORDS.ja, i)} ${pick(WORDS.noun, i >> 2)}` : `${pick(WORDS.color, i)} ${pick(WORDS.material, i >> 1)} ${pick(WORDS.noun, i >> 3)}`;
    await createProduct(
      pool,
      tenantId,
      'JPY',
      {
        title: `${title} ${i}`,
        description: `${pick(WORDS.material, i >> 4)} ${pick(WORDS.noun, i >> 5)}, made in Japan. ${pick(WORDS.ja, i >> 2)}`,
        status: 'published',
        variants: [{ sku: `S-${i}`, price: { amount: 300 + ((i * 7919) % 20_000), currency: 'JPY' }, inventory: [{ on_hand: i % 7 === 0 ? 0 : 10 }] }],
      },
      null,
    );
  };
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < SEARCH_PRODUCTS) await one(next++);
    }),
  );
}

/** Waits until the relay has indexed the whole catalog (at most 10 minutes). */
export async function waitForIndex(pool: Awaited<ReturnType<typeof createDbPool>>, tenantId: string): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const n = await pool.oneFirst(sql.type(z.object({ n: z.number() }))`SELECT count(*)::int8 AS n FROM search_documents WHERE tenant_id = ${tenantId}`);
    if (n >= SEARCH_PRODUCTS) return;
    if (Date.now() > deadline) throw new Error(`the relay indexed only ${n} of ${SEARCH_PRODUCTS} products in 10 minutes`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
