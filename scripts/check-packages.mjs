// Checks every published package's LICENSE, then runs publint and @arethetypeswrong/cli on it (after
// `pnpm build`).
// Fails (exit 1) on any error from either tool.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportsDrift } from './exports-drift.mjs';

const root = new URL('..', import.meta.url).pathname;
const dirs = readdirSync(join(root, 'packages')).map((d) => join(root, 'packages', d));
let failed = 0;
for (const dir of dirs) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const { name, private: priv } = pkg;
  if (priv) continue;
  // Our own rules, before the tools: the license travels with every package.
  const own = [];
  if (pkg.license !== 'Apache-2.0') own.push(`license is ${pkg.license}, not Apache-2.0`);
  if (!existsSync(join(dir, 'LICENSE'))) own.push('no LICENSE file');
  if (!pkg.files?.includes('LICENSE')) own.push('LICENSE is not listed in files');
  // The exports map and the build script name the same entry points (scripts/exports-drift.mjs).
  own.push(...exportsDrift(pkg));
  if (own.length > 0) failed++;
  console.log(`${own.length === 0 ? 'ok  ' : 'FAIL'} ${'own'.padEnd(8)} ${name} (license, exports vs build)`);
  for (const o of own) console.log(`     ${o}`);
  // Exports that are data files (the published GraphQL SDL) have no types for attw to resolve.
  const dataExports = Object.keys(pkg.exports ?? {}).filter((k) => /\.(graphql|json)$/.test(k));
  for (const [tool, args] of [
    ['publint', ['publint', '--strict', dir]],
    // node10 cannot see subpath exports; we support Node >= 22 and bundlers, i.e. the node16 profile.
    [
      'attw',
      [
        'attw',
        '--pack',
        dir,
        '--profile',
        'node16',
        '--format',
        'table-flipped',
        ...(dataExports.length > 0 ? ['--exclude-entrypoints', ...dataExports] : []),
      ],
    ],
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
