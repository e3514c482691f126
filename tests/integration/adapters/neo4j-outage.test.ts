// Neo4j going away and coming back: calls fail fast with UNAVAILABLE (never a wrong answer) and recover
// by themselves. The outage is simulated with a TCP proxy in front of the test server, which this test
// can cut without disturbing anyone else using the server.
import { createServer, type Server, Socket } from 'node:net';
import { createNeo4jConnection, createNeo4jGraphStore } from '@intelgraph/adapters/neo4j';
import { isIntelGraphError } from '@intelgraph/core';
import { afterEach, describe, expect, it } from 'vitest';
import { NEO4J_URL, openTestNeo4j } from '../../support/neo4j.js';

const target = new URL(NEO4J_URL);

interface Proxy {
  port: number;
  /** Stops accepting and drops every open connection. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
}

async function startProxy(): Promise<Proxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = new Socket();
        upstream.connect(Number(target.port || 7687), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('error', () => {});
          s.on('close', () => sockets.delete(s));
        }
        client.pipe(upstream).pipe(client);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server?.address();
        if (address && typeof address === 'object') port = address.port;
        resolve();
      });
    });
  await listen();
  return {
    get port() {
      return port;
    },
    async cut() {
      await new Promise<void>((resolve) => {
        server?.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    restore: listen,
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('Neo4j outage', () => {
  it('fails to connect with UNAVAILABLE when nothing listens', async () => {
    await expect(
      createNeo4jConnection({ url: 'bolt://127.0.0.1:1', connectionTimeoutMs: 1_000 }),
    ).rejects.toSatisfy((e) => isIntelGraphError(e, 'UNAVAILABLE'));
  });

  it('answers UNAVAILABLE during an outage and recovers when the server is back', async () => {
    const neo = await openTestNeo4j(); // same namespace through the proxy, cleaned up directly
    cleanups.push(() => neo.close());
    const proxy = await startProxy();
    cleanups.push(() => proxy.cut());
    const connection = await createNeo4jConnection({
      url: `bolt://127.0.0.1:${proxy.port}`,
      namespace: neo.namespace,
      connectionTimeoutMs: 1_000,
      connectionAcquisitionTimeoutMs: 2_000,
      maxTransactionRetryTimeMs: 500,
      ensureSchema: false,
    });
    cleanups.push(() => connection.close());
    const graph = createNeo4jGraphStore(connection).forOrg('acme');
    await graph.upsert({ entities: [{ id: 'p1', type: 'Person', name: 'Alice' }] });

    await proxy.cut();
    await expect(graph.search({ q: 'alice' })).rejects.toSatisfy((e) => isIntelGraphError(e, 'UNAVAILABLE'));
    await expect(graph.upsert({ entities: [{ id: 'p2', type: 'Person', name: 'Bob' }] })).rejects.toSatisfy(
      (e) => isIntelGraphError(e, 'UNAVAILABLE'),
    );
    await expect(connection.ping()).rejects.toSatisfy((e) => isIntelGraphError(e, 'UNAVAILABLE'));

    await proxy.restore();
    expect((await graph.search({ q: 'alice' })).items.map((h) => h.entity.id)).toEqual(['p1']);
    expect(await graph.getEntity('p2')).toBeNull(); // the failed write left nothing behind
  });
});
