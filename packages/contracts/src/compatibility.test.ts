import type { CompatibilityMode, SchemaFormat } from '@intelgraph/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMPATIBILITY_MODES, checkCompatibility, checkCompatibilityWithHistory } from './compatibility.js';
import { compileContract } from './compiled-contract.js';
import { jsonSchemaArbitrary, mutateSchema, payloadArbitrary } from './testing/schema-arbitraries.js';

interface Rule {
  name: string;
  format: SchemaFormat;
  old: unknown;
  next: unknown;
  /** What going from old to next breaks. */
  breaks: { backward: boolean; forward: boolean };
  /** A code (without the direction prefix) the issues must contain when a direction breaks. */
  code?: string;
}

const obj = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties,
  ...extra,
});

const JSON_RULES: Rule[] = [
  {
    name: 'type extended (string → string|null)',
    format: 'json',
    old: { type: 'string' },
    next: { type: ['string', 'null'] },
    breaks: { backward: false, forward: true },
    code: 'type-extended',
  },
  {
    name: 'type extended (integer → number)',
    format: 'json',
    old: { type: 'integer' },
    next: { type: 'number' },
    breaks: { backward: false, forward: true },
    code: 'type-extended',
  },
  {
    name: 'type changed (string → number)',
    format: 'json',
    old: { type: 'string' },
    next: { type: 'number' },
    breaks: { backward: true, forward: true },
    code: 'type-changed',
  },
  {
    name: 'required property added without default',
    format: 'json',
    old: obj({ a: { type: 'string' } }),
    next: obj({ a: { type: 'string' } }, { required: ['a'] }),
    breaks: { backward: true, forward: false },
    code: 'required-added',
  },
  {
    name: 'required property added with a default',
    format: 'json',
    old: obj({ a: { type: 'string' } }),
    next: obj({ a: { type: 'string', default: 'n/a' } }, { required: ['a'] }),
    breaks: { backward: false, forward: false },
  },
  {
    name: 'property added to an open content model',
    format: 'json',
    old: obj({ a: { type: 'string' } }),
    next: obj({ a: { type: 'string' }, b: { type: 'integer' } }),
    breaks: { backward: true, forward: false },
    code: 'property-added',
  },
  {
    name: 'property added to a closed content model',
    format: 'json',
    old: obj({ a: { type: 'string' } }, { additionalProperties: false }),
    next: obj({ a: { type: 'string' }, b: { type: 'integer' } }, { additionalProperties: false }),
    breaks: { backward: false, forward: true },
    code: 'property-added',
  },
  {
    name: 'property added to a partially open model, narrower than its additionalProperties',
    format: 'json',
    old: obj({}, { additionalProperties: { type: 'string' } }),
    next: obj({ b: { type: 'string', maxLength: 5 } }, { additionalProperties: { type: 'string' } }),
    breaks: { backward: true, forward: false },
    code: 'property-added',
  },
  {
    name: 'property added to a partially open model, same as its additionalProperties',
    format: 'json',
    old: obj({}, { additionalProperties: { type: 'string' } }),
    next: obj({ b: { type: 'string' } }, { additionalProperties: { type: 'string' } }),
    breaks: { backward: false, forward: false },
  },
  {
    name: 'property added to a partially open model (patternProperties)',
    format: 'json',
    old: obj({}, { patternProperties: { '^x_': { type: 'integer' } }, additionalProperties: false }),
    next: obj(
      { x_b: { type: 'integer', minimum: 0 } },
      { patternProperties: { '^x_': { type: 'integer' } }, additionalProperties: false },
    ),
    breaks: { backward: true, forward: false },
    code: 'property-added',
  },
  {
    name: 'content model closed',
    format: 'json',
    old: obj({ a: { type: 'string' } }),
    next: obj({ a: { type: 'string' } }, { additionalProperties: false }),
    breaks: { backward: true, forward: false },
    code: 'content-model-closed',
  },
  {
    name: 'enum extended',
    format: 'json',
    old: { enum: ['a', 'b'] },
    next: { enum: ['a', 'b', 'c'] },
    breaks: { backward: false, forward: true },
    code: 'enum-extended',
  },
  {
    name: 'enum changed',
    format: 'json',
    old: { enum: ['a', 'b'] },
    next: { enum: ['a', 'c'] },
    breaks: { backward: true, forward: true },
    code: 'enum-changed',
  },
  {
    name: 'const becomes an enum',
    format: 'json',
    old: { const: 'a' },
    next: { enum: ['a', 'b'] },
    breaks: { backward: false, forward: true },
  },
  {
    name: 'minimum raised',
    format: 'json',
    old: { type: 'integer', minimum: 0 },
    next: { type: 'integer', minimum: 5 },
    breaks: { backward: true, forward: false },
    code: 'bound-tightened',
  },
  {
    name: 'exclusive maximum loosened',
    format: 'json',
    old: { type: 'number', exclusiveMaximum: 10 },
    next: { type: 'number', maximum: 10 },
    breaks: { backward: false, forward: true },
    code: 'bound-loosened',
  },
  {
    name: 'maxLength lowered',
    format: 'json',
    old: { type: 'string', maxLength: 10 },
    next: { type: 'string', maxLength: 5 },
    breaks: { backward: true, forward: false },
    code: 'bound-tightened',
  },
  {
    name: 'minItems removed',
    format: 'json',
    old: { type: 'array', minItems: 2 },
    next: { type: 'array' },
    breaks: { backward: false, forward: true },
    code: 'bound-loosened',
  },
  {
    name: 'bounds on a type that is not allowed are ignored',
    format: 'json',
    old: { type: 'string' },
    next: { type: 'string', minimum: 3 },
    breaks: { backward: false, forward: false },
  },
  {
    name: 'multipleOf refined',
    format: 'json',
    old: { type: 'integer', multipleOf: 2 },
    next: { type: 'integer', multipleOf: 4 },
    breaks: { backward: true, forward: false },
    code: 'bound-tightened',
  },
  {
    name: 'pattern added',
    format: 'json',
    old: { type: 'string' },
    next: { type: 'string', pattern: '^[a-z]+$' },
    breaks: { backward: true, forward: false },
    code: 'constraint-added',
  },
  {
    name: 'format changed',
    format: 'json',
    old: { type: 'string', format: 'date' },
    next: { type: 'string', format: 'date-time' },
    breaks: { backward: true, forward: true },
    code: 'constraint-changed',
  },
  {
    name: 'anyOf branch added',
    format: 'json',
    old: { anyOf: [{ type: 'string' }] },
    next: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
    breaks: { backward: false, forward: true },
    code: 'branch-added',
  },
  {
    name: 'oneOf disjoint branch added',
    format: 'json',
    old: { oneOf: [{ type: 'string' }, { type: 'boolean' }] },
    next: { oneOf: [{ type: 'string' }, { type: 'boolean' }, { type: 'integer' }] },
    breaks: { backward: false, forward: true },
    code: 'branch-added',
  },
  {
    name: 'oneOf overlapping branch added',
    format: 'json',
    old: { oneOf: [{ type: 'string' }, { type: 'boolean' }] },
    next: { oneOf: [{ type: 'string' }, { type: 'boolean' }, { type: 'string', maxLength: 3 }] },
    breaks: { backward: true, forward: false },
    code: 'branch-added',
  },
  {
    name: 'oneOf overlapping branch added inside an allOf',
    format: 'json',
    old: { allOf: [{ oneOf: [{ type: 'string' }, { type: 'boolean' }] }] },
    next: { allOf: [{ oneOf: [{ type: 'string' }, { type: 'boolean' }, { type: 'string', maxLength: 3 }] }] },
    breaks: { backward: true, forward: false },
    code: 'branch-added',
  },
  {
    name: 'oneOf overlapping branch added inside an anyOf branch',
    format: 'json',
    old: { anyOf: [{ type: 'integer' }, { oneOf: [{ type: 'string' }, { type: 'boolean' }] }] },
    next: {
      anyOf: [
        { type: 'integer' },
        { oneOf: [{ type: 'string' }, { type: 'boolean' }, { type: 'string', maxLength: 3 }] },
      ],
    },
    breaks: { backward: true, forward: false },
    code: 'branch-added',
  },
  {
    name: 'oneOf overlapping branch added inside a oneOf branch',
    format: 'json',
    old: { oneOf: [{ type: 'integer' }, { oneOf: [{ type: 'string' }, { type: 'boolean' }] }] },
    next: {
      oneOf: [
        { type: 'integer' },
        { oneOf: [{ type: 'string' }, { type: 'boolean' }, { type: 'string', maxLength: 3 }] },
      ],
    },
    breaks: { backward: true, forward: false },
    code: 'branch-added',
  },
  {
    name: 'oneOf overlapping branch added behind a $ref',
    format: 'json',
    old: { $defs: { choice: { oneOf: [{ type: 'string' }, { type: 'boolean' }] } }, $ref: '#/$defs/choice' },
    next: {
      $defs: {
        choice: { oneOf: [{ type: 'string' }, { type: 'boolean' }, { type: 'string', maxLength: 3 }] },
      },
      $ref: '#/$defs/choice',
    },
    breaks: { backward: true, forward: false },
    code: 'branch-added',
  },
  {
    name: 'oneOf overlapping branch added in a property, inside an allOf',
    format: 'json',
    old: obj({ a: { allOf: [{ oneOf: [{ type: 'string' }, { type: 'boolean' }] }] } }),
    next: obj({
      a: { allOf: [{ oneOf: [{ type: 'string' }, { type: 'boolean' }, { type: 'string', maxLength: 3 }] }] },
    }),
    breaks: { backward: true, forward: false },
    code: 'branch-added',
  },
  {
    name: 'allOf constraint added',
    format: 'json',
    old: { allOf: [{ type: 'object' }] },
    next: { allOf: [{ type: 'object' }, { required: ['id'] }] },
    breaks: { backward: true, forward: false },
    code: 'required-added',
  },
  {
    name: 'a $ref target widened',
    format: 'json',
    old: { definitions: { id: { type: 'string' } }, properties: { id: { $ref: '#/definitions/id' } } },
    next: {
      definitions: { id: { type: ['string', 'integer'] } },
      properties: { id: { $ref: '#/definitions/id' } },
    },
    breaks: { backward: false, forward: true },
    code: 'type-extended',
  },
  {
    name: 'a property moved behind a $ref unchanged',
    format: 'json',
    old: obj({ id: { type: 'string' } }),
    next: { ...obj({ id: { $ref: '#/$defs/id' } }), $defs: { id: { type: 'string' } } },
    breaks: { backward: false, forward: false },
  },
  {
    name: 'array items narrowed',
    format: 'json',
    old: { type: 'array', items: { type: ['string', 'integer'] } },
    next: { type: 'array', items: { type: 'string' } },
    breaks: { backward: true, forward: false },
    code: 'type-narrowed',
  },
  {
    name: 'nested property type changed',
    format: 'json',
    old: obj({ address: obj({ zip: { type: 'string' } }) }),
    next: obj({ address: obj({ zip: { type: 'integer' } }) }),
    breaks: { backward: true, forward: true },
    code: 'type-changed',
  },
  {
    name: 'a keyword the engine does not analyse',
    format: 'json',
    old: { type: 'object', propertyNames: { maxLength: 3 } },
    next: { type: 'object', propertyNames: { maxLength: 5 } },
    breaks: { backward: true, forward: true },
    code: 'keyword-changed',
  },
  {
    name: 'contains changed',
    format: 'json',
    old: { type: 'array', contains: { type: 'string' } },
    next: { type: 'array', contains: { type: 'integer' } },
    breaks: { backward: true, forward: true },
    code: 'constraint-changed',
  },
  {
    name: 'minContains lowered',
    format: 'json',
    old: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'array',
      contains: { type: 'string' },
      minContains: 2,
    },
    next: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'array',
      contains: { type: 'string' },
      minContains: 1,
    },
    breaks: { backward: false, forward: true },
    code: 'bound-loosened',
  },
  {
    name: 'made nullable through oneOf',
    format: 'json',
    old: obj({ a: { type: 'string' } }),
    next: obj({ a: { oneOf: [{ type: 'null' }, { type: 'string' }] } }),
    breaks: { backward: false, forward: true },
    code: 'branch-added',
  },
  {
    name: 'a plain schema moved into a one-branch oneOf',
    format: 'json',
    old: { type: 'string' },
    next: { oneOf: [{ type: 'string' }] },
    breaks: { backward: false, forward: false },
  },
  {
    name: 'a plain schema widened into anyOf',
    format: 'json',
    old: { type: 'string' },
    next: { anyOf: [{ type: 'string' }, { type: 'number' }] },
    breaks: { backward: false, forward: true },
    code: 'branch-added',
  },
  {
    name: 'a property dropped under unevaluatedProperties: false',
    format: 'json',
    old: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { a: { type: 'string' } },
      unevaluatedProperties: false,
    },
    next: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {},
      unevaluatedProperties: false,
    },
    breaks: { backward: true, forward: false },
    code: 'property-removed',
  },
  {
    name: 'a tuple item dropped under unevaluatedItems',
    format: 'json',
    old: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'array',
      prefixItems: [{ type: 'string' }, { type: 'number' }],
      unevaluatedItems: { type: 'string' },
    },
    next: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'array',
      prefixItems: [{ type: 'string' }],
      unevaluatedItems: { type: 'string' },
    },
    breaks: { backward: true, forward: true },
    code: 'type-changed',
  },
  {
    name: 'not widened',
    format: 'json',
    old: { not: { type: 'number' } },
    next: { not: { type: 'integer' } },
    breaks: { backward: false, forward: true },
    code: 'constraint-changed',
  },
  {
    name: 'a dependentSchemas entry dropped',
    format: 'json',
    old: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      dependentSchemas: { a: { required: ['b'] } },
    },
    next: { $schema: 'https://json-schema.org/draft/2020-12/schema' },
    breaks: { backward: false, forward: true },
    code: 'constraint-removed',
  },
  {
    name: 'annotations only',
    format: 'json',
    old: { type: 'string', description: 'a' },
    next: { type: 'string', description: 'b', deprecated: true },
    breaks: { backward: false, forward: false },
  },
];

