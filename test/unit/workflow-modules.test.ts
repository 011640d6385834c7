// The workflow bundle's modules are preloaded once per worker thread and shared by every workflow (workers/bundle-options.ts):
// a module-level variable or collection would carry one workflow's state into another's, and break replay.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WORKFLOWS_ENTRY, workflowBundleOptions } from '../../workers/bundle-options.ts';

// Top-level statements start at column 0 (prettier); a declaration that can change after the module has loaded.
const MUTABLE_TOP_LEVEL = /^(?:export )?(?:(?:let|var) |const \w+(?::[^=]+)? = new (?:Map|Set|WeakMap|WeakSet)\b)/;

/** The project's own modules the entry imports, directly or not (relative imports only: packages are the SDK's). */
function modulesReachedFrom(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const [, spec] of source.matchAll(/from '(\.{1,2}\/[^']+\.ts)'/g)) visit(path.resolve(path.dirname(file), spec!));
  };
  visit(entry);
  return [...seen];
}

/** The lines of `source` that declare module-level state. */
function mutableTopLevel(source: string): string[] {
  return source.split('\n').filter((line) => MUTABLE_TOP_LEVEL.test(line));
}

describe('workflow modules shared by every workflow of a worker', () => {
  test('when a bundle is built, then its entry is preloaded', () => {
    expect(workflowBundleOptions()).toEqual({ workflowsPath: WORKFLOWS_ENTRY, preloadModules: [WORKFLOWS_ENTRY] });
  });

  test('when a module declares a top-level let, var, Map or Set, then it is caught', () => {
    const caught = mutableTopLevel(
      ['let count = 0;', 'export var x = 1;', 'const seen = new Set<string>();', 'const cache: Map<string, number> = new Map();'].join('\n'),
    );
    expect(caught).toHaveLength(4);
    expect(mutableTopLevel(["const KINDS: readonly string[] = ['a'];", '  let inner = 0;', 'function f() {}'].join('\n'))).toEqual([]);
  });

  test('when the bundle entry and everything it imports are read, then none keeps module-level state', () => {
    const modules = modulesReachedFrom(WORKFLOWS_ENTRY);
    const relative = modules.map((m) => path.relative(path.dirname(path.dirname(WORKFLOWS_ENTRY)), m));
    expect(relative).toEqual(expect.arrayContaining(['workflows/checkout.ts', 'workflows/changes.ts', 'domain/ids.ts', 'contracts/definitions.ts']));
    const offending = modules.flatMap((m) => mutableTopLevel(readFileSync(m, 'utf8')).map((line) => `${path.basename(m)}: ${line}`));
    expect(offending).toEqual([]);
  });
});
