import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without declarations
import { functionsOf, isExcluded, measureRepo } from '../../scripts/long-functions.mjs';

interface Measured {
  name: string;
  line: number;
  lines: number;
}

const measure = functionsOf as (text: string, path?: string) => Measured[];
const repo = measureRepo as () => Array<Measured & { file: string }>;
const excluded = isExcluded as (path: string) => boolean;

const MAX = 150;

/** A factory whose body spans `2 + closures * 4 + 2` lines, no closure in it longer than 3 lines. */
function factorySource(closures: number): string {
  const lines = ['export function createThing(ctx: { n: number }) {', '  return {'];
  for (let i = 0; i < closures; i++) {
    lines.push(`    step${i}(x: number): number {`, `      return x + ctx.n + ${i};`, '    },', '');
  }
  lines.push('  };', '}', '', 'const short = () => 1;');
  return lines.join('\n');
}

describe('scripts/long-functions.mjs (pnpm lint:functions)', () => {
  it(`finds no function in packages/*/src spanning more than ${MAX} lines (split the ones listed into per-concern modules)`, () => {
    const over = repo()
      .filter((f) => f.lines > MAX)
      .map((f) => `${f.lines} ${f.file}:${f.line} ${f.name}`);
    expect(over).toEqual([]);
  });

  it('counts a factory including its nested closures, and each closure on its own', () => {
    const found = measure(factorySource(100));
    const factory = found.find((f) => f.name === 'createThing');
    // body: the opening line, `return {`, 100 closures of 4 lines, `};` and the closing brace.
    expect(factory).toEqual({ name: 'createThing', line: 1, lines: 1 + 1 + 400 + 2 });
    const steps = found.filter((f) => f.name.startsWith('step'));
    expect(steps).toHaveLength(100);
    expect(new Set(steps.map((s) => s.lines))).toEqual(new Set([3]));
    expect(found.find((f) => f.name === 'short')).toEqual({ name: 'short', line: 406, lines: 1 });
  });

  it('names arrow functions and function expressions by what they are bound to, methods and accessors by their own name', () => {
    const names = measure(
      [
        'const a = () => {};',
        'let b = function () {};',
        'const o = { c: () => 0, d() {}, get e() { return 1; } };',
        'class K { constructor() {} f() {} }',
        'list.map((x) => x);',
        'declare function g(): void;',
      ].join('\n'),
    ).map((f) => f.name);
    expect(names).toEqual(['a', 'b', 'c', 'd', 'e', 'constructor', 'f', '<callback of list.map>']);
  });

  it('leaves out tests, declaration files and generated code', () => {
    expect(excluded('packages/host/src/views.test.ts')).toBe(true);
    expect(excluded('packages/host/src/types.test-d.ts')).toBe(true);
    expect(excluded('packages/host/src/env.d.ts')).toBe(true);
    expect(excluded('packages/server/src/graphql/generated/resolvers.ts')).toBe(true);
    expect(excluded('packages/host/src/views.ts')).toBe(false);
  });
});
