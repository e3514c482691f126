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

  it('fails closed with UNAVAILABLE by default, never allowing silently', async () => {
    // Nothing listens on port 1.
    const redis = createRedisClient('redis://127.0.0.1:1', { lazyConnect: true });
    const finops = createFinOps({
      quotaStore: createRedisQuotaStore({ redis, prefix: admin.prefix }),
      killSwitchStore: createRedisKillSwitchStore({ redis, prefix: admin.prefix }),
    });
    await expect(
      finops.quotas.consume({ org: 'acme', plugin: 'p', resource: 'calls', amount: 1 }),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(finops.beginRun({ org: 'acme', plugin: 'p', runId: 'run_1' })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
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

  it('takes effect on another host through pub/sub invalidation of its cache, not expiry', async () => {
    const redisA = topology.connect();
    const redisB = topology.connect();
    // Host B's own subscriber connection, so the test sees each invalidation message arrive.
    const subscriberB = topology.connect();
    const channel = `${admin.prefix}ks:changed`;
    const nextChange = () =>
      new Promise<void>((resolve) => {
        const onMessage = (ch: string) => {
          if (ch !== channel) return;
          subscriberB.off('message', onMessage);
          resolve();
        };
        subscriberB.on('message', onMessage);
      });
    const storeA = createRedisKillSwitchStore({ redis: redisA, prefix: admin.prefix });
    // Host B's clock never moves and its cache TTL is a minute: only an invalidation can drop its copy.
    const storeB = createRedisKillSwitchStore({
      redis: redisB,
      subscriber: subscriberB,
      prefix: admin.prefix,
      cacheTtlMs: 60_000,
      now: () => 0,
    });
    const hostA = createFinOps({ killSwitchStore: storeA });
    const hostB = createFinOps({ killSwitchStore: storeB });
    for (const client of [redisA, redisB]) if (client.status !== 'ready') await once(client, 'ready');
    // Wait until host B's subscription is live: a probe published on the channel reaches it.
    let live = false;
    const subscribed = nextChange().then(() => {
      live = true;
    });
    while (!live) {
      await redisA.publish(channel, 'probe');
      await Promise.race([subscribed, new Promise((r) => setTimeout(r, 20))]);
    }
    // Warm host B's cache.
    expect(await hostB.killSwitch.check({ org: 'acme', plugin: 'p' })).toBeUndefined();

    const engaged = nextChange();
    await hostA.killSwitch.engage({
      target: { org: 'acme' },
      reason: 'cost spike',
      actor: { userId: 'sre', orgId: 'ops' },
    });
    await engaged;
    const blocked = await hostB.killSwitch.check({ org: 'acme', plugin: 'p' }).catch((err) => err);
    expect(isIntelGraphError(blocked, 'KILL_SWITCH')).toBe(true);
    expect(blocked.details.switch).toBe('org:acme');

    const released = nextChange();
    await hostA.killSwitch.release({
      target: { org: 'acme' },
      reason: 'fixed',
      actor: { userId: 'sre', orgId: 'ops' },
    });
    await released;
    expect(await hostB.killSwitch.check({ org: 'acme', plugin: 'p' })).toBeUndefined();

    await storeA.close();
    await storeB.close();
    subscriberB.disconnect();
    redisA.disconnect();
    redisB.disconnect();
  });
});
