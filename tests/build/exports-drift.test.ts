import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without declarations
import { exportsDrift } from '../../scripts/exports-drift.mjs';

const drift = exportsDrift as (pkg: unknown) => string[];
const root = join(import.meta.dirname, '..', '..');

describe('exports maps and build scripts agree', () => {
  for (const name of readdirSync(join(root, 'packages'))) {
    it(`@intelgraph/${name}`, () => {
      const pkg: unknown = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
      expect(drift(pkg)).toEqual([]);
    });
  }

  it('names each kind of drift', () => {
    const sub = (s: string) => ({
      '@intelgraph/source': `./src/${s}.ts`,
      import: { types: `./dist/${s}.d.ts`, default: `./dist/${s}.js` },
      require: { types: `./dist/${s}.d.cts`, default: `./dist/${s}.cjs` },
    });
    const ok = { exports: { '.': sub('index') }, scripts: { build: 'tsup src/index.ts --dts' } };
    expect(drift(ok)).toEqual([]);
    expect(drift({ ...ok, scripts: { build: 'tsup src/other.ts' } })).toEqual([
      '. : @intelgraph/source ./src/index.ts is not a build entry',
      'build entry src/other.ts is neither exported nor a bin',
    ]);
    const wrongDist = {
      ...ok,
      exports: { '.': { ...sub('index'), import: { types: './dist/x.d.ts', default: './dist/index.js' } } },
    };
    expect(drift(wrongDist)).toEqual([
      '. : import.types is ./dist/x.d.ts, the build writes ./dist/index.d.ts',
    ]);
    expect(drift({ ...ok, bin: { tool: './dist/cli.js' } })).toEqual(['bin src/cli.ts is not a build entry']);
    const { '@intelgraph/source': _, ...rest } = sub('index');
    expect(drift({ ...ok, exports: { '.': { source: './src/index.ts', ...rest } } })).toEqual([
      '. : source is a bare "source" condition, use "@intelgraph/source"',
      '. : no @intelgraph/source condition',
      'build entry src/index.ts is neither exported nor a bin',
    ]);
  });
});
