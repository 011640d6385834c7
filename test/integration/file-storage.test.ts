// The local-disk file storage: streams in (hash and size as they flow), stops past its limit keeping nothing, refuses keys
// that would leave its directory.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { LocalDiskStorage } from '../../providers/files/local-disk.ts';
import { PayloadTooLargeError, ValidationError } from '../../domain/errors.ts';

let dir: string;
let storage: LocalDiskStorage;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'file-storage-test-'));
  storage = new LocalDiskStorage(dir);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** A stream of `chunks` random chunks of 64 KiB, as an upload arrives. */
function chunked(chunks: number): { stream: Readable; bytes: Buffer } {
  const parts = Array.from({ length: chunks }, () => randomBytes(64 * 1024));
  return { stream: Readable.from(parts), bytes: Buffer.concat(parts) };
}

describe('local-disk file storage', () => {
  test('when a stream is stored, then its size, sha256 and first bytes are measured and it reads back identical', async () => {
    const { stream, bytes } = chunked(8);
    const stored = await storage.put('ten_a/fil_1', stream, { maxBytes: bytes.length });
    expect(stored).toEqual({ size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), head: bytes.subarray(0, 16) });
    const back = await buffer(await storage.open('ten_a/fil_1'));
    expect(Buffer.compare(back, bytes)).toBe(0);
  });

  test('when a stream passes the limit, then it is refused with PayloadTooLargeError and no file, complete or partial, is left', async () => {
    const { stream } = chunked(4);
    await expect(storage.put('ten_a/fil_2', stream, { maxBytes: 100 * 1024 })).rejects.toBeInstanceOf(PayloadTooLargeError);
    await expect(storage.open('ten_a/fil_2')).rejects.toMatchObject({ code: 'not_found' });
    expect(await readdir(path.join(dir, 'tmp'))).toEqual([]);
  });

  test('when a key would climb out of the directory, then it is refused', async () => {
    for (const key of ['../escape', 'ten_a/../../x', '/etc/passwd', 'a b']) {
      await expect(storage.put(key, Readable.from([Buffer.from('x')]), { maxBytes: 10 })).rejects.toBeInstanceOf(ValidationError);
    }
  });
});
