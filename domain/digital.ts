// Digital goods and uploaded files: which uploads are acceptable, what an image is, and when a download link is gone.
import { signLink, verifyLink } from './signed-links.ts';

/** How many abandoned downloads a link gives back before abandoning one counts like finishing it (a reissue resets it). */
export const MAX_DOWNLOAD_GIVE_BACKS = 3;

/** Purpose of a download link's signature: an export token never opens a download, nor the reverse. */
export const DOWNLOAD_LINK_PURPOSE = 'digital-download';

/** Image types a product image may have (served inline to browsers); anything else is refused as an image. */
export const IMAGE_CONTENT_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

// `type/subtype` with the token characters of RFC 9110; parameters (`; charset=…`) are dropped before this check.
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/** The media type of an upload's Content-Type header, lower-cased without parameters; null when absent or malformed. */
export function uploadMediaType(header: string | undefined): string | null {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return MEDIA_TYPE.test(type) ? type : null;
}

// The first bytes every file of each image type starts with (WebP: "RIFF", 4 size bytes, "WEBP").
const SIGNATURES: Record<(typeof IMAGE_CONTENT_TYPES)[number], (head: Uint8Array) => boolean> = {
  'image/png': (h) => startsWith(h, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/jpeg': (h) => startsWith(h, [0xff, 0xd8, 0xff]),
  'image/gif': (h) => startsWith(h, [0x47, 0x49, 0x46, 0x38]),
  'image/webp': (h) => startsWith(h, [0x52, 0x49, 0x46, 0x46]) && startsWith(h.subarray(8), [0x57, 0x45, 0x42, 0x50]),
};

function startsWith(head: Uint8Array, bytes: number[]): boolean {
  return head.length >= bytes.length && bytes.every((b, i) => head[i] === b);
}

/** Why an upload's first bytes contradict its declared type (null: they do not); only image types are checked. */
export function contentMismatch(mediaType: string, head: Uint8Array): string | null {
  const check = SIGNATURES[mediaType as keyof typeof SIGNATURES];
  if (!check || check(head)) return null;
  return `the content is not a ${mediaType.slice('image/'.length).toUpperCase()} image, as its content-type says`;
}

/** True when files of this type may be shown as product images. */
export function isImageType(contentType: string): boolean {
  return (IMAGE_CONTENT_TYPES as readonly string[]).includes(contentType);
}

/** A delivery as far as its link is concerned. */
export type DeliveryLinkState = { status: 'active' | 'revoked'; remaining: number; expiresAtMs: number };

/** Why a download link answers 410 (null: it still opens). */
export type GoneReason = 'revoked' | 'used_up' | 'expired' | 'superseded';

/**
 * Why a signed link to this delivery is gone at `now`: revoked (refund, cancellation), used up, past its expiry, or
 * superseded by a reissue (the link carries the expiry it was signed with; a reissue sets a new one).
 */
export function downloadGoneReason(delivery: DeliveryLinkState, linkExpiresAtMs: number, now: number): GoneReason | null {
  if (delivery.status === 'revoked') return 'revoked';
  if (linkExpiresAtMs !== delivery.expiresAtMs) return 'superseded';
  if (now >= delivery.expiresAtMs) return 'expired';
  if (delivery.remaining <= 0) return 'used_up';
  return null;
}

/** The token of a delivery's current link (deterministic: the same delivery and expiry always sign the same token). */
export function downloadToken(delivery: { id: string; tenantId: string; expiresAtMs: number }, keyMaterial: string): string {
  return signLink({ purpose: DOWNLOAD_LINK_PURPOSE, id: delivery.id, tenantId: delivery.tenantId, expiresAt: delivery.expiresAtMs }, keyMaterial);
}

/** What a download token names: the delivery and the expiry it was signed with, or why it is refused. */
export function readDownloadToken(
  token: string,
  keyMaterial: string,
  now: number,
): { deliveryId: string; tenantId: string; expiresAtMs: number } | 'invalid' | 'expired' {
  const claims = verifyLink(token, DOWNLOAD_LINK_PURPOSE, keyMaterial, now);
  if (typeof claims === 'string') return claims;
  return { deliveryId: claims.id, tenantId: claims.tenantId, expiresAtMs: claims.expiresAt };
}

/** The public URL of a download token. */
export function downloadUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/store/downloads/${token}`;
}
