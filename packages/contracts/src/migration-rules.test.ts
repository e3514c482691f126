import { createManualClock } from '@intelgraph/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryMigrationRuleStore } from './memory-store.js';
import { applyMigrationOperations, createMigrationRules } from './migration-rules.js';
import { createSchemaRegistry } from './registry.js';

const v1 = {
  type: 'object',
  required: ['id', 'name'],
  properties: { id: { type: 'string' }, name: { type: 'string' }, dob: { type: 'string', format: 'date' } },
};
const v2 = {
  type: 'object',
  required: ['id', 'name'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    birthDate: { type: 'string', format: 'date' },
  },
  additionalProperties: false,
};
const v3 = {
  type: 'object',
  required: ['id', 'name', 'country'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    birthDate: { type: 'string', format: 'date' },
    country: { type: 'string' },
  },
  additionalProperties: false,
};
const samples = [
  { id: 'p1', name: 'Ada', dob: '1815-12-10' },
  { id: 'p2', name: 'Alan' },
];

async function setup() {
  const registry = createSchemaRegistry();
  await registry.setCompatibility('NONE', 'person');
  for (const schema of [v1, v2, v3]) await registry.register('person', { format: 'json', schema });
  const rules = createMigrationRules({ registry });
  await rules.register(
    'person',
    { from: 1, to: 2, operations: [{ op: 'move', from: '/dob', path: '/birthDate' }] },
    { samples },
  );
  await rules.register(
    'person',
    { from: 2, to: 1, operations: [{ op: 'move', from: '/birthDate', path: '/dob' }] },
    { samples: [{ id: 'p1', name: 'Ada', birthDate: '1815-12-10' }] },
  );
  await rules.register(
    'person',
    { from: 2, to: 3, operations: [{ op: 'add', path: '/country', value: 'unknown' }] },
    { samples: [{ id: 'p1', name: 'Ada', birthDate: '1815-12-10' }] },
  );
  await rules.register(
    'person',
    { from: 3, to: 2, operations: [{ op: 'remove', path: '/country' }] },
    { samples: [{ id: 'p1', name: 'Ada', country: 'UK' }] },
  );
  return { registry, rules };
}

describe('migration rules', () => {
  it('migrates v1 → v3 and back along registered rules, validating under the target version', async () => {
    const { rules } = await setup();
    const up = await rules.migrate('person', samples, { from: 1, to: 3 });
    expect(up).toEqual({
      ok: true,
      records: [
        { id: 'p1', name: 'Ada', birthDate: '1815-12-10', country: 'unknown' },
        { id: 'p2', name: 'Alan', country: 'unknown' },
      ],
      steps: [
        { from: 1, to: 2, via: 'rule' },
        { from: 2, to: 3, via: 'rule' },
      ],
    });
    const down = await rules.migrate('person', up.ok ? up.records : [], { from: 3, to: 1 });
    expect(down.ok && down.records).toEqual(samples);
    expect((await rules.list('person')).map((r) => `${r.from}>${r.to} ${r.direction}`)).toEqual([
      '1>2 upgrade',
      '2>1 downgrade',
      '2>3 upgrade',
      '3>2 downgrade',
    ]);
  });

  it('refuses a rule whose output fails the target version, and one that does not round-trip', async () => {
    const { rules } = await setup();
    await expect(
      rules.register('person', { from: 1, to: 2, operations: [] }, { samples }),
    ).rejects.toMatchObject({ code: 'SCHEMA_INCOMPATIBLE', details: { failures: [{ index: 0 }] } });
    await expect(
      rules.register(
        'person',
        {
          from: 3,
          to: 2,
          operations: [{ op: 'add', path: '/extra', value: 1 }],
        },
        { samples: [{ id: 'p1', name: 'Ada', birthDate: '1815-12-10', country: 'UK' }] },
      ),
    ).rejects.toMatchObject({ code: 'SCHEMA_INCOMPATIBLE' });
    await expect(
      rules.register(
        'person',
        { from: 2, to: 1, operations: [{ op: 'remove', path: '/birthDate' }] },
        { samples: [{ id: 'p1', name: 'Ada', birthDate: '1815-12-10' }] },
      ),
    ).rejects.toMatchObject({
      code: 'SCHEMA_INCOMPATIBLE',
      details: { failures: [{ issues: [{ code: 'round_trip' }] }] },
    });
  });

  it('names the missing step when no rule or compatibility bridges two versions', async () => {
    const registry = createSchemaRegistry();
    await registry.setCompatibility('NONE', 'person');
    for (const schema of [v1, v2]) await registry.register('person', { format: 'json', schema });
    const rules = createMigrationRules({ registry });
    await expect(rules.path('person', 1, 2)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      details: { from: 1, to: 2 },
    });
    // v1 reads all v2 data (v2 is closed, v1 open): the downgrade needs no rule.
    expect(await rules.path('person', 2, 1)).toEqual([{ from: 2, to: 1, via: 'compatible' }]);
    await expect(
      rules.register('person', { from: 1, to: 3, operations: [] }, { samples: [] }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(
      rules.register('person', { from: 2, to: 3, operations: [] }, { samples: [] }),
    ).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('skips operations whose source is absent, and add only fills defaults', () => {
    expect(
      applyMigrationOperations({ a: 1 }, [
        { op: 'move', from: '/b', path: '/c' },
        { op: 'remove', path: '/zz' },
        { op: 'add', path: '/a', value: 2 },
        { op: 'add', path: '/d', value: 3 },
        { op: 'add', path: '/x/y', value: 4 },
      ]),
    ).toEqual({ a: 1, d: 3 });
  });

  it('property: upgrade then downgrade returns the v1 record wherever v2 keeps the field', async () => {
    const { rules } = await setup();
    const record = fc.record(
      {
        id: fc.string({ minLength: 1, maxLength: 8 }),
        name: fc.string({ maxLength: 8 }),
        dob: fc
          .date({
            min: new Date(Date.UTC(1900, 0, 1)),
            max: new Date(Date.UTC(2100, 0, 1)),
            noInvalidDate: true,
          })
          .map((d) => d.toISOString().slice(0, 10)),
      },
      { requiredKeys: ['id', 'name'] },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 5 }), async (records) => {
        const up = await rules.migrate('person', records, { from: 1, to: 3 });
        expect(up.ok).toBe(true);
        const down = await rules.migrate('person', up.ok ? up.records : [], { from: 3, to: 1 });
        expect(down.ok && down.records).toEqual(records);
      }),
      { numRuns: 100 },
    );
  });
});