const rec = (fields: unknown[], extra: Record<string, unknown> = {}) => ({
  type: 'record',
  name: 'Person',
  fields,
  ...extra,
});
const AVRO_RULES: Rule[] = [
  {
    name: 'field added with a default',
    format: 'avro',
    old: rec([{ name: 'id', type: 'string' }]),
    next: rec([
      { name: 'id', type: 'string' },
      { name: 'age', type: 'int', default: 0 },
    ]),
    breaks: { backward: false, forward: false },
  },
  {
    name: 'field added without a default',
    format: 'avro',
    old: rec([{ name: 'id', type: 'string' }]),
    next: rec([
      { name: 'id', type: 'string' },
      { name: 'age', type: 'int' },
    ]),
    breaks: { backward: true, forward: false },
    code: 'field-missing-default',
  },
  {
    name: 'int promoted to long',
    format: 'avro',
    old: rec([{ name: 'n', type: 'int' }]),
    next: rec([{ name: 'n', type: 'long' }]),
    breaks: { backward: false, forward: true },
    code: 'type-mismatch',
  },
  {
    name: 'string changed to int',
    format: 'avro',
    old: rec([{ name: 'n', type: 'string' }]),
    next: rec([{ name: 'n', type: 'int' }]),
    breaks: { backward: true, forward: true },
    code: 'type-mismatch',
  },
  {
    name: 'enum symbol added (reader without default)',
    format: 'avro',
    old: { type: 'enum', name: 'Kind', symbols: ['A', 'B'] },
    next: { type: 'enum', name: 'Kind', symbols: ['A', 'B', 'C'] },
    breaks: { backward: false, forward: true },
    code: 'enum-symbol-missing',
  },
  {
    name: 'enum symbol added (reader with default)',
    format: 'avro',
    old: { type: 'enum', name: 'Kind', symbols: ['A', 'B'], default: 'A' },
    next: { type: 'enum', name: 'Kind', symbols: ['A', 'B', 'C'], default: 'A' },
    breaks: { backward: false, forward: false },
  },
  {
    name: 'union branch added',
    format: 'avro',
    old: rec([{ name: 'x', type: ['null', 'string'] }]),
    next: rec([{ name: 'x', type: ['null', 'string', 'int'] }]),
    breaks: { backward: false, forward: true },
    code: 'union-branch-unreadable',
  },
  {
    name: 'record renamed with an alias',
    format: 'avro',
    old: rec([{ name: 'id', type: 'string' }]),
    next: { type: 'record', name: 'Human', aliases: ['Person'], fields: [{ name: 'id', type: 'string' }] },
    breaks: { backward: false, forward: true },
    code: 'name-mismatch',
  },
  {
    name: 'field renamed with an alias',
    format: 'avro',
    old: rec([{ name: 'name', type: 'string' }]),
    next: rec([{ name: 'fullName', aliases: ['name'], type: 'string' }]),
    breaks: { backward: false, forward: true },
    code: 'field-missing-default',
  },
  {
    name: 'fixed size changed',
    format: 'avro',
    old: { type: 'fixed', name: 'Hash', size: 16 },
    next: { type: 'fixed', name: 'Hash', size: 32 },
    breaks: { backward: true, forward: true },
    code: 'fixed-size-mismatch',
  },
];

