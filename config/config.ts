// The one config schema: zod over environment variables, validated once at start-up.
import { z } from 'zod';
import { parseDuration, parseDurationList } from '../domain/duration.ts';
import { CARD_PROVIDERS } from '../providers/payments/index.ts';
import { parseRate } from '../domain/rate.ts';
import { parseTrustProxy } from './trust-proxy.ts';
import { parseOldKeys, parsePayloadKey } from '../providers/codec/payload-keys.ts';

const parsed = <T>(fallback: string, parse: (text: string) => T) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      try {
        return parse(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    });

const duration = (fallback: string) => parsed(fallback, parseDuration);
// A duration with no default (undefined when unset).
const optionalDuration = z
  .string()
  .optional()
  .transform((text, ctx) => {
    if (text === undefined) return undefined;
    try {
      return parseDuration(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

// `a, b,c` → ['a', 'b', 'c']; unset or empty → undefined.
const commaList = z
  .string()
  .optional()
  .transform((text) =>
    text
      ? text
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean)
      : undefined,
  );

const optionalText = z.string().trim().min(1).optional().catch(undefined);

const checked = (parse: (text: string) => unknown) =>
  z
    .string()
    .optional()
    .superRefine((text, ctx) => {
      if (text === undefined) return;
      try {
        parse(text);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    });

const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => (v === undefined ? fallback : v === 'true' || v === '1'));

/** Environment variables the product reads, with defaults. */
export const configSchema = z.object({
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/commerce'),
  TEMPORAL_ADDRESS: optionalText,
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('commerce'),
  TEMPORAL_UI_URL: z.string().url().default('http://localhost:8233'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** The built back-office web app served at /dashboard (`npm run build:dashboard`), relative to the working directory. */
  DASHBOARD_DIR: z.string().min(1).default('dashboard/dist'),
  MEILI_HOST: optionalText,
  MEILI_API_KEY: optionalText,
  CART_HOLD_TTL: duration('15m'),
  /** How long after a cart's first hold its watcher starts (at most half CART_HOLD_TTL); a cart checked out sooner never needs one. */
  HOLD_WATCH_DELAY: duration('5s'),
  BANK_TRANSFER_TIMEOUT: duration('72h'),
  PAYMENT_REMINDER_BEFORE: duration('24h'),
  HOLD_SWEEP_INTERVAL: duration('1m'),
  VENDOR_SHIP_SLA: duration('48h'),
  DUNNING_RETRY_SCHEDULE: parsed('1d,3d,5d,7d', parseDurationList),
  // Dunning: what a subscription becomes after its last failed retry.
  DUNNING_EXHAUSTED_STATUS: z.enum(['cancelled', 'unpaid']).default('cancelled'),
  CARD_PAYMENT_PROVIDER: z.enum(CARD_PROVIDERS).default('test'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  WORKFLOW_BUNDLE_PATH: optionalText,
  MEILI_INDEX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/, 'letters, digits, - and _')
    .default('products'),
  OUTBOX_RELAY_ENABLED: flag(true),
  OUTBOX_RELAY_INTERVAL: duration('1s'),
  OUTBOX_RELAY_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  OUTBOX_RELAY_TENANTS: commaList,
  WEBHOOK_SECRET_KEY: z.string().min(16, 'at least 16 characters').optional(),
  WEBHOOK_ALLOW_PRIVATE_URLS: flag(false),
  // Signs expiring links (export downloads, digital deliveries); unset → derived from WEBHOOK_SECRET_KEY.
  LINK_SIGNING_KEY: z.string().min(16, 'at least 16 characters').optional(),
  WEBHOOK_RETRY_INITIAL: duration('10s'),
  WEBHOOK_RETRY_MAX_INTERVAL: duration('1h'),
  WEBHOOK_RETRY_FOR: duration('72h'),
  EMAIL_TRANSPORT: z
    .string()
    .default('log')
    .refine((t) => t === 'log' || /^smtps?:\/\//.test(t), 'log, or an smtp:// or smtps:// URL'),
  EMAIL_FROM: z.string().min(3).default('Shop <no-reply@localhost>'),
  OPERATIONS_EMAIL: z.string().min(3).default('operations@localhost'),
  // Browser storefronts (CORS per store): how long a process trusts its copy of the stores' origins when its
  // LISTEN connection is down, and how long browsers may cache a preflight answer.
  CORS_ORIGINS_CACHE_TTL: duration('5s'),
  CORS_PREFLIGHT_MAX_AGE: duration('10m'),
  // Storefront catalog answers kept in memory (api/catalog-cache.ts): stock figures in lists and search lag by at most this.
  CATALOG_CACHE_ENABLED: flag(true),
  CATALOG_CACHE_TTL: duration('1s'),
  // Staff keys (issue 12): how long a process trusts a cached key lookup while its LISTEN connection is up (revocations
  // arrive by NOTIFY; without it entries live 1 s), and how often it writes the keys' last_used_at in one batch.
  API_KEY_CACHE_TTL: duration('30s'),
  API_KEY_TOUCH_INTERVAL: duration('60s'),
  // Cart holds that cannot be hoarded (issue 9). Lines stay at most 1,000 units so line totals remain safe integers.
  MAX_LINE_QUANTITY: z.coerce.number().int().min(1).max(1000).default(100),
  CART_HOLD_MAX_LIFETIME: duration('2h'),
  // Rate limits (issue 9): per publishable key + client address on /store, per credential on /admin and /vendor.
  STORE_RATE_LIMIT: parsed('600/min', parseRate),
  ADMIN_RATE_LIMIT: parsed('1200/min', parseRate),
  RATE_LIMIT_SYNC_INTERVAL: duration('1s'),
  // 401 answers per client address: a caller inventing a key per request would otherwise never meet a limit.
  AUTH_FAILURE_LIMIT: parsed('60/min', parseRate),
  TRUST_PROXY: parsed('false', parseTrustProxy),
  // Secrets (issue 9): payload encryption of workflow histories, the codec endpoint's staff sessions.
  NODE_ENV: optionalText,
  TEMPORAL_PAYLOAD_KEY: checked(parsePayloadKey),
  TEMPORAL_PAYLOAD_KEY_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, ., - and _ (at most 64)')
    .optional(),
  TEMPORAL_PAYLOAD_OLD_KEYS: checked(parseOldKeys),
  STAFF_SESSION_TTL: duration('8h'),
  // Storefront customer accounts: session token lifetime, and the failed sign-ins one e-mail may make per window.
  CUSTOMER_TOKEN_TTL: duration('30d'),
  SIGN_IN_FAILURE_LIMIT: z.coerce.number().int().min(1).max(1000).default(5),
  SIGN_IN_FAILURE_WINDOW: duration('15m'),
  CODEC_TENANT_IDS: commaList,
  // Bounds (issue 9): billing intervals below a day only for tests and demos; how long a checkout (storefront) and any
  // other workflow answer (back office: refunds, confirmations, shipping, subscriptions) is waited for before 503.
  ALLOW_SHORT_BILLING_INTERVALS: flag(false),
  CHECKOUT_ANSWER_TIMEOUT: duration('20s'),
  PROCESS_ANSWER_TIMEOUT: duration('30s'),
  // Observability (issue 15): the worker's Prometheus port (0 = none), and OTLP/HTTP trace export when an endpoint is set.
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  // Performance (issue 14): open workflows kept in the worker's sticky cache. The SDK's default follows the heap limit
  // (about 2,300 on this machine), so memory grew with every open order; an evicted workflow replays its history on its
  // next task (fulfillments wait days between tasks, so they are the ones evicted). 100 since the workflow modules are
  // preloaded (a replay no longer evaluates them again): under 20 checkouts/s the same rate as 250, 30-35 MB less.
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(100),
  // The hot task queue's worker (domain/task-queues.ts): at most this many workflow tasks, activities and local activities
  // at once, beside the ordinary worker's own slots, so a flash sale queues on its own slots, not on the store's (at least
  // 2: the SDK raises fewer workflow-task slots to 2).
  WORKER_HOT_SLOTS: z.coerce.number().int().min(2).max(1000).default(20),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).max(100).default('temporal-commerce'),
  // Order repair (issue 15): how often the order-reconciler Schedule looks for open orders without a live process, and
  // how old an order must be before it looks (unset: 2 × CHECKOUT_ANSWER_TIMEOUT, so it never races a checkout in flight).
  RECONCILE_ENABLED: flag(true),
  RECONCILE_INTERVAL: duration('1m'),
  RECONCILE_GRACE: optionalDuration,
  // Group buying (issue 17 scope 4): how long the card gateway keeps an authorization; a campaign must end within it.
  CARD_AUTHORIZATION_VALIDITY: duration('7d'),
  // Bulk work (issue 18): the largest CSV accepted (bytes), rows per import chunk, chunks per run before continue-as-new,
  // and how long a signed export download link works.
  IMPORT_MAX_BYTES: z.coerce.number().int().min(1024).max(200_000_000).default(20_000_000),
  IMPORT_CHUNK_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
  IMPORT_CHUNKS_PER_RUN: z.coerce.number().int().min(1).max(10_000).default(100),
  EXPORT_LINK_TTL: duration('15m'),
  // Files and digital products (issue 18): where uploaded bytes live, the largest upload, and the address download links
  // in e-mails and order answers start with (unset: http://localhost:PORT).
  FILE_STORAGE_DIR: z.string().trim().min(1).default('.data/files'),
  FILE_UPLOAD_MAX_BYTES: z.coerce.number().int().min(1).max(1_073_741_824).default(52_428_800),
  PUBLIC_URL: z.string().url().optional(),
});

// Production never runs on the development keys written in the source.
const PRODUCTION_REQUIRED = ['WEBHOOK_SECRET_KEY', 'TEMPORAL_PAYLOAD_KEY'] as const;

/** Validated configuration. Durations are milliseconds. */
export type Config = z.infer<typeof configSchema>;

/** Parses config from an env map; throws an Error listing every bad variable. */
export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable (`PORT=`) means unset, not zero or an empty string.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const result = configSchema.safeParse(given);
  const issues = result.success ? [] : result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  if (given.NODE_ENV === 'production') {
    for (const name of PRODUCTION_REQUIRED)
      if (!given[name]) issues.push({ path: name, message: 'required when NODE_ENV=production (the built-in development key is public)' });
  }
  if (result.success && !issues.length) return result.data;
  const lines = issues.map((i) => `  ${i.path}: ${i.message}`);
  throw new Error(`invalid configuration:\n${lines.join('\n')}`);
}

/** Loads config for an entry point: on error prints a clear message and exits 1. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): Config {
  try {
    return parseConfig(env);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
}
