// Runs publint and @arethetypeswrong/cli on every published package (after `pnpm build`).
// Fails (exit 1) on any error from either tool.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dirs = readdirSync(join(root, 'packages')).map((d) => join(root, 'packages', d));
let failed = 0;
for (const dir of dirs) {
  const { name, private: priv } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (priv) continue;
  for (const [tool, args] of [
    ['publint', ['publint', '--strict', dir]],
    // node10 cannot see subpath exports; we support Node >= 22 and bundlers, i.e. the node16 profile.
    ['attw', ['attw', '--pack', dir, '--profile', 'node16', '--format', 'table-flipped']],
  ]) {
    const r = spawnSync('pnpm', ['exec', ...args], { cwd: root, encoding: 'utf8' });
    const ok = r.status === 0;
    if (!ok) failed++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${tool.padEnd(8)} ${name}`);
    if (!ok) console.log((r.stdout + r.stderr).trim().split('\n').slice(-25).join('\n'));
  }
}
if (failed > 0) {
  console.error(`${failed} package check(s) failed`);
  process.exit(1);
}
