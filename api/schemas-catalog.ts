// Request schemas of catalog fields kept apart from schemas.ts: billing intervals, product images, digital variants.
import { z } from 'zod';
import { parseBillingInterval } from '../domain/billing-interval.ts';
import { parseDuration } from '../domain/duration.ts';

const fileId = z.string().min(1).max(100);

// `1mo`, `1y`, `7d` (`5s` where ALLOW_SHORT_BILLING_INTERVALS): checked by the same parser billing uses, so a stored interval always bills.
/** A subscription variant's billing interval. */
export const billingInterval = (allowShort: boolean) =>
  z
    .string()
    .trim()
    .max(20)
    .superRefine((text, ctx) => {
      try {
        parseBillingInterval(text, { allowShort });
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `${(err as Error).message}; a billing interval is 1d to 1y, such as 7d, 1mo or 1y` });
      }
    });

/** A product's images, in display order: uploaded image files (POST /admin/files) with their alternative text. */
export const productImagesInput = z.array(z.object({ file_id: fileId, alt: z.string().max(500).optional() }).strict()).max(20);

/** Default lifetime of a download link and downloads per link (API.md's example values). */
export const DIGITAL_DEFAULTS = { link_ttl: '72h', max_downloads: 5 } as const;

/** What a digital variant delivers: an uploaded file, a link lifetime (`72h`, `2s`…) and downloads per link. */
export const variantDigitalInput = z
  .object({
    file_id: fileId,
    link_ttl: z
      .string()
      .trim()
      .max(20)
      .default(DIGITAL_DEFAULTS.link_ttl)
      .superRefine((text, ctx) => {
        try {
          if (parseDuration(text) > 365 * 86_400_000) ctx.addIssue({ code: 'custom', message: 'a link lives at most 365d' });
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
        }
      }),
    max_downloads: z.number().int().min(1).max(1000).default(DIGITAL_DEFAULTS.max_downloads),
  })
  .strict();