function expected(mode: CompatibilityMode, breaks: { backward: boolean; forward: boolean }): boolean {
  const base = mode.replace('_TRANSITIVE', '');
  if (base === 'NONE') return true;
  if (base === 'BACKWARD') return !breaks.backward;
  if (base === 'FORWARD') return !breaks.forward;
  return !breaks.backward && !breaks.forward;
}

describe.each([...JSON_RULES, ...AVRO_RULES])('rule ($format): $name', (rule) => {
  for (const direction of ['old → new', 'new → old'] as const) {
    const [a, b] = direction === 'old → new' ? [rule.old, rule.next] : [rule.next, rule.old];
    const breaks =
      direction === 'old → new'
        ? rule.breaks
        : { backward: rule.breaks.forward, forward: rule.breaks.backward };
    it.each(COMPATIBILITY_MODES)(`${direction} under %s`, (mode) => {
      const r = checkCompatibility(a, b, { format: rule.format, mode });
      expect(r.compatible).toBe(expected(mode, breaks));
      expect(r.issues.length === 0).toBe(r.compatible);
      for (const issue of r.issues) {
        expect(issue.path).toMatch(/^(\/|$)/);
        expect(issue.message.length).toBeGreaterThan(10);
      }
      if (!r.compatible && rule.code && direction === 'old → new')
        expect(r.issues.map((i) => i.code.split('/')[1])).toContain(rule.code);
    });
  }
});

