// Builds the workflow bundle in a short-lived child process: webpack's memory never stays in the worker.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Writes the bundle of workflows/index.ts to `.data/workflow-bundle.js` (or `outFile`) and returns its path. */
export async function bundleWorkflowsInChild(outFile = path.join(root, '.data', 'workflow-bundle.js')): Promise<string> {
  mkdirSync(path.dirname(outFile), { recursive: true });
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', path.join(root, 'scripts', 'bundle-workflows.ts'), outFile], {
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
