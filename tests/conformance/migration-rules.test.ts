import { createPgMigrationRuleStore } from '@intelgraph/adapters/postgres';
import {
  createMemoryMigrationRuleStore,
  createMigrationRules,
  createSchemaRegistry,
} from '@intelgraph/contracts';
import type { MigrationRuleRecord, MigrationRuleStore } from '@intelgraph/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqlBackends } from '../support/sql.js';

interface Opened {
  store: MigrationRuleStore;
  close(): Promise<void>;
}

const backends: { name: string; open(): Promise<Opened> }[] = [
  { name: 'memory', open: async () => ({ store: createMemoryMigrationRuleStore(), close: async () => {} }) },
  ...sqlBackends().map((b) => ({
    name: b.name,
    async open(): Promise<Opened> {
      const { db, close } = await b.open({ poolSize: 4 });
      return { store: createPgMigrationRuleStore(db), close };
    },
  })),
];

const T0 = '2026-04-01T00:00:00.000Z';
const T1 = '2026-04-02T10:30:00.123Z';

const rule = (from: number, to: number, extra: Partial<MigrationRuleRecord> = {}): MigrationRuleRecord => ({
  subject: 'person',
  from,
  to,
  operations: [{ op: 'move', from: '/dob', path: '/birthDate' }],
  description: null,
  registeredAt: T0,
  ...extra,
});

describe.each(backends)('migration rule store on $name', ({ open }) => {
  let opened: Opened;
  let store: MigrationRuleStore;
  beforeEach(async () => {
    opened = await open();
    store = opened.store;
  });
  afterEach(async () => {
    await opened.close();
  });

  it('stores rules exactly, lists them by from then to, and replaces one on re-registration', async () => {
    const ops = [{ op: 'add', path: '/naïve "q"', value: { a: ['ü', null, 1.5] } }];
    expect(await store.putRule(rule(2, 3, { operations: ops, description: 'adds' }))).toEqual(
      rule(2, 3, { operations: ops, description: 'adds' }),
    );
    await store.putRule(rule(2, 1));
    await store.putRule(rule(1, 2));
    await store.putRule(rule(1, 2, { subject: 'other' }));
    expect((await store.listRules('person')).map((r) => `${r.from}>${r.to}`)).toEqual(['1>2', '2>1', '2>3']);
    expect(await store.getRule('person', 2, 3)).toEqual(rule(2, 3, { operations: ops, description: 'adds' }));
    expect(await store.getRule('person', 3, 2)).toBeNull();
    await store.putRule(rule(1, 2, { operations: [], description: 'now empty', registeredAt: T1 }));
    expect(await store.getRule('person', 1, 2)).toEqual(
      rule(1, 2, { operations: [], description: 'now empty', registeredAt: T1 }),
    );
    expect(await store.listRules('person')).toHaveLength(3);
    expect(await store.listRules('nobody')).toEqual([]);
  });

  it('sets, moves and lifts version deprecations per subject', async () => {
    await store.setDeprecation('person', 2, T1);
    await store.setDeprecation('person', 1, T0);
    await store.setDeprecation('other', 1, T0);
    expect(await store.listDeprecations('person')).toEqual([
      { subject: 'person', version: 1, until: T0 },
      { subject: 'person', version: 2, until: T1 },
    ]);
    await store.setDeprecation('person', 1, T1);
    await store.setDeprecation('person', 2, null);
    expect(await store.listDeprecations('person')).toEqual([{ subject: 'person', version: 1, until: T1 }]);
    await store.setDeprecation('person', 3, null);
    expect(await store.listDeprecations('other')).toHaveLength(1);
  });

  it('backs migration rules: a second instance over the same store reads the registered rules', async () => {
    const registry = createSchemaRegistry();
    await registry.setCompatibility('NONE', 'person');
    await registry.register('person', {
      format: 'json',
      schema: {
        type: 'object',
        required: ['id'],
        properties: { id: { type: 'string' }, dob: { type: 'string' } },
      },
    });
    await registry.register('person', {
      format: 'json',
      schema: {
        type: 'object',
        required: ['id'],
        properties: { id: { type: 'string' }, birthDate: { type: 'string' } },
        additionalProperties: false,
      },
    });
    const first = createMigrationRules({ registry, store, clock: { now: () => Date.parse(T1) } });
    await first.register(
      'person',
      {
        from: 1,
        to: 2,
        operations: [{ op: 'move', from: '/dob', path: '/birthDate' }],
        description: 'rename',
      },
      { samples: [{ id: 'p1', dob: '1990-01-01' }] },
    );
    await expect(
      first.register('person', { from: 1, to: 2, operations: [] }, { samples: [{ id: 'p1', dob: 'x' }] }),
    ).rejects.toMatchObject({ code: 'SCHEMA_INCOMPATIBLE' });
    const second = createMigrationRules({ registry, store });
    expect(await second.list('person')).toEqual([
      {
        subject: 'person',
        from: 1,
        to: 2,
        direction: 'upgrade',
        description: 'rename',
        operations: [{ op: 'move', from: '/dob', path: '/birthDate' }],
        registeredAt: T1,
      },
    ]);
    expect(await second.migrate('person', [{ id: 'p2', dob: '1980-02-02' }], { from: 1, to: 2 })).toEqual({
      ok: true,
      records: [{ id: 'p2', birthDate: '1980-02-02' }],
      steps: [{ from: 1, to: 2, via: 'rule' }],
    });
  });
});
