// A PostgreSQL LISTEN on a dedicated connection that reconnects with backoff and heartbeats (store origins and API keys use it).
import pg from 'pg';
import type { Logger } from '../config/logger.ts';

const RECONNECT_MIN_MS = 1_000;
const RECONNECT_MAX_MS = 30_000;
// A connection can die without a word (a failover, a NAT dropping it): TCP keepalive would notice after hours, so a
// heartbeat asks every HEARTBEAT_MS and gives the connection up when no answer came within HEARTBEAT_TIMEOUT_MS.
const HEARTBEAT_MS = 400;
const HEARTBEAT_TIMEOUT_MS = 600;

/** What to listen to and whom to tell: each notification's payload, and each time the connection goes up or down. */
export type PgListenerOptions = {
  channel: string;
  logger?: Logger;
  onNotify(payload: string): void;
  /** Called with true once listening, false when the connection is lost: notifications sent meanwhile are lost. */
  onState(listening: boolean): void;
};

/** One LISTEN connection; `listening` says whether notifications currently arrive. */
export class PgListener {
  readonly #opts: PgListenerOptions;
  #client: pg.Client | undefined;
  #listening = false;
  #closed = false;
  #retryMs = RECONNECT_MIN_MS;
  #retryTimer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(opts: PgListenerOptions) {
    if (!/^[a-z_]+$/.test(opts.channel)) throw new Error(`invalid channel name ${opts.channel}`);
    this.#opts = opts;
  }

  /** Whether the LISTEN connection is up. */
  get listening(): boolean {
    return this.#listening;
  }

  /** Starts listening, reconnecting with backoff; does not wait for the connection. */
  start(databaseUrl: string): void {
    void this.#connect(databaseUrl);
  }

  /** Stops listening (shutdown). */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    clearInterval(this.#heartbeat);
    const client = this.#client;
    this.#client = undefined;
    this.#listening = false;
    await client?.end().catch(() => {});
  }

  async #connect(databaseUrl: string): Promise<void> {
    if (this.#closed) return;
    const { channel, logger } = this.#opts;
    const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000, keepAlive: true, application_name: `${channel}-listener` });
    client.on('notification', (n) => this.#opts.onNotify(n.payload ?? ''));
    client.on('error', (err) => {
      logger?.warn({ err, channel }, 'listener connection failed; reconnecting');
      void client.end().catch(() => {});
    });
    client.on('end', () => {
      if (this.#client !== client) return;
      this.#client = undefined;
      this.#listening = false;
      this.#opts.onState(false);
      this.#retry(databaseUrl);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
    } catch (err) {
      logger?.warn({ err, channel }, 'listener could not connect; caches fall back to their short TTL meanwhile');
      void client.end().catch(() => {});
      this.#retry(databaseUrl);
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
    this.#listening = true;
    this.#retryMs = RECONNECT_MIN_MS;
    this.#opts.onState(true);
    this.#beat(client, databaseUrl);
  }

  #beat(client: pg.Client, databaseUrl: string): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = setInterval(() => {
      if (this.#client !== client) return clearInterval(this.#heartbeat);
      const deadline = setTimeout(() => this.#drop(client, databaseUrl, new Error(`no answer within ${HEARTBEAT_TIMEOUT_MS} ms`)), HEARTBEAT_TIMEOUT_MS);
      deadline.unref();
      client.query('SELECT 1').then(
        () => clearTimeout(deadline),
        (err: unknown) => {
          clearTimeout(deadline);
          this.#drop(client, databaseUrl, err);
        },
      );
    }, HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  /** Gives up a connection that stopped answering: callers hear `false` at once, and a new connection is tried. */
  #drop(client: pg.Client, databaseUrl: string, err: unknown): void {
    if (this.#client !== client) return;
    this.#opts.logger?.warn({ err, channel: this.#opts.channel }, 'listener connection stopped answering; reconnecting');
    clearInterval(this.#heartbeat);
    this.#client = undefined;
    this.#listening = false;
    this.#opts.onState(false);
    void client.end().catch(() => {});
    this.#retry(databaseUrl);
  }

  #retry(databaseUrl: string): void {
    if (this.#closed) return;
    const delay = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, RECONNECT_MAX_MS);
    this.#retryTimer = setTimeout(() => void this.#connect(databaseUrl), delay);
    this.#retryTimer.unref();
  }
}
