// The signed download links of digital deliveries, built the same way by the API (order answers) and the e-mail activity.
import type { Config } from '../config/config.ts';
import { downloadToken, downloadUrl } from '../domain/digital.ts';
import { linkSigningKey } from './link-signing-key.ts';

/** The public address download links start with: PUBLIC_URL, else this process on localhost. */
export function publicBaseUrl(config: Pick<Config, 'PUBLIC_URL' | 'PORT'> | undefined): string {
  return config?.PUBLIC_URL ?? `http://localhost:${config?.PORT ?? 3000}`;
}

/** The current link of a delivery: HMAC-signed over its id, tenant and expiry (a reissue's new expiry makes a new link). */
export function downloadLink(
  config: Pick<Config, 'PUBLIC_URL' | 'PORT' | 'LINK_SIGNING_KEY' | 'WEBHOOK_SECRET_KEY'> | undefined,
  delivery: { id: string; tenantId: string; expiresAtMs: number },
): string {
  return downloadUrl(publicBaseUrl(config), downloadToken(delivery, linkSigningKey(config)));
}
