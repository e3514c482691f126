// Two hosts over one PostgreSQL schema, one three-master Redis Cluster key space and one Neo4j namespace,
// as a team runs them behind a load balancer. Each host has its own connections, pools, caches and
// sandbox, exactly as two processes would; they share nothing but the stores. The guarantees that must
// hold across them: exact quotas, one audit chain, exactly-once apply, kill switches and installs seen
// by the other host within a stated bound.
import { createNeo4jCaseStore, createNeo4jGraphStore } from '@intelgraph/adapters/neo4j';
import { createPgDatabase, type SqlDatabase } from '@intelgraph/adapters/postgres';
import {
  createRedisClusterClient,
  createRedisKillSwitchStore,
  createRedisQuotaStore,
  type RedisKillSwitchStore,
} from '@intelgraph/adapters/redis';
import type { Actor } from '@intelgraph/core';
import { createExtensionHost, type ExtensionHost } from '@intelgraph/host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedHost, USERS } from '../../../examples/demo/src/seed.js';
import { PG_URL } from '../../support/env.js';
import { openTestNeo4j, type TestNeo4j } from '../../support/neo4j.js';
import { REDIS_CLUSTER_NODES, redisClusterTestClient, type TestRedisCluster } from '../../support/redis.js';
import { type OpenedSql, openTestPostgres } from '../../support/sql.js';

const PLUGIN = 'sample-enricher';
const { alice, bob, carol } = USERS;
/** How long a change made on one host may take to be seen by the other (docs/guides/deployment.md). */
const KILL_SWITCH_BOUND_MS = 1_000;

const until = async <T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> => {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
};

interface Node {
  host: ExtensionHost;
  close(): Promise<void>;
}

let pg: OpenedSql;
let cluster: TestRedisCluster;
let neo: TestNeo4j;
let a: Node;
let b: Node;

async function startNode(): Promise<Node> {
  if (!pg.schema) throw new Error('the cross-host test needs PostgreSQL');
  // A second pool on the same schema: what a second host process opens.
  const db: SqlDatabase = await createPgDatabase({ connectionString: PG_URL, schema: pg.schema, max: 5 });
  const redis = createRedisClusterClient(REDIS_CLUSTER_NODES);
  const killSwitches: RedisKillSwitchStore = createRedisKillSwitchStore({ redis, prefix: cluster.prefix });
  const host = await createExtensionHost({
    database: db,
    prices: { default: { currency: 'usd_micros', perCall: 100, perCpuMs: 2, perRow: 1 } },
    sandbox: { poolSize: 2 },
    stores: {
      quotas: createRedisQuotaStore({ redis, prefix: cluster.prefix }),
      killSwitches,
      graph: createNeo4jGraphStore(neo.connection),
      cases: createNeo4jCaseStore(neo.connection),
    },
  });
  return {
    host,
    async close() {
      await host.close();
      await killSwitches.close();
      redis.disconnect();
      await db.close();
    },
  };
}

const run = (node: Node, actor: Actor = alice) => node.host.plugins.run(actor, PLUGIN, { q: 'acme' });

