// SQL owned by categories (products' links to them are catalog.ts's).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { CommonQueryMethods, DatabasePool } from 'slonik';
import { sql } from '../sql.ts';
import { assertTenantOwns } from './catalog.ts';
import { recordAudit } from './audit-log.ts';
import { slugify } from '../../domain/catalog.ts';
import { makeId } from '../../domain/ids.ts';
import { changedFields } from '../../domain/audit.ts';
import type { Actor } from '../../contracts/audit.ts';

/** A category. */
const categoryView = z.object({ id: z.string(), name: z.string(), handle: z.string(), parent_id: z.string().nullable() });
/** A category as the back office and storefronts see it. */
export type CategoryView = z.infer<typeof categoryView>;

/** Lists a tenant's categories in id order (cursor pages). */
export async function listCategories(db: CommonQueryMethods, tenantId: string, afterId: string | undefined, limit: number): Promise<CategoryView[]> {
  return [
    ...(await db.any(sql.type(categoryView)`
    SELECT id, name, handle, parent_id FROM categories
    WHERE tenant_id = ${tenantId} ${afterId ? sql.fragment`AND id > ${afterId}` : sql.fragment``}
    ORDER BY id LIMIT ${limit + 1}`)),
  ];
}

/** Creates a category. */
export async function createCategory(
  pool: DatabasePool,
  tenantId: string,
  input: { name: string; handle?: string; parent_id?: string | null },
  actor: Actor | null,
): Promise<CategoryView> {
  return pool.transaction(async (tx) => {
    if (input.parent_id) await assertTenantOwns(tx, tenantId, 'categories', [input.parent_id]);
    const { id, ...category } = await tx.one(sql.type(categoryView)`
      INSERT INTO categories (id, tenant_id, name, handle, parent_id)
      VALUES (${makeId('cat', randomUUID())}, ${tenantId}, ${input.name}, ${input.handle ?? slugify(input.name)}, ${input.parent_id ?? null})
      RETURNING id, name, handle, parent_id`);
    await recordAudit(tx, { tenantId, actor, action: 'category.create', resourceType: 'category', resourceId: id, changes: changedFields(null, category) });
    return { id, ...category };
  });
}
