import { createPgSchemaRegistryStore } from '@intelgraph/adapters/postgres';
import { createMemorySchemaStore, createSchemaRegistry } from '@intelgraph/contracts';
import { isIntelGraphError, type SchemaRegistryStore, type SchemaVersionInput } from '@intelgraph/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { openEachTest, storeBackends } from '../support/backends.js';

const backends = storeBackends<SchemaRegistryStore>({
  memory: () => createMemorySchemaStore(),
  sql: (db) => createPgSchemaRegistryStore(db),
  poolSize: 8,
});

const T0 = '2026-04-01T00:00:00.000Z';
const T1 = '2026-04-02T10:30:00.123Z';

function input(
  subject: string,
  expectedLatestVersion: number,
  schema: unknown = { type: 'string' },
): SchemaVersionInput {
  return {
    subject,
    format: 'json',
    schema: schema as SchemaVersionInput['schema'],
    fingerprint: `f${expectedLatestVersion}`.padEnd(64, '0'),
    createdAt: T0,
    expectedLatestVersion,
  };
}

describe.each(backends)('schema registry store on $name', (backend) => {
  const open = openEachTest(backend);
  let store: SchemaRegistryStore;
  beforeEach(async () => {
    store = await open();
  });

  it('appends versions 1..n and reads them back exactly', async () => {
    const schema = { b: 1, a: ['ü', '\u0000', { '"q"': null }], description: 'naïve "quotes"' };
    const r1 = await store.appendVersion(input('person', 0, schema));
    expect(r1).toEqual({
      subject: 'person',
      version: 1,
      format: 'json',
      schema,
      fingerprint: 'f0'.padEnd(64, '0'),
      createdAt: T0,
      deletedAt: null,
    });
    const r2 = await store.appendVersion({
      ...input('person', 1),
      format: 'avro',
      schema: 'string',
      createdAt: T1,
    });
    expect(r2).toMatchObject({ version: 2, format: 'avro', schema: 'string', createdAt: T1 });
    expect(await store.getVersion('person', 1)).toEqual(r1);
    expect(await store.getVersion('person', 3)).toBeNull();
    expect((await store.listVersions('person')).map((r) => r.version)).toEqual([1, 2]);
    expect(await store.maxVersion('person')).toBe(2);
    expect(await store.maxVersion('nobody')).toBe(0);
  });

  it('refuses an append against a stale version with CONFLICT', async () => {
    await store.appendVersion(input('s', 0));
    await expect(store.appendVersion(input('s', 0))).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(store.appendVersion(input('s', 5))).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await store.listVersions('s')).length).toBe(1);
  });

  it('lets exactly one of many concurrent appends win', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => store.appendVersion(input('race', 0))),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected') expect(isIntelGraphError(r.reason, 'CONFLICT')).toBe(true);
    expect(await store.maxVersion('race')).toBe(1);
  });

  it('soft-deletes without freeing the version number', async () => {
    await store.appendVersion(input('d', 0));
    await store.appendVersion(input('d', 1));
    expect(await store.softDeleteVersion('d', 2, T1)).toBe(true);
    expect(await store.softDeleteVersion('d', 2, T1)).toBe(false);
    expect(await store.softDeleteVersion('d', 9, T1)).toBe(false);
    expect((await store.getVersion('d', 2))?.deletedAt).toBe(T1);
    expect((await store.listVersions('d')).map((r) => r.version)).toEqual([1]);
    expect((await store.listVersions('d', { includeDeleted: true })).map((r) => r.version)).toEqual([1, 2]);
    expect(await store.maxVersion('d')).toBe(2);
    await expect(store.appendVersion(input('d', 1))).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await store.appendVersion(input('d', 2))).version).toBe(3);
  });

  it('lists subjects in code-point order, live ones unless asked', async () => {
    for (const s of ['b', 'A', 'a.x', 'gone']) await store.appendVersion(input(s, 0));
    await store.softDeleteVersion('gone', 1, T1);
    expect(await store.listSubjects()).toEqual(['A', 'a.x', 'b']);
    expect(await store.listSubjects({ includeDeleted: true })).toEqual(['A', 'a.x', 'b', 'gone']);
  });

  it('stores compatibility per subject and registry-wide', async () => {
    expect(await store.getCompatibility(null)).toBeNull();
    await store.setCompatibility(null, 'FULL');
    await store.setCompatibility('p', 'NONE');
    await store.setCompatibility('p', 'FORWARD_TRANSITIVE');
    expect(await store.getCompatibility(null)).toBe('FULL');
    expect(await store.getCompatibility('p')).toBe('FORWARD_TRANSITIVE');
    expect(await store.getCompatibility('q')).toBeNull();
    await store.setCompatibility('p', null);
    expect(await store.getCompatibility('p')).toBeNull();
  });

  it('backs a registry: racing registrations get distinct versions, incompatible ones change nothing', async () => {
    const registry = createSchemaRegistry({ store });
    await registry.setCompatibility('NONE', 'r');
    const done = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        registry.register('r', { format: 'json', schema: { type: 'string', maxLength: i + 1 } }),
      ),
    );
    expect(done.map((d) => d.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    await registry.setCompatibility('BACKWARD', 'r');
    await expect(
      registry.register('r', { format: 'json', schema: { type: 'integer' } }),
    ).rejects.toMatchObject({
      code: 'SCHEMA_INCOMPATIBLE',
    });
    expect(await store.maxVersion('r')).toBe(6);
  });
});
