import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  definePlugin,
  type GraphEntity,
  type PluginApi,
  type PluginInput,
  type PluginOutput,
} from './plugin.js';

const enricher = definePlugin({
  manifest: {
    name: 'typed',
    version: '1.0.0',
    entry: 'index.js',
    capabilities: { graph: ['read'] },
    optionalCapabilities: { cases: ['write'] },
    permissions: ['use:nl2cypher'],
  },
  async run(input: { q: string }, api) {
    const hits = await api.graph.search({ q: input.q, limit: 3 });
    // @ts-expect-error graph:write is not granted, so upsertEntity does not exist
    api.graph.upsertEntity;
    // @ts-expect-error cases:read was never requested
    api.cases?.get;
    await api.cases?.addNote?.({ caseId: 'c1', text: 'seen' });
    await api.nl2cypher.translate({ question: input.q });
    return { ids: hits.map((h) => h.id) };
  },
});

describe('definePlugin', () => {
  it('returns the definition unchanged', () => {
    expect(Object.keys(enricher)).toEqual(['manifest', 'run']);
  });

  it('types input, output and the API surface from the manifest', () => {
    expectTypeOf<PluginInput<typeof enricher>>().toEqualTypeOf<{ q: string }>();
    expectTypeOf<PluginOutput<typeof enricher>>().toEqualTypeOf<{ ids: string[] }>();
    type Api = PluginApi<{ capabilities: { graph: ['read']; network: { allow: ['api.example.com'] } } }>;
    expectTypeOf<Api['graph']['search']>().returns.resolves.toEqualTypeOf<GraphEntity[]>();
    expectTypeOf<Api>().toHaveProperty('net');
    expectTypeOf<Api>().not.toHaveProperty('cases');
    const closed = definePlugin({
      manifest: {
        name: 'closed',
        version: '1.0.0',
        entry: 'index.js',
        capabilities: { cases: ['read'], network: false },
      },
      run: async (_input: null, api) => (await api.cases.list({})).length,
    });
    expectTypeOf<PluginApi<typeof closed.manifest>>().not.toHaveProperty('net');
    expectTypeOf<PluginOutput<typeof closed>>().toEqualTypeOf<number>();
  });

  it('runs with a fake api', async () => {
    const api = {
      graph: { search: async () => [{ id: 'e1', type: 'Person', label: 'A', properties: {} }] },
      nl2cypher: { translate: async () => ({ cypher: 'MATCH (n) RETURN n', params: {} }) },
    } as unknown as PluginApi<typeof enricher.manifest>;
    expect(await enricher.run({ q: 'a' }, api)).toEqual({ ids: ['e1'] });
  });
});