describe('oneOf exclusivity wherever the oneOf sits', () => {
  it('a branch widened to overlap its sibling inside an allOf breaks BACKWARD (a fast-check counterexample)', () => {
    const date = { type: 'string', format: 'date' };
    const old = { allOf: [{ oneOf: [{ type: 'null' }, date] }] };
    const next = { allOf: [{ oneOf: [{ type: 'null' }, { ...date, type: ['string', 'null'] }] }] };
    const r = checkCompatibility(old, next, { format: 'json', mode: 'BACKWARD' });
    expect(r.compatible).toBe(false);
    expect(r.issues.map((i) => i.path)).toContain('/allOf/0/oneOf/0');
    // The verdict matches the validator: null was valid before and matches both branches now.
    expect(compileContract('json', old).validate(null).ok).toBe(true);
    expect(compileContract('json', next).validate(null).ok).toBe(false);
  });

  it('an overlap held only by a list nested in a oneOf branch exempts nothing (a fast-check counterexample)', () => {
    const nullable = { type: ['string', 'null'] };
    const old = { oneOf: [{ type: 'null' }, nullable] };
    const next = { oneOf: [{ type: 'null' }, { oneOf: [{ type: 'null' }, nullable] }] };
    // null fails the old schema (both branches match) and passes the new one (the inner oneOf rejects it).
    expect(compileContract('json', old).validate(null).ok).toBe(false);
    expect(compileContract('json', next).validate(null).ok).toBe(true);
    expect(checkCompatibility(old, next, { format: 'json', mode: 'FORWARD' }).compatible).toBe(false);
  });

  it('an overlap both versions had inside an anyOf branch is a break once a sibling branch narrows', () => {
    const both = { oneOf: [{ type: 'string' }, { type: 'string', minLength: 1 }] };
    const old = { anyOf: [{ type: 'string', maxLength: 3 }, both] };
    const next = { anyOf: [{ type: 'string', maxLength: 2 }, both] };
    expect(compileContract('json', old).validate('abc').ok).toBe(true);
    expect(compileContract('json', next).validate('abc').ok).toBe(false);
    expect(checkCompatibility(old, next, { format: 'json', mode: 'BACKWARD' }).compatible).toBe(false);
  });

  it('an overlap both versions already had is not a break', () => {
    const both = { oneOf: [{ type: 'string' }, { type: 'string', maxLength: 3 }] };
    const r = checkCompatibility(
      { allOf: [both] },
      { allOf: [both, { minLength: 0 }] },
      { format: 'json', mode: 'FULL' },
    );
    expect(r).toEqual({ compatible: true, issues: [] });
  });
});

