// scripts/run.sh starts every npm script: the worker and the API each get the memory caps measured for them (issue 14).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Preloaded before the entry point: prints how node was started and exits, so the entry point itself never runs.
const probe = path.join(mkdtempSync(path.join(tmpdir(), 'run-sh-')), 'probe.mjs');
writeFileSync(probe, 'console.log(JSON.stringify({ execArgv: process.execArgv, arenas: process.env.MALLOC_ARENA_MAX ?? null })); process.exit(0);\n');

/** What node was started with when run.sh runs `script` with `env` added. */
function startedWith(script: string, env: Record<string, string> = {}): { semiSpace: string | null; arenas: string | null; heapGrowing: string | null } {
  const { MALLOC_ARENA_MAX: _, NODE_OPTIONS: __, WORKER_HEAP_GROWING_PERCENT: ___, ...inherited } = process.env;
  const out = execFileSync('bash', ['scripts/run.sh', '--import', probe, script], { env: { ...inherited, ...env }, encoding: 'utf8' });
  const { execArgv, arenas } = JSON.parse(out.trim().split('\n').at(-1)!) as { execArgv: string[]; arenas: string | null };
  const value = (name: string) => execArgv.find((a) => a.startsWith(`${name}=`))?.split('=')[1] ?? null;
  return { semiSpace: value('--max-semi-space-size'), arenas, heapGrowing: value('--heap-growing-percent') };
}

describe('scripts/run.sh runtime flags', () => {
  test('when it starts the worker, then its isolates get 2 MB semi-spaces, a 30 % old-generation growth and glibc two malloc arenas', () => {
    expect(startedWith('workers/main.ts')).toEqual({ semiSpace: '2', arenas: '2', heapGrowing: '30' });
  });

  test('when it starts the API, then the semi-spaces are 8 MB, which kept its product-list throughput, and V8 grows its heap as it likes', () => {
    expect(startedWith('api/main.ts')).toEqual({ semiSpace: '8', arenas: '2', heapGrowing: null });
  });

  test('when the operator sets their own, then run.sh adds no semi-space flag and keeps their arenas and growth', () => {
    expect(startedWith('workers/main.ts', { NODE_OPTIONS: '--max-semi-space-size=16', MALLOC_ARENA_MAX: '8', WORKER_HEAP_GROWING_PERCENT: '0' })).toEqual({
      semiSpace: null,
      arenas: '8',
      heapGrowing: '0',
    });
    expect(startedWith('workers/main.ts', { WORKER_HEAP_GROWING_PERCENT: '50' })).toEqual({ semiSpace: '2', arenas: '2', heapGrowing: '50' });
  });

  test("when the worker's growth is set, then the API still gets none: the flag is the worker's alone", () => {
    expect(startedWith('api/main.ts', { WORKER_HEAP_GROWING_PERCENT: '50' })).toEqual({ semiSpace: '8', arenas: '2', heapGrowing: null });
  });
});
