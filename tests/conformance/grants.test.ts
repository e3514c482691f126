import { createPgGrantStore } from '@intelgraph/adapters/postgres';
import { CapabilityBroker, createMemoryGrantStore } from '@intelgraph/capabilities';
import {
  createAuditTrail,
  createMemoryAuditStore,
  type GrantRecord,
  type GrantStore,
} from '@intelgraph/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { openEachTest, storeBackends } from '../support/backends.js';

const backends = storeBackends<GrantStore>({
  memory: () => createMemoryGrantStore(),
  sql: (db) => createPgGrantStore(db),
  poolSize: 8,
});

function grant(scope: string, extra: Partial<GrantRecord> = {}): GrantRecord {
  return {
    orgId: 'acme',
    pluginId: 'enricher',
    scope,
    kind: 'required',
    grantedBy: 'alice',
    grantedAt: '2026-04-01T00:00:00.000Z',
    reason: 'install — ünïcode "quoted"',
    ...extra,
  };
}

describe.each(backends)('GrantStore conformance: $name', (backend) => {
  const open = openEachTest(backend);
  let store: GrantStore;
  beforeEach(async () => {
    store = await open();
  });

  it('upserts and lists in plugin, then scope, code-point order, per org', async () => {
    const written = await store.upsert([
      grant('graph:read'),
      grant('cases:write', { kind: 'optional' }),
      grant('Zeta:x'.toLowerCase(), { pluginId: 'b-plugin' }),
      grant('graph:read', { orgId: 'other' }),
    ]);
    expect(written.map((g) => `${g.orgId}/${g.pluginId}/${g.scope}`)).toEqual([
      'acme/b-plugin/zeta:x',
      'acme/enricher/cases:write',
      'acme/enricher/graph:read',
      'other/enricher/graph:read',
    ]);
    expect(await store.list({ orgId: 'acme', pluginId: 'enricher' })).toEqual([
      grant('cases:write', { kind: 'optional' }),
      grant('graph:read'),
    ]);
    expect((await store.list({ orgId: 'acme' })).map((g) => g.pluginId)).toEqual([
      'b-plugin',
      'enricher',
      'enricher',
    ]);
    expect(await store.list({ orgId: 'nobody' })).toEqual([]);
  });

  it('replaces an existing grant, and the last record of a batch wins', async () => {
    await store.upsert([grant('cases:write', { kind: 'optional' })]);
    const r = await store.upsert([
      grant('cases:write', { kind: 'required', grantedBy: 'bob', reason: 'first' }),
      grant('cases:write', {
        kind: 'required',
        grantedBy: 'carol',
        reason: 'second',
        grantedAt: '2026-04-02T00:00:00.000Z',
      }),
    ]);
    expect(r).toEqual([
      grant('cases:write', { grantedBy: 'carol', reason: 'second', grantedAt: '2026-04-02T00:00:00.000Z' }),
    ]);
    expect(await store.list({ orgId: 'acme' })).toEqual(r);
  });

  it('removes listed scopes or all of a plugin, returning exactly what it deleted', async () => {
    await store.upsert([
      grant('a:read'),
      grant('b:read'),
      grant('c:read'),
      grant('a:read', { pluginId: 'other' }),
    ]);
    expect(
      (await store.remove({ orgId: 'acme', pluginId: 'enricher', scopes: ['b:read', 'z:none'] })).map(
        (g) => g.scope,
      ),
    ).toEqual(['b:read']);
    expect((await store.remove({ orgId: 'acme', pluginId: 'enricher' })).map((g) => g.scope)).toEqual([
      'a:read',
      'c:read',
    ]);
    expect(await store.remove({ orgId: 'acme', pluginId: 'enricher' })).toEqual([]);
    expect((await store.list({ orgId: 'acme' })).map((g) => g.pluginId)).toEqual(['other']);
    expect(await store.upsert([])).toEqual([]);
  });

  it('returns copies: callers cannot change stored grants', async () => {
    const [g] = await store.upsert([grant('graph:read')]);
    if (g) g.scope = 'graph:write';
    const [listed] = await store.list({ orgId: 'acme' });
    if (listed) listed.kind = 'optional';
    expect(await store.list({ orgId: 'acme' })).toEqual([grant('graph:read')]);
  });

  it('concurrent revokes of the same grants see each grant exactly once', async () => {
    const scopes = Array.from({ length: 20 }, (_, i) => `s${i}:read`);
    await store.upsert(scopes.map((s) => grant(s)));
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.remove({
          orgId: 'acme',
          pluginId: 'enricher',
          ...(i % 2 ? { scopes: scopes.slice(0, 10) } : {}),
        }),
      ),
    );
    const seen = results.flat().map((g) => g.scope);
    expect(seen.sort()).toEqual([...scopes].sort());
    expect(await store.list({ orgId: 'acme' })).toEqual([]);
  });

  it('concurrent grants of the same scope leave one record', async () => {
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.upsert([grant('graph:read', { grantedBy: `u${i}` }), grant(`x${i}:read`)]),
      ),
    );
    const all = await store.list({ orgId: 'acme' });
    expect(all.filter((g) => g.scope === 'graph:read')).toHaveLength(1);
    expect(all).toHaveLength(11);
  });

  it('behind the broker, concurrent revokes write one audit event per revoked grant set', async () => {
    const audit = createAuditTrail({ store: createMemoryAuditStore() });
    const broker = new CapabilityBroker({ store, audit });
    const actor = { userId: 'alice', orgId: 'acme', roles: ['admin'] };
    await broker.grant(actor, {
      orgId: 'acme',
      pluginId: 'enricher',
      scopes: ['graph:read', 'cases:read'],
      kind: 'required',
      reason: 'install',
    });
    const revoked = await Promise.all(
      Array.from({ length: 5 }, () =>
        broker.revoke(actor, { orgId: 'acme', pluginId: 'enricher', reason: 'uninstall' }),
      ),
    );
    expect(
      revoked
        .flat()
        .map((g) => g.scope)
        .sort(),
    ).toEqual(['cases:read', 'graph:read']);
    const events = await audit.list({ type: 'grant.revoked' });
    expect(events.flatMap((e) => (e.data as { scopes: string[] }).scopes).sort()).toEqual([
      'cases:read',
      'graph:read',
    ]);
    expect(await broker.check('acme', 'enricher', 'graph:read')).toBe(false);
  });
});