describe('issue reporting', () => {
  it('explains an Avro field without a default with its path', () => {
    const r = checkCompatibility(
      rec([
        { name: 'id', type: 'string' },
        { name: 'name', type: 'string' },
      ]),
      rec([
        { name: 'id', type: 'string' },
        { name: 'name', type: 'string' },
        { name: 'x', type: 'int' },
      ]),
      { format: 'avro', mode: 'BACKWARD' },
    );
    expect(r.issues).toEqual([
      {
        code: 'backward/field-missing-default',
        path: '/fields/2',
        message: expect.stringContaining("field 'x' at /fields/2 has no default"),
      },
    ]);
  });

  it('lists every issue, for both directions under FULL', () => {
    const r = checkCompatibility(
      obj({ a: { type: 'string' }, b: { enum: ['x', 'y'] } }),
      obj({ a: { type: 'integer' }, b: { enum: ['x'] }, c: { type: 'string' } }, { required: ['c'] }),
      { format: 'json', mode: 'FULL' },
    );
    expect(r.issues.map((i) => `${i.code} ${i.path}`).sort()).toEqual([
      'backward/enum-narrowed /properties/b/enum',
      'backward/property-added /properties/c',
      'backward/required-added /required/c',
      'backward/type-changed /properties/a/type',
      'forward/type-changed /properties/a/type',
    ]);
  });

  it('rejects a default that does not match its own schema', () => {
    expect(() =>
      checkCompatibility(
        { type: 'object' },
        { properties: { d: { type: 'string', format: 'date', default: 'x' } } },
        { format: 'json', mode: 'BACKWARD' },
      ),
    ).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining('/properties/d') }),
    );
  });

  it('rejects unknown formats and modes and invalid schemas with INVALID_INPUT', () => {
    expect(() => checkCompatibility({}, {}, { format: 'xml' as SchemaFormat, mode: 'BACKWARD' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() =>
      checkCompatibility({}, {}, { format: 'json', mode: 'SIDEWAYS' as CompatibilityMode }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => checkCompatibility({ type: 'strin' }, {}, { format: 'json', mode: 'BACKWARD' })).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        message: expect.stringContaining('invalid JSON Schema'),
      }),
    );
    expect(() =>
      checkCompatibility({ type: 'record' }, { type: 'int' }, { format: 'avro', mode: 'BACKWARD' }),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        message: expect.stringContaining('invalid Avro schema'),
      }),
    );
  });
});

