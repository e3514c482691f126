import { once } from 'node:events';
import {
  createRedisClient,
  createRedisClusterClient,
  createRedisKillSwitchStore,
  createRedisQuotaStore,
} from '@intelgraph/adapters/redis';
import { createManualClock, type IntelGraphError, isIntelGraphError } from '@intelgraph/core';
import { createFinOps } from '@intelgraph/finops';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL } from '../../support/env.js';
import {
  REDIS_CLUSTER_NODES,
  redisClusterTestClient,
  redisTestClient,
  type TestRedis,
} from '../../support/redis.js';
import { tcpProxy } from '../../support/tcp-proxy.js';

const eventually = async (fn: () => Promise<boolean>, timeoutMs: number) => {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
};

describe('Redis adapter when Redis is unreachable', () => {
  let admin: TestRedis;
  beforeAll(async () => {
    admin = await redisTestClient();
  });
  afterAll(() => admin.close());

  it('fails closed with UNAVAILABLE by default, quickly, never allowing silently', async () => {
    // Nothing listens on port 1.
    const redis = createRedisClient('redis://127.0.0.1:1', { lazyConnect: true });
    const finops = createFinOps({
      quotaStore: createRedisQuotaStore({ redis, prefix: admin.prefix }),
      killSwitchStore: createRedisKillSwitchStore({ redis, prefix: admin.prefix }),
    });
    const started = Date.now();
    await expect(
      finops.quotas.consume({ org: 'acme', plugin: 'p', resource: 'calls', amount: 1 }),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(finops.beginRun({ org: 'acme', plugin: 'p', runId: 'run_1' })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    expect(Date.now() - started).toBeLessThan(5000);
    redis.disconnect();
  });

  it('fail-open allows but flags the charge as degraded and reports the outage', async () => {
    const redis = createRedisClient('redis://127.0.0.1:1', { lazyConnect: true });
    const outages: IntelGraphError[] = [];
    const finops = createFinOps({
      quotaStore: createRedisQuotaStore({
        redis,
        prefix: admin.prefix,
        unavailable: 'fail-open',
        onUnavailable: (e) => outages.push(e),
      }),
    });
    const r = await finops.quotas.consume({ org: 'acme', plugin: 'p', resource: 'calls', amount: 1 });
    expect(r).toMatchObject({ ok: true, degraded: true });
    expect(outages.map((e) => e.code)).toEqual(['UNAVAILABLE']);
    redis.disconnect();
  });

  it('recovers by itself when Redis comes back', async () => {
    // A proxy in front of the real Redis that the test cuts and restores, to simulate an outage.
    const target = new URL(REDIS_URL);
    const proxy = await tcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    const redis = createRedisClient(`redis://127.0.0.1:${proxy.port}`);
    await once(redis, 'ready');
    const clock = createManualClock();
    const finops = createFinOps({
      quotaStore: createRedisQuotaStore({ redis, prefix: admin.prefix }),
      clock,
    });
    await finops.quotas.set({ scope: { org: 'acme' }, resource: 'calls', limit: 10, window: 'day' });
    expect((await finops.quotas.consume({ org: 'acme', plugin: 'p', resource: 'calls', amount: 1 })).ok).toBe(
      true,
    );

    await proxy.cut();
    const down = await finops.quotas
      .consume({ org: 'acme', plugin: 'p', resource: 'calls', amount: 1 })
      .catch((e) => e);
    expect(isIntelGraphError(down, 'UNAVAILABLE')).toBe(true);

    await proxy.restore(); // same port
    const recovered = await eventually(async () => {
      const r = await finops.quotas
        .consume({ org: 'acme', plugin: 'p', resource: 'calls', amount: 1 })
        .catch(() => null);
      return r?.ok === true;
    }, 10_000);
    expect(recovered).toBe(true);
    const [u] = await finops.quotas.usage({ org: 'acme' });
    expect(u?.used).toBe(2); // the failed call was not counted
    redis.disconnect();
    await proxy.close();
  });
});

const topologies = [
  {
    name: 'single node',
    admin: redisTestClient,
    connect: () => createRedisClient(REDIS_URL),
  },
  {
    name: 'three-master cluster',
    admin: redisClusterTestClient,
    connect: () => createRedisClusterClient(REDIS_CLUSTER_NODES),
  },
];

describe.each(topologies)('Redis kill switch shared by several hosts ($name)', (topology) => {
  let admin: { prefix: string; close(): Promise<void> };
  beforeAll(async () => {
    admin = await topology.admin();
  });
  afterAll(() => admin.close());

  it('takes effect on another host within a second, through pub/sub invalidation of its cache', async () => {
    const redisA = topology.connect();
    const redisB = topology.connect();
    // A long cache TTL proves that invalidation, not expiry, carries the change.
    const storeA = createRedisKillSwitchStore({ redis: redisA, prefix: admin.prefix, cacheTtlMs: 60_000 });
    const storeB = createRedisKillSwitchStore({ redis: redisB, prefix: admin.prefix, cacheTtlMs: 60_000 });
    const hostA = createFinOps({ killSwitchStore: storeA });
    const hostB = createFinOps({ killSwitchStore: storeB });
    await once(redisB, 'ready');
    // Warm host B's cache (and wait until its subscription is live).
    expect(
      await eventually(
        async () => (await hostB.killSwitch.check({ org: 'acme', plugin: 'p' })) === undefined,
        2000,
      ),
    ).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    await hostB.killSwitch.check({ org: 'acme', plugin: 'p' });

    const engagedAt = Date.now();
    await hostA.killSwitch.engage({
      target: { org: 'acme' },
      reason: 'cost spike',
      actor: { userId: 'sre', orgId: 'ops' },
    });
    const blocked = await eventually(async () => {
      const e = await hostB.killSwitch.check({ org: 'acme', plugin: 'p' }).catch((err) => err);
      return isIntelGraphError(e, 'KILL_SWITCH') && e.details.switch === 'org:acme';
    }, 1000);
    expect(blocked).toBe(true);
    expect(Date.now() - engagedAt).toBeLessThan(1000);

    await hostA.killSwitch.release({
      target: { org: 'acme' },
      reason: 'fixed',
      actor: { userId: 'sre', orgId: 'ops' },
    });
    expect(
      await eventually(
        async () =>
          (await hostB.killSwitch.check({ org: 'acme', plugin: 'p' }).catch(() => 'x')) === undefined,
        1000,
      ),
    ).toBe(true);

    await storeA.close();
    await storeB.close();
    redisA.disconnect();
    redisB.disconnect();
  });
});
