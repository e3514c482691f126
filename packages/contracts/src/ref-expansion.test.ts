import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCompatibility } from './compatibility.js';
import { compileContract } from './compiled-contract.js';
import { CONTRACT_LIMITS } from './limits.js';
import { assertBoundedExpansion, expandedSchemaSize } from './ref-expansion.js';
import { refusal } from './testing/refusal.js';

/** Definitions d0…d(levels-1), each using the next one `width` times through `key`, written with `ref`. */
function fanOut(
  levels: number,
  width: number,
  key = 'allOf',
  ref = (i: number) => ({ $ref: `#/$defs/d${i}` }),
) {
  const defs: Record<string, unknown> = {};
  for (let i = 0; i < levels; i++)
    defs[`d${i}`] = {
      $anchor: `d${i}`,
      [key]: Array.from({ length: width }, (_, j) =>
        i + 1 < levels ? { ...ref(i + 1), description: `use ${j}` } : { type: 'string', maxLength: 100 + j },
      ),
    };
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', $defs: defs, ...ref(0) };
}

describe('expanded schema size', () => {
  it('counts a shared definition at every use, and a recursive one once', () => {
    const shared = {
      $defs: { s: { type: 'string' } },
      properties: { a: { $ref: '#/$defs/s' }, b: { $ref: '#/$defs/s' } },
    };
    // root, properties, a (+ s), b (+ s)
    expect(expandedSchemaSize(shared, 1000)).toBe(6);
    const tree = {
      $defs: { t: { type: 'object', properties: { kids: { type: 'array', items: { $ref: '#/$defs/t' } } } } },
      $ref: '#/$defs/t',
    };
    expect(expandedSchemaSize(tree, 1000)).toBeLessThan(10);
  });

  it('equals a naive expansion for any acyclic graph of definitions (fast-check)', () => {
    const graph = fc.array(fc.array(fc.nat({ max: 5 }), { maxLength: 3 }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(graph, (edges) => {
        // d_i uses d_j only for j > i, so the graph is acyclic.
        const uses = edges.map((list, i) => list.map((j) => i + 1 + j).filter((j) => j < edges.length));
        const defs = Object.fromEntries(
          uses.map((list, i) => [`d${i}`, { allOf: list.map((j) => ({ $ref: `#/$defs/d${j}` })) }]),
        );
        const naive = (i: number): number => {
          const list = uses[i] ?? [];
          // d_i, then per use the ref object plus the definition behind it (an array adds nothing itself)
          return 1 + list.reduce((n, j) => n + 1 + naive(j), 0);
        };
        expect(expandedSchemaSize({ $defs: defs, $ref: '#/$defs/d0' }, 1e9)).toBe(1 + naive(0));
      }),
      { numRuns: 200 },
    );
  });

  it('resolves a `#/…` reference inside the resource it is written in (nested $id)', () => {
    const inner = {
      $id: 'https://example.com/inner.json',
      $defs: { s: { type: 'string' } },
      properties: { a: { $ref: '#/$defs/s' } },
    };
    // root, properties, inner, its $id'd properties, a (+ s)
    expect(expandedSchemaSize({ properties: { inner } }, 1000)).toBe(6);
  });

  it('a malformed escape in a reference resolves to nothing (no URIError escapes)', () => {
    expect(expandedSchemaSize({ properties: { a: { $ref: '#/%E0%A4%A' } } }, 1000)).toBe(3);
    const e = refusal(() => compileContract('json', { properties: { a: { $ref: '#/%E0%A4%A' } } }));
    expect(e.code).toBe('INVALID_INPUT');
  });

  it('many candidates per reference (one anchor name used 20 000 times) stay within the work bound', () => {
    const n = 20_000;
    const defs = Object.fromEntries(
      Array.from({ length: n }, (_, i) => [`d${i}`, { $anchor: 'same', type: 'string' }]),
    );
    const properties = Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, { $ref: '#same' }]));
    expect(expandedSchemaSize({ $defs: defs, properties }, 250_000)).toBe(250_001);
  });

  it('saturates just above the limit instead of counting on', () => {
    expect(expandedSchemaSize(fanOut(30, 3), 5000)).toBe(5001);
  });
});

