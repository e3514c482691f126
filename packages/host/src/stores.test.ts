import { createMemoryCaseStore, createMemoryGraphStore } from '@intelgraph/adapters/memory';
import { createManualClock, isIntelGraphError, sequentialIds } from '@intelgraph/core';
import { describe, expect, it } from 'vitest';
import { resolveStores } from './stores.js';

const base = { clock: createManualClock(Date.UTC(2026, 3, 1)), ids: sequentialIds() };

describe('resolveStores: the graph and cases', () => {
  it('refuses a custom graph without its case store, before opening any database', async () => {
    const err = await resolveStores({
      ...base,
      dataDir: '/nonexistent/never-created',
      stores: { graph: createMemoryGraphStore() },
    }).catch((e: unknown) => e);
    expect(isIntelGraphError(err) && err.code).toBe('INVALID_INPUT');
  });

  it("keeps them in memory, linked, only with database: 'memory'", async () => {
    const stores = await resolveStores({ ...base, database: 'memory' });
    expect(stores.database).toBeNull();
    await stores.graph.forOrg('acme').upsert({
      entities: [
        { id: 'p1', type: 'Person', name: 'Ada' },
        { id: 'p2', type: 'Person', name: 'A. Lovelace' },
      ],
    });
    const c = await stores.cases.create({ orgId: 'acme', title: 'T', createdBy: 'u', entityIds: ['p2'] });
    await stores.graph.forOrg('acme').merge({ survivorId: 'p1', mergedId: 'p2' });
    expect((await stores.cases.get({ orgId: 'acme', id: c.id }))?.entityIds).toEqual(['p1']);
    await stores.close();
  });

  it('uses a given graph and case store pair as given', async () => {
    const graph = createMemoryGraphStore();
    const cases = createMemoryCaseStore({ graph });
    const stores = await resolveStores({ ...base, database: 'memory', stores: { graph, cases } });
    expect(stores.graph).toBe(graph);
    expect(stores.cases).toBe(cases);
    await stores.close();
  });
});
