// Picks the file-storage provider from config: local disk (the only one testable here; object storage implements FileStorage).
import path from 'node:path';
import type { Config } from '../../config/config.ts';
import { LocalDiskStorage } from './local-disk.ts';
import type { FileStorage } from './storage.ts';

export type { FileStorage, StoredBytes } from './storage.ts';

/** The configured file storage: FILE_STORAGE_DIR on local disk (relative paths resolve from the working directory). */
export function createFileStorage(config: Pick<Config, 'FILE_STORAGE_DIR'>): FileStorage {
  return new LocalDiskStorage(path.resolve(config.FILE_STORAGE_DIR));
}
