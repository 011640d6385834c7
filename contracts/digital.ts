// Response shapes of files and digital deliveries (API.md "Digital products"), shared by the API, its OpenAPI document and db/.
import { z } from 'zod';

/** An uploaded file as POST /admin/files answers it. */
export const uploadedFileView = z.object({
  file_id: z.string(),
  content_type: z.string(),
  size: z.number(),
  sha256: z.string(),
  /** Where it is served once used as a product image (a digital product's file opens only through signed links). */
  url: z.string(),
});

/** A digital delivery as its row reads (the link itself is signed on the way out, never stored). */
export const deliveryRow = z.object({
  id: z.string(),
  tenant_id: z.string(),
  order_id: z.string(),
  order_item_id: z.string(),
  variant_id: z.string(),
  file_id: z.string(),
  max_downloads: z.number(),
  remaining: z.number(),
  expires_at: z.string(),
  expires_at_ms: z.number(),
  status: z.enum(['active', 'revoked']),
  revoked_reason: z.string().nullable(),
  issue_count: z.number(),
});
/** A digital delivery as stored. */
export type DeliveryRow = z.infer<typeof deliveryRow>;

/** A download as the storefront and the back office see it on an order. */
export const downloadView = z.object({
  id: z.string(),
  variant_id: z.string(),
  order_item_id: z.string(),
  /** The signed link (null once revoked); it answers 410 once expired, used up, superseded by a reissue or revoked. */
  url: z.string().nullable(),
  expires_at: z.string(),
  remaining: z.number(),
  max_downloads: z.number(),
  status: z.enum(['active', 'revoked']),
});
/** A download on an order. */
export type DownloadView = z.infer<typeof downloadView>;
