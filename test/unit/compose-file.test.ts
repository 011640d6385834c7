// docker-compose.yml is read by hand by whoever deploys: these keep it in step with the code it runs.
import { readFileSync } from 'node:fs';
import { configSchema, parseConfig } from '../../config/config.ts';
import { SEARCH_ATTRIBUTE_TYPES } from '../../contracts/search-attributes.ts';

const compose = readFileSync('docker-compose.yml', 'utf8');

/** The `x-app-env` block: variable name → the value as written (with its `${VAR:-default}`). */
function appEnv(): Record<string, string> {
  const block = compose.slice(compose.indexOf('x-app-env:'), compose.indexOf('\nservices:'));
  return Object.fromEntries([...block.matchAll(/^ {2}([A-Z0-9_]+): (.*)$/gm)].map((m) => [m[1], m[2].replace(/^"(.*)"$/, '$1')]));
}

/** The value compose gives a variable when the shell sets nothing (`${X:-d}` → d, `${X:?…}` → a placeholder). */
function withDefaults(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, v.replace(/^\$\{[A-Z0-9_]+:-(.*)\}$/, '$1').replace(/^\$\{[A-Z0-9_]+:\?.*\}$/, 'x'.repeat(44))]),
  );
}

describe('docker-compose.yml', () => {
  test('when the app env is read, then every variable is one the config knows, and its defaults parse', () => {
    const env = appEnv();
    expect(Object.keys(env).length).toBeGreaterThan(20);
    expect(Object.keys(env).filter((k) => !(k in configSchema.shape))).toEqual([]);
    const parsed = parseConfig({ ...withDefaults(env), TEMPORAL_PAYLOAD_KEY: Buffer.alloc(32, 7).toString('base64') });
    expect(parsed.FILE_STORAGE_DIR).toBe('/data/files');
  });

  test('when the one-shot setup registers search attributes, then it registers exactly those the workflows use', () => {
    const line = /for sa in ([^;]+); do/.exec(compose)![1];
    const registered = Object.fromEntries(
      line
        .trim()
        .split(/\s+/)
        .map((pair) => pair.split('=')),
    );
    expect(registered).toEqual(SEARCH_ATTRIBUTE_TYPES);
  });

  test('when files are stored, then the api and the worker share one volume at FILE_STORAGE_DIR', () => {
    expect(compose.match(/- files:\/data\/files/g)).toHaveLength(2);
    expect(compose).toMatch(/^volumes:\n(?: {2}\S+:\n)* {2}files:/m);
  });

  test('when the Temporal server starts, then it reads our dynamic config, which turns eager activity dispatch on', () => {
    const path = /DYNAMIC_CONFIG_FILE_PATH: (\S+)/.exec(compose)![1];
    expect(compose).toContain(`- ./ops/temporal-dynamic-config.yaml:${path}:ro`);
    expect(readFileSync('ops/temporal-dynamic-config.yaml', 'utf8')).toMatch(/^system\.enableActivityEagerExecution:\n {2}- value: true$/m);
    // The dev server of npm start, the tests and the bench gets the same value on its command line.
    expect(readFileSync('scripts/temporal-dev-server.ts', 'utf8')).toContain("'system.enableActivityEagerExecution=true'");
  });
});
