// The dashboard's only way to the server: the public HTTP API with the staff key in the Authorization header.
import { t } from './i18n/index.ts';

const KEY = 'staff_api_key';
// Every request is bounded: a stuck server shows an error instead of a spinner forever.
const REQUEST_TIMEOUT_MS = 30_000;

/** An API refusal (application/problem+json) or a network failure, in words. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly fieldErrors: { path: string; message: string }[] = [],
  ) {
    super(detail);
  }
}

/** The signed-in key (session storage: this tab only, gone when it closes; never in a URL). */
export const session = {
  key: (): string | null => sessionStorage.getItem(KEY),
  set: (key: string) => sessionStorage.setItem(KEY, key),
  clear: () => sessionStorage.removeItem(KEY),
};

let onSignedOut: () => void = () => {};
/** Called when the API says the key is no longer valid (revoked, expired). */
export function whenSignedOut(listener: () => void): void {
  onSignedOut = listener;
}

/** Calls the API; resolves with the JSON body (undefined for 204) or rejects with an ApiProblem. */
export async function api<T>(method: string, path: string, body?: unknown, key = session.key()): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: {
        Accept: 'application/json',
        ...(key ? { Authorization: `Bearer ${key}` } : {}),
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiProblem(0, 'network', t('error.network'));
  }
  if (res.status === 204) return undefined as T;
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const p = (json ?? {}) as { code?: string; detail?: string; title?: string; errors?: { path: string; message: string }[] };
    if (res.status === 401 && key === session.key()) {
      session.clear();
      onSignedOut();
    }
    throw new ApiProblem(res.status, p.code ?? String(res.status), p.detail ?? p.title ?? res.statusText, p.errors ?? []);
  }
  return json as T;
}

/** A page of a list, as every list route answers. */
export type Page<T> = { items: T[]; next_cursor: string | null };

/** `path?query` with the empty values left out. */
export function withQuery(path: string, query: Record<string, string | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