describe('a schema whose $refs fan out is refused when compiled', () => {
  const cases = {
    'JSON pointers through allOf': fanOut(12, 4),
    'JSON pointers through anyOf': fanOut(12, 4, 'anyOf'),
    'JSON pointers through oneOf': fanOut(12, 4, 'oneOf'),
    'anchors ($anchor)': fanOut(12, 4, 'allOf', (i) => ({ $ref: `#d${i}` })),
    'two-way fan-out (width 2, 20 levels)': fanOut(20, 2),
  };
  it.each(Object.entries(cases))('%s: INVALID_INPUT with the limit', (_name, schema) => {
    const e = refusal(() => compileContract('json', schema));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(/expand to more than 250000 subschemas/);
    expect(e.details).toEqual({ limit: CONTRACT_LIMITS.maxExpandedSchemaNodes });
  });

  it('resources named by $id are followed too', () => {
    const defs: Record<string, unknown> = {};
    for (let i = 0; i < 12; i++)
      defs[`d${i}`] = {
        $id: `https://example.com/d${i}.json`,
        allOf: Array.from({ length: 4 }, () => (i < 11 ? { $ref: `d${i + 1}.json` } : { type: 'string' })),
      };
    const schema = { $id: 'https://example.com/root.json', $defs: defs, $ref: 'd0.json' };
    expect(refusal(() => assertBoundedExpansion(schema)).code).toBe('INVALID_INPUT');
  });

  it('the same shape a few levels shallower compiles and validates', () => {
    const c = compileContract('json', fanOut(6, 4));
    expect(c.validate('hello').ok).toBe(true);
    expect(c.validate(7).ok).toBe(false);
  });

  it('a deprecated field behind fanned-out $refs is refused before the deprecation scan walks it', () => {
    const schema = fanOut(12, 4, 'allOf', (i) => ({ $ref: `#/$defs/d${i}` }));
    const defs = schema.$defs as Record<string, { allOf: unknown[] }>;
    defs.d11 = { allOf: [{ type: 'object', properties: { old: { type: 'string', deprecated: true } } }] };
    expect(refusal(() => compileContract('json', schema)).code).toBe('INVALID_INPUT');
  });
});

describe('enum sizes', () => {
  it('more than 20 000 enum values together are refused before ajv checks them pairwise', () => {
    const half = (from: number) => ({ enum: Array.from({ length: 10_001 }, (_, i) => from + i) });
    const e = refusal(() => compileContract('json', { properties: { a: half(0), b: half(20_000) } }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(/enums list more than 20000 values/);
    expect(e.details).toEqual({ limit: CONTRACT_LIMITS.maxEnumValues });
    expect(compileContract('json', { properties: { a: { enum: [1, 2, 3] } } }).validate({ a: 2 }).ok).toBe(
      true,
    );
  });
});

describe('dependentRequired lists', () => {
  it('a list long enough to blow up the generated validator is refused before ajv compiles it', () => {
    const names = Array.from({ length: 8_000 }, (_, i) => `k${i}`);
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      dependentRequired: { a: names },
    };
    const e = refusal(() => compileContract('json', schema));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.details).toEqual({ limit: CONTRACT_LIMITS.maxDependentRequiredSquares, observed: 64_000_000 });
    const draft7 = refusal(() => compileContract('json', { dependencies: { a: names.slice(0, 400) } }));
    expect(draft7.code).toBe('INVALID_INPUT');
    const fine = compileContract('json', {
      $schema: schema.$schema,
      dependentRequired: { a: names.slice(0, 300) },
    });
    expect(fine.validate({ a: 1 }).ok).toBe(false);
    expect(fine.validate({ b: 1 }).ok).toBe(true);
  });
});

describe('patternProperties entries', () => {
  it('more than 256 together are refused before ajv compiles them (quadratic compile time)', () => {
    const entries = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`^k${i}$`, { type: 'string' }]));
    const e = refusal(() =>
      compileContract('json', {
        properties: { a: { patternProperties: entries(200) } },
        patternProperties: entries(57),
      }),
    );
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.details).toEqual({ limit: CONTRACT_LIMITS.maxPatternProperties, observed: 257 });
    expect(compileContract('json', { patternProperties: entries(256) }).validate({ k1: 'x' }).ok).toBe(true);
  });
});

describe('the compatibility check under a step budget', () => {
  it('compares oneOf branches with large enums in linear time (sets, not pairs)', () => {
    const n = 9_000;
    const left = { enum: Array.from({ length: n }, (_, i) => i) };
    const right = { enum: Array.from({ length: n }, (_, i) => i + n) };
    const old = { oneOf: [left, right] };
    const next = { oneOf: [left, right, { enum: ['a', 'b'] }] };
    const r = checkCompatibility(old, next, { format: 'json', mode: 'BACKWARD' });
    expect(r).toEqual({ compatible: true, issues: [] });
    const overlapping = { oneOf: [left, { enum: [...right.enum, n - 1] }] };
    expect(checkCompatibility(old, overlapping, { format: 'json', mode: 'BACKWARD' }).compatible).toBe(false);
  });

  it('answers "breaking both ways" with the reason when the cases multiply past the budget', () => {
    const old = fanOut(8, 4);
    const next = structuredClone(old) as { $defs: Record<string, { allOf: unknown[] }> };
    const last = next.$defs.d7;
    if (last) last.allOf[0] = { type: 'integer' };
    const full = checkCompatibility(old, next, { format: 'json', mode: 'FULL' });
    expect(full.compatible).toBe(false);
    expect(full.issues.map((i) => i.code).sort()).toEqual([
      'backward/keyword-changed',
      'forward/keyword-changed',
    ]);
    expect(full.issues[0]?.message).toMatch(/too complex to compare within 200000 steps/);
    expect(checkCompatibility(old, next, { format: 'json', mode: 'NONE' }).compatible).toBe(true);
    // An unchanged schema costs no steps, however complex.
    expect(checkCompatibility(old, structuredClone(old), { format: 'json', mode: 'FULL' }).compatible).toBe(
      true,
    );
  });
});
