// The architecture check (`npm run check:architecture`): the import directions of DESIGN.md §2, enforced with zero exceptions.
// Type-only imports count (tsPreCompilationDeps): a type import is still a dependency of the layer.

/** Every project folder, so a rule can say "no project code except …". */
const PROJECT = '^(api|contracts|workflows|activities|workers|db|domain|providers|config|scripts|bench|test|dashboard)/';

/** Packages that do I/O or belong to an edge: none of them belongs in a pure rule. */
const IO_PACKAGES =
  '^node_modules/(pg|pg-[^/]+|slonik|@slonik/[^/]+|express|cors|helmet|@temporalio/(client|worker|activity|testing)|meilisearch|nodemailer|pino|prom-client|node-pg-migrate|rate-limiter-flexible|ipaddr\\.js|supertest|autocannon)/';

module.exports = {
  forbidden: [
    {
      name: 'dashboard-stands-alone',
      severity: 'error',
      comment:
        'The dashboard is a browser app that reaches the server only through the public HTTP API: it imports its own files, preact and (its build config) vite.',
      from: { path: '^dashboard/' },
      to: { pathNot: ['^dashboard/', '^node_modules/(preact|vite)/'] },
    },
    {
      name: 'nothing-imports-the-dashboard',
      severity: 'error',
      comment: 'Server code serves the built dashboard as files; it never imports its sources.',
      from: { pathNot: '^dashboard/' },
      to: { path: '^dashboard/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one; break it by moving what both need into contracts/ or domain/.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'workflows-import-only-contracts-domain-sdk',
      severity: 'error',
      comment:
        'Workflows are deterministic and run in the Temporal sandbox: only @temporalio/workflow (and @temporalio/common), contracts/, domain/ and the builtins the sandbox allows (assert, url, util).',
      from: { path: '^workflows/' },
      to: { pathNot: ['^(workflows|contracts|domain)/', '^node_modules/@temporalio/(workflow|common)/', '^(node:)?(assert|url|util)$'] },
    },
    {
      name: 'domain-imports-no-project-folder',
      severity: 'error',
      comment: 'domain/ holds pure rules: it depends on nothing else in the project.',
      from: { path: '^domain/' },
      to: { path: PROJECT, pathNot: '^domain/' },
    },
    {
      name: 'domain-does-no-io',
      severity: 'error',
      comment: 'domain/ does no I/O: no database, HTTP, Temporal client/worker/activity, mail or logging package.',
      from: { path: '^domain/' },
      to: { path: IO_PACKAGES },
    },
    {
      name: 'domain-uses-only-pure-builtins',
      severity: 'error',
      comment: 'domain/ may use the computing builtins (crypto, util, assert, url, buffer), not fs, net, http, child_process and the like.',
      from: { path: '^domain/' },
      to: { dependencyTypes: ['core'], pathNot: '^(node:)?(assert|buffer|crypto|url|util)$' },
    },
    {
      name: 'contracts-import-only-domain',
      severity: 'error',
      comment: 'contracts/ is what layers share: it imports domain/, the SDK packages of the define* functions and zod, nothing else.',
      from: { path: '^contracts/' },
      to: { pathNot: ['^(contracts|domain)/', '^node_modules/(@temporalio/(workflow|common)|zod)/'] },
    },
    {
      name: 'api-not-to-activities-or-workflows',
      severity: 'error',
      comment: 'The API reaches workflows through contracts/ (inputs, updates, ids), never their code or the activities.',
      from: { path: '^api/' },
      to: { path: '^(activities|workflows)/' },
    },
    {
      name: 'api-schemas-not-to-db',
      severity: 'error',
      comment:
        'The HTTP contract (request schemas, the OpenAPI document, the response builders) takes its shapes from contracts/views.ts, not from the SQL layer.',
      from: { path: '^api/(schemas|openapi|views)[a-z-]*\\.ts$' },
      to: { path: '^db/' },
    },
    {
      name: 'activities-not-to-workflows-or-api',
      severity: 'error',
      comment: 'Activities are called by workflows; what they share lives in contracts/. They know nothing of HTTP.',
      from: { path: '^activities/' },
      to: { path: '^(workflows|api)/' },
    },
    {
      name: 'db-not-to-upper-layers',
      severity: 'error',
      comment: 'db/ owns transactions and SQL; it does not call providers, the API, activities or workflows.',
      from: { path: '^db/' },
      to: { path: '^(providers|api|activities|workflows)/' },
    },
    {
      name: 'providers-not-to-upper-layers',
      severity: 'error',
      comment: 'providers/ are adapters below the API, activities and workflows.',
      from: { path: '^providers/' },
      to: { path: '^(api|activities|workflows)/' },
    },
    {
      name: 'product-not-to-test',
      severity: 'error',
      comment: 'Test code lives under test/ and ships nowhere: product code, scripts and benchmarks never import it.',
      from: { pathNot: '^test/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(\\.data|\\.tools|coverage|bench/results|test/workflows/histories)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
