import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Loads every public entry point from dist/ (not the sources) in a plain Node process, once through
// `import` and once through `require`, and checks both expose the same names.
// Run after `pnpm build`; .ci/run does.
const root = join(import.meta.dirname, '..', '..');
const packages = readdirSync(join(root, 'packages')).map((name) => {
  const dir = join(root, 'packages', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, unknown>;
  };
  // Data files (package.json, adapters' schema.graphql) are exported too, but are not modules.
  const subpaths = Object.keys(pkg.exports).filter((k) => k !== './package.json' && !k.endsWith('.graphql'));
  return {
    dir,
    name: pkg.name,
    specifiers: subpaths.map((s) => (s === '.' ? pkg.name : `${pkg.name}/${s.slice(2)}`)),
  };
});

function keysVia(dir: string, mode: 'import' | 'require', specifier: string): string[] {
  const script =
    mode === 'import'
      ? `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default' && k !== 'module.exports').sort()))`
      : `const m = require(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m).sort()))`;
  const out = execFileSync(
    process.execPath,
    ['--no-node-snapshot', ...(mode === 'import' ? ['--input-type=module'] : []), '-e', script],
    {
      cwd: dir, // packages resolve themselves by name through their own exports map
      encoding: 'utf8',
    },
  );
  return JSON.parse(out) as string[];
}

describe('built entry points', () => {
  it('every package has been built', () => {
    for (const p of packages)
      expect(existsSync(join(p.dir, 'dist')), `${p.name} has no dist/: run pnpm build`).toBe(true);
  });

  for (const p of packages) {
    for (const specifier of p.specifiers) {
      it(`${specifier} loads through import and require with the same exports`, () => {
        const esm = keysVia(p.dir, 'import', specifier);
        const cjs = keysVia(p.dir, 'require', specifier);
        expect(cjs).toEqual(esm);
      });
    }
  }

  it('core exposes its kernel from both module systems', () => {
    const dir = join(root, 'packages', 'core');
    for (const mode of ['import', 'require'] as const) {
      expect(keysVia(dir, mode, '@intelgraph/core')).toEqual(
        expect.arrayContaining([
          'IntelGraphError',
          'parseManifest',
          'verifyAuditChain',
          'createManualClock',
          'sequentialIds',
        ]),
      );
    }
  });
});