describe('transitive modes across three or more versions', () => {
  // v2 dropped field a (fine for BACKWARD), v3 brings a back as a string with a default (fine against
  // v2), but v3 cannot read v1's int a: only the transitive check sees it.
  const v1 = rec([
    { name: 'id', type: 'string' },
    { name: 'a', type: 'int' },
  ]);
  const v2 = rec([{ name: 'id', type: 'string' }]);
  const v3 = rec([
    { name: 'id', type: 'string' },
    { name: 'a', type: 'string', default: '' },
  ]);
  const v4 = rec([
    { name: 'id', type: 'string' },
    { name: 'a', type: 'string', default: '' },
    { name: 'b', type: ['null', 'int'], default: null },
  ]);

  it('BACKWARD checks the latest only; BACKWARD_TRANSITIVE finds the conflict with version 1', () => {
    expect(
      checkCompatibilityWithHistory([v1, v2, v3], v4, { format: 'avro', mode: 'BACKWARD' }).compatible,
    ).toBe(true);
    const r = checkCompatibilityWithHistory([v1, v2, v3], v4, {
      format: 'avro',
      mode: 'BACKWARD_TRANSITIVE',
    });
    expect(r.compatible).toBe(false);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ version: 1, code: 'backward/type-mismatch', path: '/fields/1/type' });
  });

  it('FORWARD_TRANSITIVE and FULL_TRANSITIVE report each failing version', () => {
    const j1 = obj({ a: { type: 'string' } }, { additionalProperties: false });
    const j2 = obj({ a: { type: 'string' }, b: { type: 'string' } }, { additionalProperties: false });
    const j3 = obj(
      { a: { type: 'string' }, b: { type: 'string' }, c: { type: 'string' } },
      { additionalProperties: false },
    );
    const f = checkCompatibilityWithHistory([j1, j2], j3, {
      format: 'json',
      mode: 'FORWARD_TRANSITIVE',
      versions: [4, 7],
    });
    expect(f.issues.map((i) => i.version)).toEqual([4, 4, 7]);
    expect(
      checkCompatibilityWithHistory([j1, j2], j3, { format: 'json', mode: 'BACKWARD_TRANSITIVE' }).compatible,
    ).toBe(true);
    expect(
      checkCompatibilityWithHistory([j1, j2], j3, { format: 'json', mode: 'FULL_TRANSITIVE' }).compatible,
    ).toBe(false);
  });
});

