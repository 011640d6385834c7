// Browser origins a store admits: `scheme://host[:port]`, or `scheme://host:*` for any port (local development).

/** At most this many origins per store: an allow-list, not a directory of every site. */
export const MAX_ALLOWED_ORIGINS = 50;

/** Longest origin pattern accepted (hosts are at most 253 characters; schemes and ports are short). */
export const MAX_ORIGIN_LENGTH = 300;

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const ORIGIN_PATTERN = new RegExp(`^([a-z][a-z0-9+.-]{0,31})://(${LABEL}(?:\\.${LABEL})*|\\[[0-9a-f:.]+\\])(?::(\\*|[0-9]{1,5}))?$`);
const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443' };

/**
 * Checks and normalises one origin pattern (lower case, default port dropped, as browsers send `Origin`).
 * Returns the pattern, or an error message saying what is wrong.
 */
export function normalizeOriginPattern(text: string): { pattern: string } | { error: string } {
  const lowered = text.trim().toLowerCase();
  const match = ORIGIN_PATTERN.exec(lowered);
  if (!match) {
    if (lowered === '*' || lowered.includes('*.')) return { error: 'wildcards are allowed only as the port (http://localhost:*); list each host' };
    if (/^[a-z][a-z0-9+.-]*:\/\/[^/]+\/./.test(lowered) || lowered.endsWith('/')) return { error: 'an origin has no path: scheme://host[:port]' };
    return { error: 'not an origin: scheme://host[:port] with an ASCII (punycode) host, e.g. https://shop.example.jp' };
  }
  const [, scheme, given, port] = match;
  // Browsers serialise IPv6 hosts in their shortest form: compare against that form.
  const host = given.startsWith('[') ? ipv6Host(given) : given;
  if (!host) return { error: 'the bracketed host is not an IPv6 address' };
  if (port && port !== '*' && (Number(port) < 1 || Number(port) > 65535)) return { error: 'the port must be 1-65535 or *' };
  const keptPort = port && port !== DEFAULT_PORTS[scheme] ? `:${port}` : '';
  return { pattern: `${scheme}://${host}${keptPort}` };
}

function ipv6Host(bracketed: string): string | null {
  try {
    return new URL(`http://${bracketed}`).hostname;
  } catch {
    return null;
  }
}

/** Answers whether an `Origin` header value matches a set of normalised patterns. */
export type OriginMatcher = { allows(origin: string): boolean; readonly empty: boolean };

/** Builds a matcher over normalised patterns: exact origins, and `scheme://host` bases of `:*` patterns. */
export function originMatcher(patterns: Iterable<string>): OriginMatcher {
  const exact = new Set<string>();
  const anyPort = new Set<string>();
  for (const p of patterns) {
    if (p.endsWith(':*')) anyPort.add(p.slice(0, -2));
    else exact.add(p);
  }
  const empty = exact.size === 0 && anyPort.size === 0;
  return {
    empty,
    allows(origin: string): boolean {
      if (empty) return false;
      if (exact.has(origin)) return true;
      if (anyPort.size === 0) return false;
      // `Origin` is already serialised by the browser (lower case, no default port): strip a numeric port.
      const base = /^(.*):[0-9]{1,5}$/.exec(origin)?.[1] ?? origin;
      return anyPort.has(base);
    },
  };
}
