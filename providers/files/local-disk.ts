// Local-disk file storage (FILE_STORAGE_DIR, default .data/files): each key is one file; uploads land in tmp/ first.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NotFoundError, PayloadTooLargeError, ValidationError } from '../../domain/errors.ts';
import type { FileStorage, StoredBytes } from './storage.ts';

// Keys are built by the API (`<tenant>/<file id>`); this refuses anything that could climb out of the directory.
const SAFE_KEY = /^[A-Za-z0-9_-]{1,100}(\/[A-Za-z0-9_-]{1,100}){0,3}$/;
const HEAD_BYTES = 16;

/** Counts, hashes and keeps the first bytes of what flows through; fails once past `maxBytes`. */
function measuring(maxBytes: number) {
  const hash = createHash('sha256');
  let size = 0;
  let head = Buffer.alloc(0);
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > maxBytes) return done(new PayloadTooLargeError(`the file is larger than ${maxBytes} bytes`, { max_bytes: maxBytes }));
      if (head.length < HEAD_BYTES) head = Buffer.concat([head, chunk.subarray(0, HEAD_BYTES - head.length)]);
      hash.update(chunk);
      done(null, chunk);
    },
  });
  return { stream, result: (): StoredBytes => ({ size, sha256: hash.digest('hex'), head }) };
}

/** Files on local disk under `dir`. */
export class LocalDiskStorage implements FileStorage {
  private readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  async put(key: string, body: Readable, opts: { maxBytes: number }): Promise<StoredBytes> {
    const target = this.pathOf(key);
    const tmp = path.join(this.dir, 'tmp', `${randomUUID()}.part`);
    await mkdir(path.dirname(tmp), { recursive: true });
    await mkdir(path.dirname(target), { recursive: true });
    const measure = measuring(opts.maxBytes);
    try {
      await pipeline(body, measure.stream, createWriteStream(tmp, { flags: 'wx' }));
      await rename(tmp, target);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return measure.result();
  }

  async open(key: string): Promise<Readable> {
    const file = this.pathOf(key);
    const found = await stat(file).catch(() => null);
    if (!found?.isFile()) throw new NotFoundError('file', key);
    return createReadStream(file);
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  private pathOf(key: string): string {
    if (!SAFE_KEY.test(key)) throw new ValidationError('invalid storage key');
    return path.join(this.dir, key);
  }
}
