// Picks the search backend from config: Meilisearch when MEILI_HOST is set, PostgreSQL otherwise.
import type { DatabasePool } from 'slonik';
import type { Config } from '../../config/config.ts';
import { MeiliSearchBackend } from './meilisearch.ts';
import { PostgresSearch } from './postgres.ts';
import type { SearchBackend } from './types.ts';

/** The configured search backend. */
export function createSearchBackend(config: Pick<Config, 'MEILI_HOST' | 'MEILI_API_KEY' | 'MEILI_INDEX'>, pool: DatabasePool): SearchBackend {
  return config.MEILI_HOST
    ? new MeiliSearchBackend({ host: config.MEILI_HOST, apiKey: config.MEILI_API_KEY, index: config.MEILI_INDEX })
    : new PostgresSearch(pool);
}

export type { SearchBackend } from './types.ts';
