import { createMemoryCaseStore, createMemoryGraphStore } from '@intelgraph/adapters/memory';
import { scopeHostApi } from '@intelgraph/capabilities';
import { isIntelGraphError } from '@intelgraph/core';
import { describe, expect, it } from 'vitest';
import { createPlatformHostApi } from './platform-api.js';

const SCOPES = ['graph:read', 'graph:write', 'cases:read', 'cases:write'];

async function setup() {
  const store = createMemoryGraphStore();
  const cases = createMemoryCaseStore({ graph: store });
  // The run's org (acme) sees its own graph only.
  const graph = store.forOrg('acme');
  await graph.upsert({
    entities: [
      { id: 'p1', type: 'Person', name: 'Ada Lovelace', properties: { born: 1815 } },
      { id: 'o1', type: 'Organization', name: 'Analytical Society' },
    ],
    relationships: [{ type: 'MEMBER_OF', from: 'p1', to: 'o1' }],
  });
  const c = await cases.create({ orgId: 'acme', title: 'Engines', createdBy: 'u1', entityIds: ['p1'] });
  const touched: string[] = [];
  const api = scopeHostApi(createPlatformHostApi({ graph: store, cases }), SCOPES, {
    context: { orgId: 'acme', pluginId: 'enricher', touch: (id: string) => touched.push(id) },
  });
  return { api, graph, cases, caseId: c.id, touched };
}

async function codeOf(p: Promise<unknown>): Promise<{ code: string; paths: string[] } | 'ok'> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (!isIntelGraphError(e)) throw e;
    const issues = (e.details.issues ?? []) as { path: (string | number)[] }[];
    return { code: e.code, paths: issues.map((i) => i.path.join('.')) };
  }
}

describe('createPlatformHostApi: every method parses its input with its schema', () => {
  it('answers well-formed calls with the published shapes and records what they touched', async () => {
    const { api, caseId, touched } = await setup();
    expect(await api.call('graph.search', { q: 'ada', limit: 5 })).toEqual([
      { id: 'p1', type: 'Person', label: 'Ada Lovelace', properties: { born: 1815 } },
    ]);
    const around = (await api.call('graph.neighbors', { id: 'p1' })) as { entities: { id: string }[] };
    expect(around.entities.map((e) => e.id)).toEqual(['o1']);
    const written = await api.call('graph.upsertEntity', { type: 'Person', label: 'Charles Babbage' });
    expect(written).toMatchObject({ type: 'Person', label: 'Charles Babbage', properties: {} });
    expect(await api.call('cases.get', { id: caseId })).toMatchObject({ id: caseId, entityIds: ['p1'] });
    expect(await api.call('cases.list', undefined)).toHaveLength(1);
    expect(await api.call('cases.list', { q: 'ENGINE' })).toHaveLength(1);
    expect(await api.call('cases.list', { q: 'nothing like it' })).toEqual([]);
    expect(await api.call('cases.addNote', { caseId, text: 'seen' })).toEqual({ id: expect.any(String) });
    expect(touched).toEqual(['p1', 'o1', (written as { id: string }).id, 'p1']);
  });

  it.each([
    ['graph.search', 'not an object', ''],
    ['graph.search', null, ''],
    ['graph.search', [], ''],
    ['graph.search', {}, 'q'],
    ['graph.search', { q: 42 }, 'q'],
    ['graph.search', { q: 'ada', limit: '5' }, 'limit'],
    ['graph.neighbors', { id: ['p1'] }, 'id'],
    ['graph.upsertEntity', { id: 7, type: 'Person', label: 'X' }, 'id'],
    ['graph.upsertEntity', { type: 'Person' }, 'label'],
    ['graph.upsertEntity', { type: 'Person', label: 'X', properties: 'x' }, 'properties'],
    ['graph.upsertEntity', { type: 'Person', label: 'X', properties: { f: undefined } }, 'properties.f'],
    ['cases.get', {}, 'id'],
    ['cases.list', { q: 1 }, 'q'],
    ['cases.list', 'all', ''],
    ['cases.addNote', { caseId: 'c1' }, 'text'],
  ])('%s(%j) is INVALID_INPUT at "%s" before the handler runs', async (method, input, path) => {
    const { api, graph, touched } = await setup();
    const before = await graph.search({ q: 'x', limit: 100 });
    const r = await codeOf(api.call(method, input));
    expect(r).toMatchObject({ code: 'INVALID_INPUT' });
    if (r !== 'ok') expect(r.paths).toContain(path);
    expect(touched).toEqual([]);
    expect(await graph.search({ q: 'x', limit: 100 })).toEqual(before);
  });

  it('leaves the content rules to the stores, whose typed errors reach the plugin as they are', async () => {
    const { api, graph } = await setup();
    expect(await codeOf(api.call('graph.search', { q: '' }))).toMatchObject({ code: 'INVALID_INPUT' });
    expect(
      await codeOf(api.call('graph.upsertEntity', { type: 'not pascal', label: 'X', properties: {} })),
    ).toMatchObject({ code: 'INVALID_INPUT' });
    expect(await graph.search({ q: 'X', limit: 10 })).toMatchObject({ items: [] });
    expect(await codeOf(api.call('cases.get', { id: 'missing' }))).toMatchObject({ code: 'NOT_FOUND' });
    expect(await codeOf(api.call('cases.addNote', { caseId: 'missing', text: 't' }))).toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('drops unknown keys instead of passing them to a store', async () => {
    const { api } = await setup();
    const hits = await api.call('graph.search', { q: 'ada', types: ['Organization'], extra: true });
    expect(hits).toHaveLength(1);
  });

  it('caps a list at the rows budget left, and answers nothing once it is spent', async () => {
    const { api } = await setup();
    expect(await api.call('graph.search', { q: 'a', limit: 50 }, { rowsRemaining: 1 })).toHaveLength(1);
    expect(await api.call('graph.search', { q: 'a' }, { rowsRemaining: 0 })).toEqual([]);
    expect(await api.call('graph.search', { q: 'a', limit: -3 })).toEqual([]);
  });
});
