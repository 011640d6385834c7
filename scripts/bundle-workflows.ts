// `node scripts/bundle-workflows.ts <out.js>`: bundles workflows/index.ts for workers (also usable in an image build).
import { renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: node scripts/bundle-workflows.ts <out.js>\n');
  process.exit(2);
}
const { code } = await bundleWorkflowCode({
  workflowsPath: fileURLToPath(new URL('../workflows/index.ts', import.meta.url)),
  logger: new DefaultLogger('WARN'),
});
// Write then rename, so a worker never loads a half-written bundle.
writeFileSync(`${out}.${process.pid}.tmp`, code);
renameSync(`${out}.${process.pid}.tmp`, out);
