import { createRedisRateLimiter } from '@intelgraph/adapters/redis';
import type { RateLimitStore } from '@intelgraph/core';
import { createMemoryRateLimiter } from '@intelgraph/finops';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  redisClusterTestClient,
  redisTestClient,
  type TestRedis,
  type TestRedisCluster,
} from '../../support/redis.js';

let redis: TestRedis;
let cluster: TestRedisCluster;
beforeAll(async () => {
  redis = await redisTestClient();
  cluster = await redisClusterTestClient();
});
afterAll(async () => {
  await redis.close();
  await cluster.close();
});

const limiters: { name: string; make(): RateLimitStore }[] = [
  { name: 'memory', make: () => createMemoryRateLimiter() },
  { name: 'redis', make: () => createRedisRateLimiter({ redis: redis.client, prefix: redis.prefix }) },
  {
    name: 'redis-cluster',
    make: () => createRedisRateLimiter({ redis: cluster.client, prefix: cluster.prefix }),
  },
];

describe.each(limiters)('rate limiter: $name', ({ make }) => {
  it('grants exactly the burst to concurrent callers, then one per interval', async () => {
    const rl = make();
    const rule = { limit: 50, intervalMs: 1000 };
    const t = 5_000_000;
    const key = `k_${t}_${Math.floor(performance.now())}`;
    const results = await Promise.all(Array.from({ length: 200 }, () => rl.take(key, rule, t)));
    expect(results.filter((r) => r.ok)).toHaveLength(50);
    expect(results.find((r) => !r.ok)).toMatchObject({ ok: false, retryAfterMs: 20 });
    expect((await rl.take(key, rule, t + 19)).ok).toBe(false);
    expect((await rl.take(key, rule, t + 20)).ok).toBe(true);
  });
});
