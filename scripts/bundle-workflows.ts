// `node scripts/bundle-workflows.ts <out.js> [--tracing]`: bundles workflows/index.ts for workers (also usable in an image
// build); `--tracing` adds the OpenTelemetry workflow interceptors (for workers with OTEL_EXPORTER_OTLP_ENDPOINT).
import { renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { workflowBundleOptions } from '../workers/bundle-options.ts';

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: node scripts/bundle-workflows.ts <out.js> [--tracing]\n');
  process.exit(2);
}
const { code } = await bundleWorkflowCode({
  ...workflowBundleOptions(),
  logger: new DefaultLogger('WARN'),
  // Not imported by workflows/: the interceptors are the deployment's choice, and workflows/ imports only the SDK.
  ...(process.argv.includes('--tracing')
    ? { workflowInterceptorModules: [createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')] }
    : {}),
});
// Write then rename, so a worker never loads a half-written bundle.
writeFileSync(`${out}.${process.pid}.tmp`, code);
renameSync(`${out}.${process.pid}.tmp`, out);
