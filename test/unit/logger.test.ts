// The product logger redacts credentials wherever a log object carries them.
import { Writable } from 'node:stream';
import { createLogger } from '../../config/logger.ts';

test('when a log object carries headers, passwords, tokens or keys, then the line shows [redacted] instead', () => {
  let out = '';
  const logger = createLogger('info', 'test', new Writable({ write: (chunk, _e, done) => { out += String(chunk); done(); } }));
  logger.info({
    req: { headers: { authorization: 'Bearer sk_live_secret', cookie: 'codec_session=v1.abc', 'x-order-token': 'ord_tok_secret', 'set-cookie': 'codec_session=v1.set' } },
    body: { password: 'hunter2hunter2', payment_token: 'tok_visa', shipping: { name: 'Hanako' } },
    api_key: 'sk_top', customer: { account: { token: 'ctok_deep' } },
  }, 'hello');
  for (const secret of ['sk_live_secret', 'codec_session=v1.abc', 'codec_session=v1.set', 'ord_tok_secret', 'hunter2hunter2', 'tok_visa', 'sk_top', 'ctok_deep']) expect(out).not.toContain(secret);
  expect(out).toContain('[redacted]');
  expect(out).toContain('Hanako');
});