describe('migration rules: property over a version that drops a field', () => {
  it('upgrade then downgrade is valid under vN and equal to the original wherever vN+1 keeps the field', async () => {
    const registry = createSchemaRegistry();
    await registry.setCompatibility('NONE', 'alias');
    const id = { type: 'string' };
    await registry.register('alias', {
      format: 'json',
      schema: {
        type: 'object',
        required: ['id'],
        properties: { id, nickname: { type: 'string' }, score: { type: 'integer' } },
        additionalProperties: false,
      },
    });
    await registry.register('alias', {
      format: 'json',
      schema: {
        type: 'object',
        required: ['id'],
        properties: { id, score: { type: 'integer' } },
        additionalProperties: false,
      },
    });
    const rules = createMigrationRules({ registry });
    await rules.register(
      'alias',
      { from: 1, to: 2, operations: [{ op: 'remove', path: '/nickname' }] },
      { samples: [{ id: 'a', nickname: 'x', score: 1 }, { id: 'b' }] },
    );
    // v1 reads all v2 data: the downgrade needs no rule.
    expect(await rules.path('alias', 2, 1)).toEqual([{ from: 2, to: 1, via: 'compatible' }]);
    const record = fc.record(
      { id: fc.string({ maxLength: 8 }), nickname: fc.string({ maxLength: 8 }), score: fc.integer() },
      { requiredKeys: ['id'] },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 5 }), async (records) => {
        const up = await rules.migrate('alias', records, { from: 1, to: 2 });
        expect(up.ok).toBe(true);
        const down = await rules.migrate('alias', up.ok ? up.records : [], { from: 2, to: 1 });
        // Valid under v1 (migrate validates under the target) and equal on every field v2 keeps.
        expect(down.ok).toBe(true);
        expect(down.ok && down.records).toEqual(records.map(({ nickname: _dropped, ...kept }) => kept));
      }),
      { numRuns: 100 },
    );
  });
});

describe('migration rules shared by two hosts over one store', () => {
  it('a rule registered through one host reaches the other at its next miss; a changed rule within maxStalenessMs', async () => {
    const registry = createSchemaRegistry();
    await registry.setCompatibility('NONE', 'person');
    for (const schema of [v1, v2]) await registry.register('person', { format: 'json', schema });
    const store = createMemoryMigrationRuleStore();
    const clock = createManualClock(Date.UTC(2026, 11, 6));
    const a = createMigrationRules({ registry, store, clock, maxStalenessMs: 5_000 });
    const b = createMigrationRules({ registry, store, clock, maxStalenessMs: 5_000 });
    // Host B reads the subject first (and caches that it has no rules), then host A registers one.
    expect(await b.list('person')).toEqual([]);
    await expect(b.path('person', 1, 2)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await a.register(
      'person',
      { from: 1, to: 2, operations: [{ op: 'move', from: '/dob', path: '/birthDate' }] },
      { samples },
    );
    // B's miss re-reads the store instead of refusing.
    expect(await b.path('person', 1, 2)).toEqual([{ from: 1, to: 2, via: 'rule' }]);
    expect(await b.migrate('person', [samples[0]], { from: 1, to: 2 })).toMatchObject({
      ok: true,
      records: [{ id: 'p1', name: 'Ada', birthDate: '1815-12-10' }],
    });
    // A replaces the rule (drop dob instead of moving it): B applies the old one until its copy is stale.
    await a.register('person', { from: 1, to: 2, operations: [{ op: 'remove', path: '/dob' }] }, { samples });
    expect(await b.migrate('person', [samples[0]], { from: 1, to: 2 })).toMatchObject({
      records: [{ birthDate: '1815-12-10' }],
    });
    clock.advance(5_001);
    expect(await b.migrate('person', [samples[0]], { from: 1, to: 2 })).toMatchObject({
      ok: true,
      records: [{ id: 'p1', name: 'Ada' }],
    });
  });
});

describe('migration rules: hostile operations', () => {
  it.each([
    [{ op: 'add', path: '/__proto__/polluted', value: 1 }],
    [{ op: 'replace', path: '/a/__proto__', value: { polluted: 1 } }],
    [{ op: 'copy', from: '/a', path: '/constructor/prototype/polluted' }],
    [{ op: 'move', from: '/__proto__', path: '/a' }],
  ])('refuses %j at registration with INVALID_INPUT and registers nothing', async (op) => {
    const { rules } = await setup();
    const before = await rules.list('person');
    await expect(
      rules.register('person', { from: 1, to: 2, operations: [op] } as never, { samples }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await rules.list('person')).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
