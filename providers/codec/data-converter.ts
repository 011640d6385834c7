// The data converter of every Temporal client and worker of the product: the default payload converter, then encryption.
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec.ts';
import { payloadKeys } from './payload-keys.ts';

/** The payload codec of a config (the API's /codec endpoints use it directly). */
export function payloadCodec(config: Parameters<typeof payloadKeys>[0]): EncryptionCodec {
  return new EncryptionCodec(payloadKeys(config));
}

/** `{ payloadCodecs: [encryption] }` for `new Client({ dataConverter })` and `Worker.create({ dataConverter })`. */
export function dataConverter(config: Parameters<typeof payloadKeys>[0]): DataConverter {
  return { payloadCodecs: [payloadCodec(config)] };
}