describe('two hosts over one PostgreSQL, Redis Cluster and Neo4j', () => {
  beforeAll(async () => {
    pg = await openTestPostgres({ poolSize: 5 });
    cluster = await redisClusterTestClient();
    neo = await openTestNeo4j();
    a = await startNode();
    b = await startNode();
    await seedHost(a.host);
    const installed = await a.host.plugins.install(alice, { pluginId: PLUGIN });
    expect(installed.status).toBe('installed');
    // Two hosts, a seeded catalog and three services: more than the default hook time on a loaded CI box.
  }, 180_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await neo?.close();
    await cluster?.close();
    await pg?.close();
  });

  it('grants exactly the limit when both hosts consume one quota (0 over-grant)', async () => {
    await a.host.finops.setQuota(alice, { resource: 'calls', limit: 12, window: 'hour', mode: 'hard' });
    const results = await Promise.all([
      ...Array.from({ length: 10 }, () => run(a)),
      ...Array.from({ length: 10 }, () => run(b)),
    ]);
    // A run that passed the quota is charged even when it then fails (a budget overrun on a loaded
    // machine, say), so "granted" is every answer but QUOTA_EXCEEDED.
    const denied = results.filter((r) => !r.ok && r.error?.code === 'QUOTA_EXCEEDED');
    expect(results.length - denied.length).toBe(12);
    expect(denied).toHaveLength(8);
    const [usageA] = await a.host.finops.usage(alice, PLUGIN);
    const [usageB] = await b.host.finops.usage(alice, PLUGIN);
    expect(usageA?.used).toBe(12);
    expect(usageB?.used).toBe(12);
    await a.host.finops.setQuota(alice, {
      resource: 'calls',
      limit: 1_000_000,
      window: 'hour',
      mode: 'hard',
    });
  });

  it('keeps one audit chain that verifies with appends from both hosts', async () => {
    const before = (await a.host.internals.audit.list({ type: 'plugin.run' })).length;
    const rs = await Promise.all([run(a), run(b), run(a), run(b), run(b)]);
    expect(rs.filter((r) => r.error?.code === 'QUOTA_EXCEEDED')).toEqual([]);
    const runs = await b.host.internals.audit.list({ type: 'plugin.run' });
    expect(runs.length - before).toBe(5);
    const verifiedA = await a.host.internals.audit.verify();
    const verifiedB = await b.host.internals.audit.verify();
    expect(verifiedA.ok).toBe(true);
    expect(verifiedB).toEqual(verifiedA);
  });

  it('applies an approval raced on both hosts exactly once', async () => {
    const task = await a.host.governance.request(alice, {
      kind: 'policy_change',
      payload: { kind: 'export', params: { maxRecords: 40 } },
      reason: 'cross-host race',
    });
    const outcomes = await Promise.allSettled([
      a.host.governance.approve(bob, task.id, { note: 'ok from host A' }),
      b.host.governance.approve(carol, task.id, { note: 'ok from host B' }),
    ]);
    expect(outcomes.some((o) => o.status === 'fulfilled')).toBe(true);
    const events = await a.host.internals.audit.list({ subject: `task:${task.id}` });
    expect(events.filter((e) => e.type === 'review.applied')).toHaveLength(1);
    const finalA = await a.host.governance.get(alice, task.id);
    const finalB = await b.host.governance.get(alice, task.id);
    expect(finalA.state).toBe('applied');
    expect(finalB.state).toBe('applied');
  });

  it(`stops runs on the other host within ${KILL_SWITCH_BOUND_MS} ms of a kill switch`, async () => {
    expect((await run(b)).ok).toBe(true);
    const engagedAt = Date.now();
    await a.host.finops.killSwitch(alice, { scope: 'org', on: true, reason: 'cross-host drill' });
    const blocked = await until(async () => {
      const r = await run(b);
      return !r.ok && r.error?.code === 'KILL_SWITCH' ? Date.now() - engagedAt : undefined;
    }, 5_000);
    expect(blocked).toBeDefined();
    expect(blocked).toBeLessThanOrEqual(KILL_SWITCH_BOUND_MS);
    await a.host.finops.killSwitch(alice, { scope: 'org', on: false, reason: 'drill over' });
    const released = await until(async () => ((await run(b)).ok ? true : undefined), 5_000);
    expect(released).toBe(true);
  });

  it('sees an uninstall and a reinstall made on the other host at its next run', async () => {
    await a.host.plugins.uninstall(alice, PLUGIN);
    const afterUninstall = await run(b);
    expect(afterUninstall.ok).toBe(false);
    expect(afterUninstall.error?.code).toBe('NOT_FOUND');
    const again = await a.host.plugins.install(alice, { pluginId: PLUGIN });
    expect(again.status).toBe('installed');
    expect((await run(b)).ok).toBe(true);
  });

  it('refuses other-org runs on either host', async () => {
    const erin = USERS.erin;
    for (const node of [a, b]) {
      const r = await run(node, erin);
      expect(r.ok).toBe(false);
      expect(r.error?.code).toBe('NOT_FOUND');
    }
  });
});
