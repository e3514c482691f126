import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AVRO_VALID_OPTIONS, avroValidator, hasClosedRecords, parseAvroSchema } from './avro-validator.js';
import { compileContract } from './compiled-contract.js';
import { createContractGate } from './gate.js';
import { compileScreen, exceedsDepth, firstHostile, isHostile, screenPayload } from './input-guard.js';
import { toJsonPointer } from './issue.js';
import { CONTRACT_LIMITS } from './limits.js';
import { createSchemaRegistry } from './registry.js';

const MAX = CONTRACT_LIMITS.maxDepth;
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype'] as const;
const isDangerous = (k: string) => (HOSTILE_KEYS as readonly string[]).includes(k);

/** Sets an own, enumerable data property, as `JSON.parse` does (plain assignment of `__proto__` would not). */
function defineOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A nested chain `{ d: { d: … } }` with `levels` objects. */
function chain(levels: number): Record<string, unknown> {
  let v: Record<string, unknown> = {};
  for (let i = 1; i < levels; i++) v = { d: v };
  return v;
}

/** Every non-array object of a JSON value, with its path. */
function objectNodes(
  value: unknown,
  path: (string | number)[] = [],
): { node: object; path: (string | number)[] }[] {
  if (typeof value !== 'object' || value === null) return [];
  const out: { node: object; path: (string | number)[] }[] = [];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...objectNodes(v, [...path, i]));
  } else {
    out.push({ node: value, path });
    for (const [k, v] of Object.entries(value)) out.push(...objectNodes(v, [...path, k]));
  }
  return out;
}

// JSON without prototype keys (fast-check may generate them on purpose) and shallow enough to stay legal.
const safeKey = fc.string({ maxLength: 6 }).filter((k) => !isDangerous(k));
const safeJson = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.boolean(), fc.constant(null)),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(safeKey, tie('value'), { maxKeys: 3 }),
  ),
})).value;

const personSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['id', 'name'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    dob: { type: ['string', 'null'], format: 'date' },
    // Closed parts: validation vouches for them, so the batch screen skips them.
    address: {
      type: 'object',
      additionalProperties: false,
      properties: {
        city: { type: 'string' },
        geo: { type: 'object', additionalProperties: false, properties: { lat: { type: 'number' } } },
      },
    },
    tags: { type: 'array', items: { type: 'string' } },
    // Open parts: screened in full.
    meta: { type: 'object' },
    contacts: { type: 'array', items: { type: 'object', properties: { kind: { type: 'string' } } } },
  },
};

const DECLARED = new Set(Object.keys(personSchema.properties));
const validPerson = fc
  .record(
    {
      id: fc.string({ maxLength: 8 }),
      name: fc.string({ maxLength: 8 }),
      address: fc.record(
        {
          city: fc.string({ maxLength: 5 }),
          geo: fc.record({ lat: fc.double({ noNaN: true, noDefaultInfinity: true }) }),
        },
        { requiredKeys: [] },
      ),
      tags: fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
      meta: fc.dictionary(safeKey, safeJson, { maxKeys: 4 }),
      contacts: fc.array(fc.record({ kind: fc.string({ maxLength: 4 }), extra: safeJson }), { maxLength: 2 }),
      extras: fc.dictionary(
        safeKey.filter((k) => !DECLARED.has(k)),
        safeJson,
        { maxKeys: 3 },
      ),
    },
    { requiredKeys: ['id', 'name'] },
  )
  .map(
    ({ extras, ...known }) => JSON.parse(JSON.stringify({ ...extras, ...known })) as Record<string, unknown>,
  );

async function personGate(screen?: boolean) {
  const registry = createSchemaRegistry();
  await registry.register('person', { format: 'json', schema: personSchema });
  const gate = createContractGate({
    registry,
    subject: 'person',
    mode: 'warn',
    edge: 'ingest',
    maxSuggestions: 0,
    ...(screen === undefined ? {} : { screen }),
  });
  return { gate, compiled: (await registry.resolve('person')).compiled };
}