describe('properties', () => {
  const modes = fc.constantFrom(...COMPATIBILITY_MODES);

  it('every schema is compatible with itself in every mode', () => {
    fc.assert(
      fc.property(jsonSchemaArbitrary(), modes, (schema, mode) => {
        expect(checkCompatibility(schema, structuredClone(schema), { format: 'json', mode })).toEqual({
          compatible: true,
          issues: [],
        });
      }),
      { numRuns: 300 },
    );
  }, 180_000);

  it('BACKWARD(a, b) holds exactly when FORWARD(b, a) does', () => {
    fc.assert(
      fc.property(
        jsonSchemaArbitrary(),
        fc.array(fc.nat({ max: 10_000 }), { minLength: 1, maxLength: 4 }),
        (a, seeds) => {
          const b = mutateSchema(a, seeds);
          try {
            compileContract('json', b);
          } catch {
            return; // an edit produced an invalid schema (say maxLength below minLength)
          }
          for (const [x, y] of [
            [a, b],
            [b, a],
          ])
            expect(checkCompatibility(x, y, { format: 'json', mode: 'BACKWARD' }).compatible).toBe(
              checkCompatibility(y, x, { format: 'json', mode: 'FORWARD' }).compatible,
            );
        },
      ),
      { numRuns: 400 },
    );
  }, 180_000);

  it.each([
    { mode: 'BACKWARD', what: 'the old schema validates under a new schema' },
    { mode: 'FORWARD', what: 'the new schema validates under an old schema' },
  ] as const)(
    '$mode accepted: a payload generated from $what',
    ({ mode }) => {
      let accepted = 0;
      let checked = 0;
      fc.assert(
        fc.property(
          jsonSchemaArbitrary()
            .chain((a) =>
              fc.tuple(fc.constant(a), fc.array(fc.nat({ max: 10_000 }), { minLength: 1, maxLength: 3 })),
            )
            .map(([a, seeds]) => ({ a, b: mutateSchema(a, seeds) }))
            .filter(({ a, b }) => {
              try {
                return checkCompatibility(a, b, { format: 'json', mode }).compatible;
              } catch {
                return false; // an edit produced an invalid schema (say maxLength below minLength)
              }
            })
            .map(({ a, b }) => (mode === 'BACKWARD' ? { writer: a, reader: b } : { writer: b, reader: a }))
            .chain(({ writer, reader }) =>
              fc.tuple(
                fc.constant(writer),
                fc.constant(reader),
                fc.array(payloadArbitrary(writer, { exact: mode === 'BACKWARD' }), {
                  minLength: 1,
                  maxLength: 5,
                }),
              ),
            ),
          ([writer, reader, payloads]) => {
            accepted += 1;
            const writerContract = compileContract('json', writer);
            const readerContract = compileContract('json', reader);
            for (const p of payloads) {
              // The generator follows a seed schema exactly; an edited one (the FORWARD writer) it may miss.
              if (mode === 'BACKWARD') expect(writerContract.validate(p).ok).toBe(true);
              else if (!writerContract.validate(p).ok) continue;
              checked += 1;
              const r = readerContract.validate(p);
              expect(r.ok ? [] : r.issues).toEqual([]);
            }
          },
        ),
        { numRuns: 300 },
      );
      expect(accepted).toBeGreaterThan(100);
      expect(checked).toBeGreaterThan(100);
    },
    180_000,
  );
});
