// `npm run build:dashboard`: builds the back-office web app (dashboard/ → dashboard/dist, gitignored) with Vite, from the
// project's own sources and node_modules only (no network). Skipped when the sources and toolchain are unchanged since the
// last build (a hash kept in dashboard/dist/.source-hash), so `npm start` and the test setup pay for it once.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const sources = path.join(root, 'dashboard');
const dist = path.join(sources, 'dist');
const stamp = path.join(dist, '.source-hash');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.name !== 'dist' && e.name !== 'node_modules')
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

/** A hash of the dashboard's sources and of the toolchain versions that turn them into dist/. */
function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of filesUnder(sources)) hash.update(path.relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  for (const pkg of ['vite', 'preact']) hash.update(readFileSync(path.join(root, 'node_modules', pkg, 'package.json')));
  return hash.digest('hex');
}

/** Builds dist/ unless it is current; returns whether it built. */
export async function buildDashboard(): Promise<boolean> {
  const wanted = sourceHash();
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return false;
  const { build } = await import('vite');
  await build({ configFile: path.join(sources, 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(stamp, wanted);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const built = await buildDashboard();
  process.stdout.write(`dashboard ${built ? 'built' : 'up to date'} in ${path.relative(process.cwd(), dist) || dist} (${Date.now() - started} ms)\n`);
}
