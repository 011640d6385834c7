// What the logs say about a request's URL: the path only (query strings carry tokens), with secret path segments masked.
import type { Request } from 'express';

// Route parameters that are credentials themselves (e.g. /store/downloads/:token).
const SECRET_PARAM = /^:(token|secret|key|api_key|access_token)$/i;

/** The request's path without its query string; a matched route's credential segments read `[redacted]`. */
export function loggedPath(req: Request): string {
  const path = req.originalUrl.split('?')[0];
  const pattern: unknown = req.route?.path;
  if (typeof pattern !== 'string' || !pattern.split('/').some((part) => SECRET_PARAM.test(part))) return path;
  const full = `${req.baseUrl}${pattern}`.split('/');
  const given = path.split('/');
  if (full.length !== given.length) return `${req.baseUrl}${pattern}`;
  return given.map((part, i) => (SECRET_PARAM.test(full[i]) ? '[redacted]' : part)).join('/');
}
