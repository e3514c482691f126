import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without declarations
import * as drift from '../../scripts/exports-drift.mjs';

// `src/` is published, so the condition that resolves our TypeScript sources is scoped to our name
// (`@intelgraph/source`): a generic `source` condition set in a consumer's build would pick up our raw
// `.ts` files. These checks keep the generic name out of every exports map, script, config and doc.

const { bareSourceConditions, unscopedSourceConditions } = drift as {
  bareSourceConditions: (target: unknown) => string[];
  unscopedSourceConditions: (text: string) => string[];
};
const root = join(import.meta.dirname, '..', '..');
// The rule's own files spell out the patterns they look for.
const rule = [join('tests', 'build', basename(import.meta.filename)), join('scripts', 'exports-drift.mjs')];

/** The repository's files (tracked and new, not ignored), relative to the root. */
const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\0')
  .filter((f) => f !== '' && existsSync(join(root, f)));
const text = /\.(?:[cm]?[jt]sx?|json|sh|md|ya?ml)$|^\.ci\/run$|^run$/;

describe('the @intelgraph/source condition', () => {
  it('is the only source condition in any package.json exports map', () => {
    const found: string[] = [];
    for (const file of files.filter((f) => basename(f) === 'package.json')) {
      const pkg: { exports?: unknown } = JSON.parse(readFileSync(join(root, file), 'utf8'));
      const exports = typeof pkg.exports === 'object' && pkg.exports !== null ? pkg.exports : {};
      for (const [subpath, target] of Object.entries(exports)) {
        for (const at of bareSourceConditions(target)) found.push(`${file} ${subpath} : ${at}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('is what every script, config and doc selects (never the unscoped `source`)', () => {
    const checked = files.filter((f) => text.test(f) && !rule.includes(f) && !f.includes('test-corpus/'));
    expect(checked).toContain('package.json');
    expect(checked).toContain('vitest.config.ts');
    const found = checked.flatMap((file) =>
      unscopedSourceConditions(readFileSync(join(root, file), 'utf8')).map((hit) => `${file} ${hit}`),
    );
    expect(found).toEqual([]);
  });

  it('finds each way of selecting the unscoped condition', () => {
    const cases: Array<[string, string[]]> = [
      ['node --no-node-snapshot --conditions=source --import tsx main.ts', ['line 1: --conditions=source']],
      ['intelgraph-plugin build . --conditions source', ['line 1: --conditions source']],
      ['node -C source main.ts', ['line 1: -C source']],
      ["execArgv: [\n  '--conditions',\n  'source',\n]", ["line 2: --conditions', 'source"]],
      ['"customConditions": ["source"]', ['line 1: Conditions": ["source"']],
      ["resolve: { conditions: ['source', ...defaultServerConditions] }", ["line 1: conditions: ['source'"]],
      ["conditionNames: ['import', 'source', 'node']", ["line 1: conditionNames: ['import', 'source'"]],
      ["externalConditions: ['source']", ["line 1: Conditions: ['source'"]],
    ];
    for (const [input, want] of cases) expect(unscopedSourceConditions(input), input).toEqual(want);
  });

  it('leaves the scoped condition and lookalikes alone', () => {
    for (const ok of [
      'node --conditions=@intelgraph/source --import tsx main.ts',
      "'--conditions', '@intelgraph/source'",
      'node -C @intelgraph/source main.ts',
      'node --conditions=source-maps main.ts',
      "conditions: ['@intelgraph/source', 'node']",
      'Tests run through the `source` export condition.',
    ]) {
      expect(unscopedSourceConditions(ok), ok).toEqual([]);
    }
  });

  it('finds a bare source condition at any depth of an export', () => {
    expect(
      bareSourceConditions({
        '@intelgraph/source': './src/index.ts',
        import: { source: './src/index.ts', default: './dist/index.js' },
        source: './src/index.ts',
      }),
    ).toEqual(['import.source', 'source']);
  });
});