describe('payload screen', () => {
  it('finds prototype keys from JSON.parse anywhere, with their pointer', () => {
    expect(screenPayload(JSON.parse('{"a":[{"b":1},{"constructor":{}}]}'), MAX)).toEqual({
      path: '/a/1/constructor',
      reason: 'the key "constructor" is not allowed',
    });
    expect(screenPayload(JSON.parse('{"x/y":{"__proto__":1}}'), MAX)?.path).toBe('/x~1y/__proto__');
    expect(screenPayload(JSON.parse('[{"prototype":null}]'), MAX)?.path).toBe('/0/prototype');
    expect(screenPayload({ a: { b: [1, 'x', null] } }, MAX)).toBeNull();
    expect(screenPayload('text', MAX)).toBeNull();
    expect(isHostile(JSON.parse('{"__proto__":{}}'), MAX)).toBe(true);
    expect(isHostile({ constructor: 'x' }, MAX)).toBe(true);
    expect(isHostile({ a: 1 }, MAX)).toBe(false);
  });

  it('refuses nesting deeper than the limit at the first level too deep', () => {
    expect(screenPayload(chain(MAX + 1), MAX)).toBeNull();
    const r = screenPayload({ top: chain(MAX + 1) }, MAX);
    expect(r?.reason).toBe(`nesting deeper than ${MAX} levels`);
    expect(r?.path).toBe(`/top${'/d'.repeat(MAX)}`);
    expect(exceedsDepth({ top: chain(MAX + 1) }, MAX)).toBe(true);
    expect(exceedsDepth(chain(MAX + 1), MAX)).toBe(false);
    expect(exceedsDepth(new Map([['k', { top: chain(MAX + 1) }]]), MAX)).toBe(true);
  });

  it('the compiled batch screen answers like the full screen for any JSON', () => {
    const plain = compileScreen(undefined, MAX);
    const planned = compileScreen({ props: new Map([['id', null]]) }, MAX);
    fc.assert(
      fc.property(
        safeJson,
        fc.nat(),
        fc.constantFrom(...HOSTILE_KEYS),
        fc.boolean(),
        (value, pick, key, inject) => {
          const v = JSON.parse(JSON.stringify(value ?? null)) as unknown;
          const nodes = objectNodes(v);
          const target = nodes[pick % Math.max(1, nodes.length)];
          if (inject && target) defineOwn(target.node, key, 1);
          const hostile = isHostile(v, MAX);
          expect(plain([v], 0)).toBe(hostile ? 0 : 1);
          expect(firstHostile([v], 0, undefined, MAX)).toBe(hostile ? 0 : 1);
          // The plan only skips the value of `id`, so it may only miss what hides there.
          const skipped = typeof v === 'object' && v !== null && !Array.isArray(v) && 'id' in v;
          if (!skipped) expect(planned([v], 0)).toBe(hostile ? 0 : 1);
          if (planned([v], 0) === 0) expect(hostile).toBe(true);
        },
      ),
    );
  });

  it('skips closed parts of the model in the batch screen, and screens open ones', async () => {
    const { compiled } = await personGate();
    const inClosed = JSON.parse('{"id":"1","name":"A","address":{"constructor":{}}}');
    const inOpen = JSON.parse('{"id":"1","name":"A","meta":{"constructor":{}}}');
    const undeclared = JSON.parse('{"id":"1","name":"A","x":[{"prototype":1}]}');
    expect(compiled.needsScreening).toBe(true);
    // The closed part is left to validation, which rejects it.
    expect(compiled.firstHostile([inClosed], 0)).toBe(1);
    expect(compiled.scan([inClosed], 0, 1)).toBe(0);
    expect(compiled.firstHostile([inOpen], 0)).toBe(0);
    expect(compiled.firstHostile([{ id: '1', name: 'A' }, undeclared], 0)).toBe(1);
  });
});

