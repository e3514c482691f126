// Fault: Neo4j (graph + cases) goes away. The host reaches the shared Neo4j test server through a TCP
// proxy of this test's own, which the test cuts and restores: the server itself is never stopped.
// Plugins calling graph:* get a typed error; plugins that do not touch the graph keep working.
import {
  createNeo4jCaseStore,
  createNeo4jConnection,
  createNeo4jGraphStore,
  type Neo4jConnection,
} from '@intelgraph/adapters/neo4j';
import type { ExtensionHost } from '@intelgraph/host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEO4J_URL, openTestNeo4j, type TestNeo4j } from '../../support/neo4j.js';
import { alice, auditCounts, eventually, hostWithPlugins, type TcpProxy, tcpProxy } from './support.js';

describe('fault: Neo4j down', () => {
  let neo: TestNeo4j;
  let proxy: TcpProxy;
  let proxied: Neo4jConnection;
  let host: ExtensionHost;

  beforeAll(async () => {
    neo = await openTestNeo4j();
    const target = new URL(NEO4J_URL.replace(/^bolt/, 'http'));
    proxy = await tcpProxy({ host: target.hostname, port: Number(target.port || 7687) });
    proxied = await createNeo4jConnection({
      url: `bolt://127.0.0.1:${proxy.port}`,
      namespace: neo.namespace,
      connectionTimeoutMs: 1_000,
      connectionAcquisitionTimeoutMs: 2_000,
      maxTransactionRetryTimeMs: 500,
    });
    const store = createNeo4jGraphStore(proxied);
    const graph = store.forOrg('acme');
    host = await hostWithPlugins({ stores: { graph: store, cases: createNeo4jCaseStore(proxied) } });
    await graph.upsert({ entities: [{ id: 'e1', type: 'Organization', name: 'Acme Corporation' }] });
  });

  afterAll(async () => {
    await host?.close();
    await proxied?.close();
    await proxy?.close();
    await neo?.close();
  });

  it('graph plugins fail typed, other plugins keep working, and graph runs recover', async () => {
    expect(await host.plugins.run(alice, 'searcher', { q: 'acme' })).toMatchObject({
      ok: true,
      value: ['e1'],
    });

    await proxy.cut();
    const during = await host.plugins.run(alice, 'searcher', { q: 'acme' });
    expect(during.ok).toBe(false);
    // The plugin saw its host call fail with UNAVAILABLE (in provenance), and the run failed typed.
    expect(during.provenance?.hostCalls).toEqual([
      expect.objectContaining({ method: 'graph.search', ok: false, error: 'UNAVAILABLE' }),
    ]);
    expect(['UNAVAILABLE', 'PLUGIN_ERROR']).toContain(during.error?.code);
    expect(during.cost).not.toBeNull();

    // A plugin without graph scopes is untouched by the outage.
    const echoes = await Promise.all(
      Array.from({ length: 5 }, (_, i) => host.plugins.run(alice, 'echo', { i })),
    );
    for (const [i, r] of echoes.entries()) expect(r).toMatchObject({ ok: true, value: { echo: { i } } });
    // Readiness reports the graph as down, with the rest up.
    const health = await host.health();
    expect(health.ok).toBe(false);
    expect(health.checks.graph?.ok).toBe(false);
    expect(health.checks.audit?.ok).toBe(true);

    await proxy.restore();
    const recovered = await eventually(
      async () => (await host.plugins.run(alice, 'searcher', { q: 'acme' })).ok,
      20_000,
    );
    expect(recovered).not.toBeNull();

    // Every run is audited, the failed one with its code.
    const counts = await auditCounts(host);
    expect(counts['plugin.run.denied'] ?? 0).toBe(0);
    const runs = await host.internals.audit.list({ type: 'plugin.run', limit: 1000 });
    expect(runs.some((e) => (e.data as { outcome?: string }).outcome === during.error?.code)).toBe(true);
    expect((await host.internals.audit.verify()).ok).toBe(true);
  });
});
