// One jest config for the whole suite. ESM-only dependencies (slonik 49, node-pg-migrate, p-queue…) are
// transformed to CommonJS by @swc/jest; types are checked separately by `tsc --noEmit`.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj)sx?$': ['@swc/jest', { jsc: { target: 'es2023', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  // Transform every ESM package; @temporalio is CommonJS and must stay untouched (its bundler reads its own files).
  transformIgnorePatterns: [
    '/node_modules/(?!(slonik|meilisearch|@slonik|p-queue|p-timeout|eventemitter3|serialize-error|roarr|node-pg-migrate|iso8601-duration|postgres-interval|strict-event-emitter-types|type-fest|non-error|@standard-schema)/)',
  ],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};
