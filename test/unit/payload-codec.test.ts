// The payload codec: encryption, key rotation, pass-through of old plain payloads, tampering; who may reach /codec.
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../providers/codec/encryption-codec.ts';
import { payloadKeys } from '../../providers/codec/payload-keys.ts';
import { checkCodecTenant, codecOrigins } from '../../api/codec-access.ts';
import { ForbiddenError } from '../../domain/errors.ts';

const keyA = Buffer.alloc(32, 1).toString('base64');
const keyB = Buffer.alloc(32, 2).toString('hex');
const text = (bytes?: Uint8Array | null) => Buffer.from(bytes ?? []).toString('utf8');
const secret = { access_token: 'tok_secret_123', address: '1-2-3 Marunouchi' };

test('when a payload is encoded, then its bytes hide the value and its metadata names the encoding and key id', async () => {
  const codec = new EncryptionCodec(payloadKeys({ TEMPORAL_PAYLOAD_KEY: keyA, TEMPORAL_PAYLOAD_KEY_ID: 'a1' }));
  const [encoded] = await codec.encode([defaultPayloadConverter.toPayload(secret)]);
  expect(text(encoded.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
  expect(text(encoded.metadata?.[KEY_ID_METADATA])).toBe('a1');
  expect(text(encoded.data)).not.toContain('tok_secret_123');
  const [decoded] = await codec.decode([encoded]);
  expect(defaultPayloadConverter.fromPayload(decoded)).toEqual(secret);
});

test('when the key rotates, then payloads of the old key decode through TEMPORAL_PAYLOAD_OLD_KEYS and new ones use the new key', async () => {
  const before = new EncryptionCodec(payloadKeys({ TEMPORAL_PAYLOAD_KEY: keyA }));
  const [old] = await before.encode([defaultPayloadConverter.toPayload(secret)]);
  const oldId = text(old.metadata?.[KEY_ID_METADATA]);
  const after = new EncryptionCodec(payloadKeys({ TEMPORAL_PAYLOAD_KEY: keyB, TEMPORAL_PAYLOAD_OLD_KEYS: `${oldId}:${keyA}` }));
  expect(defaultPayloadConverter.fromPayload((await after.decode([old]))[0])).toEqual(secret);
  const [fresh] = await after.encode([defaultPayloadConverter.toPayload(secret)]);
  expect(text(fresh.metadata?.[KEY_ID_METADATA])).not.toBe(oldId);
  // Without the old key the payload is refused with a message naming the missing key id, never decoded wrongly.
  const forgetful = new EncryptionCodec(payloadKeys({ TEMPORAL_PAYLOAD_KEY: keyB }));
  await expect(forgetful.decode([old])).rejects.toThrow(new RegExp(`no payload key with id "${oldId}"`));
});

test('when a payload was written before encryption, then decode passes it through untouched', async () => {
  const codec = new EncryptionCodec(payloadKeys({ TEMPORAL_PAYLOAD_KEY: keyA }));
  const plain = defaultPayloadConverter.toPayload(secret);
  expect((await codec.decode([plain]))[0]).toBe(plain);
});

test('when encrypted data is altered, then decode refuses it', async () => {
  const codec = new EncryptionCodec(payloadKeys({ TEMPORAL_PAYLOAD_KEY: keyA }));
  const [encoded] = await codec.encode([defaultPayloadConverter.toPayload(secret)]);
  const data = Buffer.from(encoded.data!);
  data[data.length - 20] ^= 1;
  await expect(codec.decode([{ ...encoded, data }])).rejects.toThrow(/does not decrypt/);
});

test("when CODEC_TENANT_IDS names the operator tenant, then another tenant's keys are refused and unset allows any tenant", () => {
  expect(() => checkCodecTenant({ CODEC_TENANT_IDS: ['ten_operator'] }, 'ten_shop')).toThrow(ForbiddenError);
  expect(() => checkCodecTenant({ CODEC_TENANT_IDS: ['ten_operator'] }, 'ten_operator')).not.toThrow();
  expect(() => checkCodecTenant({ CODEC_TENANT_IDS: undefined }, 'ten_shop')).not.toThrow();
});

test('when the Web UI is configured at localhost, then its 127.0.0.1 twin is an allowed codec origin too, and nothing else', () => {
  expect(codecOrigins({ TEMPORAL_UI_URL: 'http://localhost:8233' })).toEqual(['http://localhost:8233', 'http://127.0.0.1:8233']);
  expect(codecOrigins({ TEMPORAL_UI_URL: 'https://temporal.example.jp/ui' })).toEqual(['https://temporal.example.jp']);
});
