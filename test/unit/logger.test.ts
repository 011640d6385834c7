// The product logger redacts credentials wherever a log object carries them; request paths lose query strings and credential segments.
import { Writable } from 'node:stream';
import type { Request } from 'express';
import { createLogger } from '../../config/logger.ts';
import { loggedPath } from '../../api/log-path.ts';

test('when a log object carries headers, passwords, tokens or keys, then the line shows [redacted] instead', () => {
  let out = '';
  const logger = createLogger(
    'info',
    'test',
    new Writable({
      write: (chunk, _e, done) => {
        out += String(chunk);
        done();
      },
    }),
  );
  logger.info(
    {
      req: {
        headers: {
          authorization: 'Bearer sk_live_secret',
          cookie: 'codec_session=v1.abc',
          'x-order-token': 'ord_tok_secret',
          'set-cookie': 'codec_session=v1.set',
        },
      },
      body: { password: 'hunter2hunter2', payment_token: 'tok_visa', shipping: { name: 'Hanako' } },
      api_key: 'sk_top',
      customer: { account: { token: 'ctok_deep' } },
    },
    'hello',
  );
  for (const secret of [
    'sk_live_secret',
    'codec_session=v1.abc',
    'codec_session=v1.set',
    'ord_tok_secret',
    'hunter2hunter2',
    'tok_visa',
    'sk_top',
    'ctok_deep',
  ])
    expect(out).not.toContain(secret);
  expect(out).toContain('[redacted]');
  expect(out).toContain('Hanako');
});

test('when a request path carries a query string or a credential route parameter, then the logged path has neither', () => {
  const req = (originalUrl: string, baseUrl = '', routePath?: string) =>
    ({ originalUrl, baseUrl, route: routePath ? { path: routePath } : undefined }) as unknown as Request;
  expect(loggedPath(req('/store/orders/ord_1?token=ot_secret'))).toBe('/store/orders/ord_1');
  expect(loggedPath(req('/store/downloads/dl_secret?x=1', '/store', '/downloads/:token'))).toBe('/store/downloads/[redacted]');
  expect(loggedPath(req('/store/products/prd_1', '/store', '/products/:id'))).toBe('/store/products/prd_1');
});