describe('contract gate screening', () => {
  it('always rejects a prototype key injected anywhere in a valid payload, with its path', async () => {
    const { gate } = await personGate();
    await fc.assert(
      fc.asyncProperty(
        fc.array(validPerson, { minLength: 1, maxLength: 5 }),
        fc.nat(),
        fc.nat(),
        fc.constantFrom(...HOSTILE_KEYS),
        safeJson,
        async (records, at, pick, key, value) => {
          const clean = await gate.checkBatch(records);
          expect(clean.ok).toBe(true);
          expect(clean.failed).toBe(0);
          const index = at % records.length;
          const nodes = objectNodes(records[index]);
          const target = nodes[pick % nodes.length] as (typeof nodes)[number];
          defineOwn(target.node, key, value);
          const d = await gate.checkBatch(records);
          expect(d.ok).toBe(false);
          expect(d.outcome).toBe('rejected');
          expect(d.values).toEqual([]);
          expect(d.findings).toHaveLength(1);
          expect(d.findings[0]?.index).toBe(index);
          expect(d.findings[0]?.issues).toEqual([
            expect.objectContaining({ code: 'hostile_input', path: toJsonPointer([...target.path, key]) }),
          ]);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('always rejects nesting past the limit injected anywhere, at the first level too deep', async () => {
    const { gate } = await personGate();
    await fc.assert(
      fc.asyncProperty(validPerson, fc.nat(), async (record, pick) => {
        const nodes = objectNodes(record);
        const target = nodes[pick % nodes.length] as (typeof nodes)[number];
        defineOwn(target.node, 'deep', chain(MAX + 1));
        const levels = MAX - target.path.length;
        const expected = toJsonPointer([...target.path, 'deep', ...Array<string>(levels).fill('d')]);
        const d = await gate.check(record);
        expect(d.ok).toBe(false);
        expect(d.findings[0]?.issues).toEqual([
          expect.objectContaining({
            code: 'hostile_input',
            path: expected,
            message: `${expected} is rejected: nesting deeper than ${MAX} levels`,
          }),
        ]);
      }),
      { numRuns: 60 },
    );
  });

  it('rejects prototype keys in Avro records and maps (avsc alone lets them through)', async () => {
    const registry = createSchemaRegistry();
    await registry.register('flat', {
      format: 'avro',
      schema: {
        type: 'record',
        name: 'Person',
        fields: [
          { name: 'id', type: 'string' },
          { name: 'dob', type: ['null', 'string'], default: null },
        ],
      },
    });
    await registry.register('maps', {
      format: 'avro',
      schema: {
        type: 'record',
        name: 'Tagged',
        fields: [
          { name: 'id', type: 'string' },
          { name: 'attrs', type: { type: 'map', values: { type: 'map', values: 'string' } } },
        ],
      },
    });
    const flat = createContractGate({ registry, subject: 'flat', mode: 'warn', edge: 'ingest' });
    const maps = createContractGate({ registry, subject: 'maps', mode: 'warn', edge: 'ingest' });
    expect((await registry.resolve('flat')).compiled.needsScreening).toBe(false);
    for (const key of HOSTILE_KEYS) {
      const record = JSON.parse(`{"id":"1","dob":null,"${key}":{"polluted":true}}`);
      const d = await flat.check(record);
      expect(d.ok).toBe(false);
      expect(d.findings[0]?.issues.at(-1)).toMatchObject({ code: 'hostile_input', path: `/${key}` });
      const m = await maps.check(JSON.parse(`{"id":"1","attrs":{"a":{"b":"c","${key}":"x"}}}`));
      expect(m.ok).toBe(false);
      expect(m.findings[0]?.issues).toEqual([
        expect.objectContaining({ code: 'hostile_input', path: `/attrs/a/${key}` }),
      ]);
    }
    // Undeclared fields named like Object.prototype members are undeclared fields, as any other.
    expect((await flat.check({ id: '1', dob: null, toString: 'x' })).failed).toBe(1);
    expect((await flat.check({ id: '1', dob: null })).failed).toBe(0);
  });

  it('a record that fails a closed schema is screened too, and refused in warn mode', async () => {
    const registry = createSchemaRegistry();
    await registry.register('closed', {
      format: 'json',
      schema: { type: 'object', additionalProperties: false, properties: { id: { type: 'string' } } },
    });
    const gate = createContractGate({ registry, subject: 'closed', mode: 'warn', edge: 'ingest' });
    const d = await gate.checkBatch([{ id: '1' }, JSON.parse('{"id":"2","constructor":{"prototype":{}}}')]);
    expect(d.ok).toBe(false);
    expect(d.findings[0]?.index).toBe(1);
    expect(d.findings[0]?.issues.map((i) => [i.code, i.path])).toEqual([
      ['additionalProperties', '/constructor'],
      ['hostile_input', '/constructor'],
    ]);
    // Plain failures still pass through in warn mode.
    expect((await gate.checkBatch([{ id: '1' }, { id: 2 }])).ok).toBe(true);
  });
});

describe('deep payloads and defaults (no recursive clone)', () => {
  const withDefaults = {
    type: 'object',
    additionalProperties: false,
    properties: { id: { type: 'string', default: 'x' }, d: { type: 'object' } },
  };
  // Far deeper than any stack a recursive clone could take.
  const veryDeep = (): unknown => {
    let v: unknown = 1;
    for (let i = 0; i < 200_000; i++) v = { d: v };
    return v;
  };

  it('refuses a deep payload before copying it to fill in defaults', async () => {
    const registry = createSchemaRegistry();
    await registry.register('defaults', { format: 'json', schema: withDefaults });
    const compiled = (await registry.resolve('defaults')).compiled;
    expect(compiled.appliesDefaults).toBe(true);
    expect(compiled.needsScreening).toBe(true);
    const deep = veryDeep();
    const gate = createContractGate({ registry, subject: 'defaults', mode: 'warn', edge: 'ingest' });
    const d = await gate.check(deep);
    expect(d.ok).toBe(false);
    expect(d.findings[0]?.issues[0]).toMatchObject({ code: 'hostile_input' });
    expect(d.findings[0]?.issues[0]?.message).toContain(`nesting deeper than ${MAX} levels`);
    // Unscreened gates, the registry and the compiled contract refuse it with INVALID_INPUT.
    const unscreened = createContractGate({
      registry,
      subject: 'defaults',
      mode: 'warn',
      edge: 'ingest',
      screen: false,
    });
    await expect(unscreened.check(deep)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(registry.validate('defaults', deep)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(() => compiled.validate(deep)).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        message: `payload rejected: nesting deeper than ${MAX} levels`,
      }),
    );
    expect(() => compiled.isValid(deep)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    // Values a structured clone refuses are INVALID_INPUT too, not a DataCloneError.
    expect(() => compiled.validate({ id: 'a', d: { f: () => 1 } })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(compiled.validate({})).toEqual({ ok: true, value: { id: 'x' } });
  });

  it('closed schemas with defaults screen each record before the copy', async () => {
    const registry = createSchemaRegistry();
    const closed = {
      type: 'object',
      additionalProperties: false,
      properties: {
        id: { type: 'string', default: 'x' },
        d: {
          type: 'object',
          additionalProperties: false,
          properties: { d: { type: 'object', additionalProperties: false } },
        },
      },
    };
    await registry.register('closed-defaults', { format: 'json', schema: closed });
    expect((await registry.resolve('closed-defaults')).compiled.needsScreening).toBe(false);
    const gate = createContractGate({ registry, subject: 'closed-defaults', mode: 'warn', edge: 'ingest' });
    const d = await gate.checkBatch([{}, veryDeep()]);
    expect(d.ok).toBe(false);
    expect(d.findings.map((f) => [f.index, f.issues[0]?.code])).toEqual([[1, 'hostile_input']]);
  });
});

describe('Avro validity check', () => {
  const flat = {
    type: 'record',
    name: 'Flat',
    fields: [
      { name: 'id', type: 'string' },
      { name: 'n', type: ['null', 'int'], default: null },
      { name: 'tags', type: { type: 'array', items: 'string' } },
    ],
  };
  const nested = {
    type: 'record',
    name: 'Outer',
    fields: [
      { name: 'id', type: 'string' },
      {
        name: 'inner',
        type: ['null', { type: 'record', name: 'Inner', fields: [{ name: 'x', type: 'int' }] }],
        default: null,
      },
    ],
  };
  const keys = ['id', 'n', 'tags', 'inner', 'x', 'toString', 'valueOf', 'extra', ...HOSTILE_KEYS];
  const values = fc.oneof(
    fc.string({ maxLength: 3 }),
    fc.integer({ min: -3, max: 3 }),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(fc.string({ maxLength: 2 }), { maxLength: 2 }),
    fc.record({ x: fc.integer({ min: -2, max: 2 }) }, { requiredKeys: [] }),
  );
  const candidate = fc.oneof(
    fc.array(fc.tuple(fc.constantFrom(...keys), values), { maxLength: 5 }).map((entries) => {
      const o: Record<string, unknown> = {};
      for (const [k, v] of entries) defineOwn(o, k, v);
      return o as unknown;
    }),
    fc.record({ id: fc.string(), n: fc.constant(null), tags: fc.constant([]) }),
    values,
  );

  it('answers exactly like avsc isValid (noUndeclaredFields), closed records included', () => {
    for (const schema of [flat, nested]) {
      const type = parseAvroSchema(JSON.parse(JSON.stringify(schema)));
      expect(hasClosedRecords(type)).toBe(true);
      const check = avroValidator(type);
      fc.assert(
        fc.property(candidate, (v) => {
          expect(check(v)).toBe(type.isValid(v, AVRO_VALID_OPTIONS));
        }),
        { numRuns: 300 },
      );
      expect(check(JSON.parse('{"id":"a","n":null,"tags":[],"__proto__":{}}'))).toBe(false);
      expect(check({ id: 'a', n: null, tags: [], constructor: 1 })).toBe(false);
    }
  });

  it('checks undeclared fields at every level of a recursive record (it is not flat)', () => {
    const type = parseAvroSchema({
      type: 'record',
      name: 'Node',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'next', type: ['null', 'Node'] },
      ],
    });
    const check = avroValidator(type);
    const nestedExtra = { id: 'a', next: { id: 'b', next: null, extra: 'undeclared' } };
    expect(type.isValid(nestedExtra, AVRO_VALID_OPTIONS)).toBe(false);
    expect(check(nestedExtra)).toBe(false);
    expect(check({ id: 'a', next: { id: 'b', next: null } })).toBe(true);
    const deep = fc.letrec((tie) => ({
      node: fc.record(
        {
          id: fc.string({ maxLength: 2 }),
          next: fc.oneof({ depthSize: 'small' }, fc.constant(null), tie('node')),
          extra: fc.constant('x'),
        },
        { requiredKeys: ['id', 'next'] },
      ),
    })).node;
    fc.assert(
      fc.property(deep, (v) => {
        expect(check(v)).toBe(type.isValid(v, AVRO_VALID_OPTIONS));
      }),
      { numRuns: 300 },
    );
  });

  it('compiles contracts whose records are closed against prototype-named fields', () => {
    const c = compileContract('avro', flat);
    expect(c.needsScreening).toBe(false);
    expect(c.isValid({ id: 'a', n: 1, tags: ['t'] })).toBe(true);
    expect(c.isValid(JSON.parse('{"id":"a","n":1,"tags":[],"__proto__":{"x":1}}'))).toBe(false);
    expect(
      c.scan(
        [
          { id: 'a', n: null, tags: [] },
          { id: 'b', tags: [], hasOwnProperty: 1 },
        ],
        0,
        2,
      ),
    ).toBe(1);
    // A field named like a prototype key makes the model open: such payloads are screened.
    const named = compileContract('avro', {
      type: 'record',
      name: 'Odd',
      fields: [{ name: 'constructor', type: 'string' }],
    });
    expect(named.needsScreening).toBe(true);
    expect(named.firstHostile([{ constructor: 'x' }], 0)).toBe(0);
  });
});
