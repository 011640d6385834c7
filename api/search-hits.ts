// Search hits come from the index, which follows catalog events; stock moves with every cart hold, which writes no
// event. So the page's hits get the availability of this instant before they leave (one query per page).
import type { CommonQueryMethods } from 'slonik';
import { currentAvailability } from '../db/queries/catalog-reads.ts';

type Hit = Record<string, unknown> & { variants?: { id: string; available_quantity?: number }[] };

/** The hits with each variant's `available_quantity` read now. */
export async function withCurrentAvailability(db: CommonQueryMethods, tenantId: string, hits: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const variantIds = (hits as Hit[]).flatMap((h) => (Array.isArray(h.variants) ? h.variants.map((v) => v.id) : []));
  const now = await currentAvailability(db, tenantId, variantIds);
  return (hits as Hit[]).map((h) =>
    Array.isArray(h.variants) ? { ...h, variants: h.variants.map((v) => ({ ...v, available_quantity: now.get(v.id) ?? 0 })) } : h,
  );
}
