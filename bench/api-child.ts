// The real API entry point (api/main.ts) as a child process of a bench script.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Spawns `api/main.ts` through scripts/run.sh (its runtime flags) with `env` added; resolves once it logs `api listening`, rejects if it exits first. */
export function startApi(env: Record<string, string>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['scripts/run.sh', 'api/main.ts'], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk;
      if (output.includes('api listening')) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`api exited with ${code}:\n${output.slice(-2000)}`)));
  });
}
