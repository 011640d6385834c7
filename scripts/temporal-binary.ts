// Locates the Temporal CLI (which embeds the dev server and Web UI), building it from Go modules when absent.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';

/** Temporal CLI version we build: the newest tag `go install` accepts (DESIGN.md §8). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

// No import.meta here: jest's global setup loads this file through a CommonJS transform.
/** Project root: $APP_ROOT, else the nearest directory above the cwd holding this script (npm runs scripts at the root). */
export function projectRoot(): string {
  if (process.env.APP_ROOT) return path.resolve(process.env.APP_ROOT);
  let dir = process.cwd();
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'scripts', 'temporal-binary.ts'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** First executable named `name` on PATH (plus extra dirs), or null. */
export function whichSync(name: string, extraDirs: string[] = []): string | null {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...extraDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    // stdout goes to our stderr too: callers may use stdout for machine-readable output.
    const child = spawn(cmd, args, { env, stdio: ['ignore', process.stderr, process.stderr] });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/**
 * Path of a runnable `temporal` CLI: PATH, then <root>/.tools/bin, else built there with `go install`.
 * Null when there is neither a binary nor Go (the caller may then let the SDK download one).
 */
export async function findTemporalBinary(): Promise<string | null> {
  const root = projectRoot();
  const binDir = path.join(root, '.tools', 'bin');
  const local = path.join(binDir, 'temporal');
  const found = whichSync('temporal') ?? (isExecutable(local) ? local : null);
  if (found) return found;

  // /usr/local/go/bin is where the Go tarball installs, often missing from non-login PATHs.
  const go = whichSync('go', ['/usr/local/go/bin']);
  const pkg = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;
  if (!go) return null;
  process.stderr.write(`[temporal] building the Temporal CLI ${TEMPORAL_CLI_VERSION} into ${binDir} (first run only; takes a few minutes)…\n`);
  const code = await run(go, ['install', pkg], { ...process.env, GOBIN: binDir });
  if (code !== 0 || !isExecutable(local)) {
    throw new Error(`\`GOBIN=${binDir} ${go} install ${pkg}\` failed (exit ${code}); see the output above.`);
  }
  process.stderr.write(`[temporal] built ${local}\n`);
  return local;
}
