// An order's downloads as the storefront and the back office see them: each delivery with its current signed link.
import type { CommonQueryMethods } from 'slonik';
import type { Config } from '../config/config.ts';
import { orderDeliveries } from '../db/queries/digital-deliveries.ts';
import { downloadLink } from '../providers/download-links.ts';
import type { DeliveryRow, DownloadView } from '../contracts/digital.ts';

type LinkConfig = Pick<Config, 'PUBLIC_URL' | 'PORT' | 'LINK_SIGNING_KEY' | 'WEBHOOK_SECRET_KEY'>;

/** One delivery as a download: its link signed now (null once revoked), its expiry and what is left of it. */
export function downloadView(config: LinkConfig, d: DeliveryRow): DownloadView {
  return {
    id: d.id,
    variant_id: d.variant_id,
    order_item_id: d.order_item_id,
    url: d.status === 'revoked' ? null : downloadLink(config, { id: d.id, tenantId: d.tenant_id, expiresAtMs: d.expires_at_ms }),
    expires_at: d.expires_at,
    remaining: d.remaining,
    max_downloads: d.max_downloads,
    status: d.status,
  };
}

/** The order's downloads (empty until it is paid and its digital lines delivered). */
export async function orderDownloads(db: CommonQueryMethods, config: LinkConfig, tenantId: string, orderId: string): Promise<DownloadView[]> {
  return (await orderDeliveries(db, tenantId, orderId)).map((d) => downloadView(config, d));
}
