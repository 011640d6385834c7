// The webhook POST checks the address it connects to, not only the one seen at registration (DNS rebinding).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InternalAddressError, postWebhook } from '../../providers/webhooks/post.ts';

let receiver: Server;
let port = 0;
let hits = 0;
beforeAll(async () => {
  receiver = createServer((_req, res) => {
    hits++;
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  port = (receiver.address() as AddressInfo).port;
});
afterAll(async () => new Promise((resolve) => receiver.close(resolve)));

const send = (host: string, allowPrivate: boolean) =>
  postWebhook(new URL(`http://${host}:${port}/hooks`), '{}', { 'content-type': 'application/json' }, { timeoutMs: 2000, allowPrivate });

test('when a host name resolves to a loopback address at delivery time, then the connection is refused before any byte is sent', async () => {
  await expect(send('localhost', false)).rejects.toBeInstanceOf(InternalAddressError);
  await expect(send('127.0.0.1', false)).rejects.toBeInstanceOf(InternalAddressError);
  await expect(send('[::ffff:127.0.0.1]', false)).rejects.toBeInstanceOf(InternalAddressError);
  await expect(send('[::ffff:0:7f00:1]', false)).rejects.toBeInstanceOf(InternalAddressError);
  await expect(send('[::127.0.0.1]', false)).rejects.toBeInstanceOf(InternalAddressError);
  expect(hits).toBe(0);
});

test('when private addresses are allowed (local development), then the same POST is delivered and its status returned', async () => {
  expect(await send('localhost', true)).toBe(204);
  expect(hits).toBe(1);
});

test('when the host does not resolve, then it is a plain network error (retried), not a refusal', async () => {
  const failure = await send('no-such-host.invalid', false).then(
    () => null,
    (err: NodeJS.ErrnoException) => err,
  );
  expect(failure).toMatchObject({ code: expect.stringMatching(/^(ENOTFOUND|EAI_AGAIN)$/) });
  expect(failure).not.toBeInstanceOf(InternalAddressError);
});
