// Builds the workflow bundle in a short-lived child process: webpack's memory never stays in the worker.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../config/logger.ts';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// A name the interceptors module defines and that survives bundling: tells a traced bundle from a plain one.
const TRACED_BUNDLE_MARKER = 'OpenTelemetryInboundInterceptor';

/**
 * Writes the bundle of workflows/index.ts to `.data/workflow-bundle.js` (or `outFile`) and returns its path;
 * `tracing` adds the OpenTelemetry workflow interceptors (default file `.data/workflow-bundle-traced.js`).
 */
export async function bundleWorkflowsInChild(outFile?: string, opts: { tracing?: boolean } = {}): Promise<string> {
  outFile ??= path.join(root, '.data', opts.tracing ? 'workflow-bundle-traced.js' : 'workflow-bundle.js');
  mkdirSync(path.dirname(outFile), { recursive: true });
  const args = [path.join(root, 'scripts', 'bundle-workflows.ts'), outFile, ...(opts.tracing ? ['--tracing'] : [])];
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', ...args], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`bundling the workflows failed (exit ${code}):\n${stderr.slice(-4000)}`);
  return outFile;
}

/**
 * The bundle a worker runs: the configured one unless tracing needs interceptors it lacks (a plain prebuilt bundle);
 * then, as without a configured one, a bundle built at start (with the interceptors when tracing).
 */
export async function workflowBundleFor(configured: string | undefined, tracing: boolean, logger: Logger): Promise<string> {
  if (configured && (!tracing || readFileSync(configured, 'utf8').includes(TRACED_BUNDLE_MARKER))) return configured;
  if (configured) logger.warn({ bundle: configured }, 'tracing is on but the workflow bundle has no tracing interceptors: bundling one with them');
  return bundleWorkflowsInChild(undefined, { tracing });
}
