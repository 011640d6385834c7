// What the worker loads into its workflow sandbox. It re-runs every module of the bundle for each workflow run it starts
// or replays, so a library that builds objects at load costs that on every run: zod did (checkout ceiling 1/s, a worker
// at 2.4 GB under 20 checkouts/s), until its views moved to contracts/*-views.ts, which workflows never import.
import { readFileSync } from 'node:fs';
import { workflowBundle } from '../helpers/stack.ts';

/** The packages whose modules the bundle holds (webpack names each module by its path). */
function bundledPackages(code: string): string[] {
  const names = [...code.matchAll(/\/\*\*\*\/ "\.\/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].map((m) => m[1]);
  return [...new Set(names)].sort();
}

describe('workflow bundle', () => {
  test('when the workflows are bundled, then only the Temporal SDK and its own dependencies are in it, and no zod', () => {
    const code = readFileSync(workflowBundle().codePath, 'utf8');
    const packages = bundledPackages(code);
    expect(packages).toContain('@temporalio/workflow');
    expect(packages).not.toContain('zod');
    expect(packages.filter((p) => !p.startsWith('@temporalio/'))).toEqual(['long', 'ms', 'nexus-rpc']);
  });
});
