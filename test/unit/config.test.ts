// The config schema: defaults, durations in ms, clear errors naming the variable, exit 1 from an entry point.
import { spawn } from 'node:child_process';
import { parseConfig } from '../../config/config.ts';
import { checkCodecTenant } from '../../api/codec-access.ts';

describe('parseConfig', () => {
  test('when no variable is set, then the documented defaults apply', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/commerce',
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'commerce',
      PORT: 3000,
      CART_HOLD_TTL: 15 * 60_000,
      BANK_TRANSFER_TIMEOUT: 72 * 3_600_000,
      DUNNING_RETRY_SCHEDULE: [1, 3, 5, 7].map((d) => d * 86_400_000),
      LOG_LEVEL: 'info',
    });
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
    expect(config.MEILI_HOST).toBeUndefined();
  });

  test('when durations are given in the short syntax, then they become milliseconds', () => {
    const config = parseConfig({ CART_HOLD_TTL: '2s', BANK_TRANSFER_TIMEOUT: '500ms', DUNNING_RETRY_SCHEDULE: '1s,2s', PORT: '8080' });
    expect(config).toMatchObject({ CART_HOLD_TTL: 2_000, BANK_TRANSFER_TIMEOUT: 500, DUNNING_RETRY_SCHEDULE: [1_000, 2_000], PORT: 8080 });
  });

  test('when a duration is not valid, then the error names the variable and the bad value', () => {
    expect(() => parseConfig({ CART_HOLD_TTL: 'banana' })).toThrow(/CART_HOLD_TTL: invalid duration "banana"/);
    expect(() => parseConfig({ BANK_TRANSFER_TIMEOUT: '0s' })).toThrow(/BANK_TRANSFER_TIMEOUT: .*must be positive/);
    expect(() => parseConfig({ DUNNING_RETRY_SCHEDULE: '1d,never' })).toThrow(/DUNNING_RETRY_SCHEDULE: invalid duration "never"/);
  });

  test('when several variables are bad, then every one of them is listed', () => {
    let message = '';
    try {
      parseConfig({ CART_HOLD_TTL: 'x', PORT: '99999', LOG_LEVEL: 'loud' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^invalid configuration:/);
    expect(message).toContain('CART_HOLD_TTL');
    expect(message).toContain('PORT');
    expect(message).toContain('LOG_LEVEL');
  });

  test.each(['65536', '-1', '3000.5', 'http'])('when PORT is %j, then it is rejected', (port) => {
    expect(() => parseConfig({ PORT: port })).toThrow(/PORT/);
  });

  test('when PORT is at the ends of the range, then it is accepted', () => {
    expect(parseConfig({ PORT: '0' }).PORT).toBe(0);
    expect(parseConfig({ PORT: '65535' }).PORT).toBe(65535);
  });

  test('when PORT is set but empty, then it is not silently taken as port 0 (a random port)', () => {
    // `PORT=` (e.g. compose's `PORT: ${PORT}` with PORT unset) must mean the default or an error, never "any free port".
    let port: number | 'rejected';
    try {
      port = parseConfig({ PORT: '' }).PORT;
    } catch {
      port = 'rejected';
    }
    expect(port).not.toBe(0);
  });

  test('when DATABASE_URL is not a URL, then it is rejected by name', () => {
    expect(() => parseConfig({ DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL/);
  });
});

describe('loadConfigOrExit', () => {
  test('when the API starts with CART_HOLD_TTL=banana, then it exits 1 and stderr names CART_HOLD_TTL', async () => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'api/main.ts'], {
      cwd: process.cwd(),
      // Only what the config reads: nothing else may make it fail or let it reach a database.
      env: { PATH: process.env.PATH ?? '', CART_HOLD_TTL: 'banana', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', TEMPORAL_ADDRESS: '127.0.0.1:1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`api/main.ts did not exit; stdout: ${stdout}; stderr: ${stderr}`));
      }, 30_000);
      child.once('error', reject);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code).toBe(1);
    expect(stderr).toContain('invalid configuration');
    expect(stderr).toMatch(/CART_HOLD_TTL: invalid duration "banana"/);
    // A config error is a message, not a crash with a stack trace.
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe('secrets in production', () => {
  const key = Buffer.alloc(32, 7).toString('base64');

  test('when NODE_ENV=production lacks WEBHOOK_SECRET_KEY and TEMPORAL_PAYLOAD_KEY, then the config names both', () => {
    expect(() => parseConfig({ NODE_ENV: 'production' })).toThrow(/WEBHOOK_SECRET_KEY: required when NODE_ENV=production[\s\S]*TEMPORAL_PAYLOAD_KEY: required/);
    expect(() => parseConfig({ NODE_ENV: 'production', WEBHOOK_SECRET_KEY: 'a-long-enough-webhook-key' })).toThrow(/TEMPORAL_PAYLOAD_KEY/);
  });

  test('when NODE_ENV=production has both keys, then the config loads', () => {
    const config = parseConfig({ NODE_ENV: 'production', WEBHOOK_SECRET_KEY: 'a-long-enough-webhook-key', TEMPORAL_PAYLOAD_KEY: key });
    expect(config.TEMPORAL_PAYLOAD_KEY).toBe(key);
  });

  test.each(['short', Buffer.alloc(16).toString('base64'), 'z'.repeat(64), `${'a'.repeat(63)}`])(
    'when TEMPORAL_PAYLOAD_KEY is %j (not 32 bytes), then it is rejected by name',
    (bad) => {
      expect(() => parseConfig({ TEMPORAL_PAYLOAD_KEY: bad })).toThrow(/TEMPORAL_PAYLOAD_KEY: must be 32 bytes/);
    },
  );

  test('when the key is 64 hex digits or base64, then both are accepted, and old keys take id:key', () => {
    expect(() => parseConfig({ TEMPORAL_PAYLOAD_KEY: 'ab'.repeat(32), TEMPORAL_PAYLOAD_OLD_KEYS: `k1:${key},${'cd'.repeat(32)}` })).not.toThrow();
    expect(() => parseConfig({ TEMPORAL_PAYLOAD_OLD_KEYS: 'k1:nope' })).toThrow(/TEMPORAL_PAYLOAD_OLD_KEYS/);
  });

  test('when the API starts with NODE_ENV=production and no keys, then it exits 1 naming the missing keys', async () => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'api/main.ts'], {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', TEMPORAL_ADDRESS: '127.0.0.1:1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`api/main.ts did not exit; stderr: ${stderr}`));
      }, 30_000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code).toBe(1);
    expect(stderr).toContain('WEBHOOK_SECRET_KEY: required when NODE_ENV=production');
    expect(stderr).toContain('TEMPORAL_PAYLOAD_KEY: required when NODE_ENV=production');
  });
});

test('when production names no CODEC_TENANT_IDS, then no tenant may decode histories; naming tenants lets only those decode, and development allows any', () => {
  expect(() => checkCodecTenant({ NODE_ENV: 'production', CODEC_TENANT_IDS: undefined }, 'ten_a')).toThrow(/CODEC_TENANT_IDS/);
  expect(() => checkCodecTenant({ NODE_ENV: 'production', CODEC_TENANT_IDS: ['ten_a'] }, 'ten_a')).not.toThrow();
  expect(() => checkCodecTenant({ NODE_ENV: 'production', CODEC_TENANT_IDS: ['ten_a'] }, 'ten_b')).toThrow(/may not decode/);
  expect(() => checkCodecTenant({ NODE_ENV: undefined, CODEC_TENANT_IDS: undefined }, 'ten_b')).not.toThrow();
});
