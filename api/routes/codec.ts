// The remote codec of the Temporal CLI and Web UI: POST /codec/decode and /codec/encode, plus the staff sign-in page.
import { Router } from 'express';
import cors from 'cors';
import type { Payload } from '@temporalio/common';
import { ValidationError } from '../../domain/errors.ts';
import { payloadCodec } from '../../providers/codec/data-converter.ts';
import type { ApiKeys, AppDeps } from '../context.ts';
import { codecAccess, codecOrigins } from '../codec-access.ts';
import { codecBody } from '../schemas.ts';

type JsonPayload = { metadata?: Record<string, string> | null; data?: string | null };

const fromJson = ({ metadata, data }: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: data ? Buffer.from(data, 'base64') : undefined,
});

const toJson = ({ metadata, data }: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: data ? Buffer.from(data).toString('base64') : undefined,
});

/** /codec/*: CORS for the Web UI's origin only (preflight answered before any credential check), then owner/admin access. */
export function codecRoutes(deps: AppDeps, apiKeys: ApiKeys): Router {
  const { pool, config } = deps;
  const codec = payloadCodec(config);
  const r = Router();
  r.use(
    '/codec',
    cors({ origin: codecOrigins(config), credentials: true, methods: ['POST'], allowedHeaders: ['Content-Type', 'X-Namespace', 'Authorization'], maxAge: 600 }),
  );
  r.use('/codec', (_req, res, next) => {
    // Decoded payloads are customers' data: never cached by a browser or proxy.
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  r.get('/codec/sign-in', (_req, res) => {
    res.type('html').send(SIGN_IN_PAGE);
  });
  const access = codecAccess(pool, config, apiKeys);
  for (const op of ['decode', 'encode'] as const) {
    r.post(`/codec/${op}`, access, async (req, res) => {
      const { payloads } = codecBody.parse(req.body);
      let result: Payload[];
      try {
        result = await codec[op](payloads.map(fromJson));
      } catch (err) {
        throw new ValidationError(`the payloads could not be ${op}d: ${(err as Error).message}`);
      }
      res.json({ payloads: result.map(toJson) });
    });
  }
  return r;
}

// No script and no inline style: works under a strict Content-Security-Policy. The form posts to /admin/session.
const SIGN_IN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Temporal Web UI: staff sign-in</title></head>
<body><main>
<h1>Decode workflow histories</h1>
<p>Sign in with an owner or admin API key. The API sets a short-lived, HttpOnly session cookie that the Temporal Web UI sends
to <code>/codec</code>, so it can show payloads decrypted.</p>
<form method="post" action="/admin/session">
<label>API key <input type="password" name="api_key" autocomplete="off" required></label>
<button type="submit">Sign in</button>
</form>
</main></body></html>
`;
