// The demo catalog `npm run seed` (and `npm start` on an empty database) loads.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DatabasePool } from 'slonik';
import { createProduct } from '../db/queries/catalog.ts';
import { createCategory } from '../db/queries/categories.ts';
import { createTenant, type CreatedTenant } from '../db/queries/tenants.ts';
import { updateStoreSettings } from '../db/queries/stores.ts';

const PRODUCTS = [
  {
    title: 'Uji Matcha Latte Mix',
    description: '宇治抹茶ラテ — stone-ground matcha with a touch of cane sugar.',
    category: 'tea',
    variants: [
      { sku: 'MATCHA-200', title: '200 g', price: 1800, stock: 40 },
      { sku: 'MATCHA-500', title: '500 g', price: 3900, stock: 15 },
    ],
  },
  {
    title: 'Hojicha Roasted Green Tea',
    description: 'ほうじ茶 — roasted leaves, low caffeine.',
    category: 'tea',
    variants: [{ sku: 'HOJI-100', title: '100 g', price: 1200, stock: 60 }],
  },
  {
    title: 'Organic Cotton T-Shirt',
    description: 'Heavyweight organic cotton tee.',
    category: 'apparel',
    variants: [
      { sku: 'TEE-S', title: 'S', price: 3500, stock: 20 },
      { sku: 'TEE-M', title: 'M', price: 3500, stock: 25 },
      { sku: 'TEE-L', title: 'L', price: 3500, stock: 10 },
    ],
  },
  {
    title: 'Hasami Porcelain Mug',
    description: 'Stackable porcelain mug from Hasami.',
    category: 'kitchen',
    variants: [{ sku: 'MUG-WHITE', title: 'White', price: 2600, stock: 30 }],
  },
  {
    title: 'Monthly Tea Club',
    description: '毎月のお茶 — a new seasonal tea every month, billed monthly by card.',
    category: 'tea',
    variants: [{ sku: 'TEA-CLUB-1MO', title: 'Monthly', price: 2400, stock: 500, billingInterval: '1mo' }],
  },
  {
    title: 'Limited Edition Tea Bowl',
    description: 'Hand-thrown chawan; only three made.',
    category: 'kitchen',
    variants: [{ sku: 'CHAWAN-LTD', title: '', price: 18000, stock: 3 }],
  },
];

/** Browser origins the demo store admits. */
export const DEMO_ORIGINS = ['http://localhost:*'];

/** Creates the demo tenant and catalog; returns its credentials. */
export async function seedDemo(pool: DatabasePool): Promise<CreatedTenant> {
  const tenant = await createTenant(pool, { name: 'Demo Tea House', mode: 'single_brand', currency: 'JPY' });
  // Any local storefront dev server (Vite, Next…) may call the demo store from the browser.
  await updateStoreSettings(pool, tenant.tenant_id, { allowed_origins: DEMO_ORIGINS }, null);
  const categories = new Map<string, string>();
  for (const name of new Set(PRODUCTS.map((p) => p.category))) {
    categories.set(name, (await createCategory(pool, tenant.tenant_id, { name: name[0].toUpperCase() + name.slice(1), handle: name }, null)).id);
  }
  for (const p of PRODUCTS) {
    await createProduct(
      pool,
      tenant.tenant_id,
      'JPY',
      {
        title: p.title,
        description: p.description,
        status: 'published',
        category_ids: [categories.get(p.category)!],
        variants: p.variants.map((v) => ({
          sku: v.sku,
          title: v.title,
          price: { amount: v.price, currency: 'JPY' },
          inventory: [{ on_hand: v.stock }],
          ...('billingInterval' in v ? { subscription: { billing_interval: v.billingInterval } } : {}),
        })),
      },
      null,
    );
  }
  return tenant;
}

/**
 * Where the demo credentials of a database are kept on this machine, so later starts can print them again
 * (development only: the database stores keys hashed).
 */
export function demoCredentialsPath(root: string, databaseUrl: string): string {
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1)).replace(/[^\w.-]/g, '_');
  return path.join(root, '.data', `demo-credentials-${database}.json`);
}

/** Writes the demo credentials of a database under .data/. */
export function saveDemoCredentials(root: string, databaseUrl: string, tenant: CreatedTenant): void {
  mkdirSync(path.join(root, '.data'), { recursive: true });
  writeFileSync(demoCredentialsPath(root, databaseUrl), `${JSON.stringify(tenant, null, 2)}\n`, { mode: 0o600 });
}

/** The text printed with the demo credentials. */
export function demoBanner(tenant: CreatedTenant, apiUrl: string): string {
  return [
    'Demo store credentials:',
    `  tenant_id        ${tenant.tenant_id}`,
    `  publishable key  ${tenant.publishable_key}   (X-Publishable-Key for /store)`,
    `  admin API key    ${tenant.admin_api_key}   (Authorization: Bearer … for /admin)`,
    `  browser origins  ${DEMO_ORIGINS.join(', ')}   (CORS; PATCH /admin/store changes them)`,
    'Try:',
    `  curl -s ${apiUrl}/store/products -H 'X-Publishable-Key: ${tenant.publishable_key}'`,
    `  curl -s ${apiUrl}/admin/orders -H 'Authorization: Bearer ${tenant.admin_api_key}'`,
  ].join('\n');
}
