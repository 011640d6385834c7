// The workflow bundle's modules are preloaded once per worker thread and shared by every workflow (workers/bundle-options.ts):
// a module-level variable or collection would carry one workflow's state into another's, and break replay.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WORKFLOWS_ENTRY, workflowBundleOptions } from '../../workers/bundle-options.ts';

// Top-level statements start at column 0 (prettier); a declaration that can change after the module has loaded. Only the
// exports of a shared module are frozen, so a private collection would leak silently.
const MUTABLE_TOP_LEVEL = /^(?:export )?(?:(?:let|var) |const \w+.*= new (?:Map|Set|WeakMap|WeakSet)\b|default new )/;
// The packages shared modules may import for real (not `import type`): the SDK's, which keep their state per workflow.
const SHARED_PACKAGES = ['@temporalio/workflow', '@temporalio/common'];

/** What `source` imports or re-exports for real, side-effect imports too: `import type` and `export type` are erased. */
function importedSpecs(source: string): string[] {
  return [...source.matchAll(/^(?:import|export)\s+(?!type\b)(?:[^;']*?\bfrom\s+)?'([^']+)'/gm)].map(([, spec]) => spec!);
}

/** The project's own modules the entry imports for real, directly or not: what the bundle preloads. */
function modulesReachedFrom(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const spec of importedSpecs(source).filter((s) => s.startsWith('.'))) visit(path.resolve(path.dirname(file), spec));
  };
  visit(entry);
  return [...seen];
}

/** The lines of `source` that declare module-level state. */
function mutableTopLevel(source: string): string[] {
  return source.split('\n').filter((line) => MUTABLE_TOP_LEVEL.test(line));
}

/** The packages `source` imports or re-exports for real. */
function packagesImported(source: string): string[] {
  const packageOf = (spec: string) =>
    spec
      .split('/')
      .slice(0, spec.startsWith('@') ? 2 : 1)
      .join('/');
  return importedSpecs(source)
    .filter((spec) => !spec.startsWith('.'))
    .map(packageOf);
}

describe('workflow modules shared by every workflow of a worker', () => {
  test('when a bundle is built, then its entry is preloaded', () => {
    expect(workflowBundleOptions()).toEqual({ workflowsPath: WORKFLOWS_ENTRY, preloadModules: [WORKFLOWS_ENTRY] });
  });

  test('when a module declares a top-level let, var, Map or Set, then it is caught', () => {
    const caught = mutableTopLevel(
      [
        'let count = 0;',
        'export var x = 1;',
        'const seen = new Set<string>();',
        'const cache: Map<string, number> = new Map();',
        'const handlers: Map<string, () => void> = new Map();',
        'export default new Map();',
      ].join('\n'),
    );
    expect(caught).toHaveLength(6);
    expect(mutableTopLevel(["const KINDS: readonly string[] = ['a'];", '  let inner = 0;', 'function f() {}'].join('\n'))).toEqual([]);
  });

  test('when the bundle entry and everything it imports are read, then none keeps module-level state', () => {
    const modules = modulesReachedFrom(WORKFLOWS_ENTRY);
    const relative = modules.map((m) => path.relative(path.dirname(path.dirname(WORKFLOWS_ENTRY)), m));
    expect(relative).toEqual(expect.arrayContaining(['workflows/checkout.ts', 'workflows/changes.ts', 'domain/ids.ts', 'contracts/definitions.ts']));
    const offending = modules.flatMap((m) => mutableTopLevel(readFileSync(m, 'utf8')).map((line) => `${path.basename(m)}: ${line}`));
    expect(offending).toEqual([]);
  });

  test('when an import is read, then type-only ones are told from real ones', () => {
    const source = [
      "import type { Z } from 'zod';",
      "import { a, type B } from '@temporalio/workflow';",
      "import {\n  c,\n} from 'pg';",
      "export { d } from 'slonik';",
      "export type { E } from 'express';",
      "import './local.ts';",
    ].join('\n');
    expect(packagesImported(source)).toEqual(['@temporalio/workflow', 'pg', 'slonik']);
  });

  test('when the shared modules import packages, then only the SDK (a package of ours would be frozen and shared)', () => {
    const packages = new Set(modulesReachedFrom(WORKFLOWS_ENTRY).flatMap((m) => packagesImported(readFileSync(m, 'utf8'))));
    expect([...packages].filter((p) => !SHARED_PACKAGES.includes(p))).toEqual([]);
    expect(packages.has('@temporalio/workflow')).toBe(true);
  });
});
