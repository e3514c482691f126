import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const APP = join(import.meta.dirname, '..', '..', 'examples', 'marketplace-app');

/** Builds the web app into `examples/marketplace-app/dist`, which the demo server serves at `/`. */
export function buildApp(): void {
  const vite = join(APP, 'node_modules', 'vite', 'bin', 'vite.js');
  const res = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: APP,
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(`vite build failed (${res.status}):\n${res.stdout}\n${res.stderr}`);
}
