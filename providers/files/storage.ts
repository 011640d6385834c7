// File-storage provider interface: where uploaded bytes live (local disk here; object storage plugs in behind the same calls).
import type { Readable } from 'node:stream';

/** What storing a stream found: its size, its SHA-256 (hex) and its first bytes (for content checks). */
export type StoredBytes = { size: number; sha256: string; head: Buffer };

/** Stores and serves the bytes of uploaded files under opaque keys (`<tenant>/<file id>`). */
export interface FileStorage {
  /**
   * Streams `body` into storage under `key`, never buffering it whole. Beyond `maxBytes` it stops, keeps nothing and
   * rejects with PayloadTooLargeError; the key becomes visible only once every byte is written.
   */
  put(key: string, body: Readable, opts: { maxBytes: number }): Promise<StoredBytes>;
  /** The stored bytes as a stream (NotFoundError when the key holds nothing). */
  open(key: string): Promise<Readable>;
  /** Forgets a key (no error when it holds nothing). */
  remove(key: string): Promise<void>;
}
