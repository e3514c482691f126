// FinOps quota benchmark against the local Redis (127.0.0.1:6379, or IG_TEST_REDIS_URL):
//  - quota consume throughput on Redis (one Lua round trip each) vs a raw INCR pipeline;
//  - p50/p95/p99 latency at 64 concurrent callers;
//  - over-grant count under contention (must be 0), and exactness (granted === limit);
//  - the same consume workload on the in-memory store.
// Run: ./run pnpm exec node --no-node-snapshot --conditions=@intelgraph/source --import tsx bench/finops.bench.ts
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { cpus, loadavg, totalmem } from 'node:os';
import { createRedisClient, createRedisQuotaStore } from '@intelgraph/adapters/redis';
import type { QuotaStore } from '@intelgraph/core';
import { createFinOps, createMemoryQuotaStore } from '@intelgraph/finops';
import type { Redis } from 'ioredis';
import { writeResultFile } from './support/report.js';

const REDIS_URL = process.env.IG_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CONCURRENCY = 64;
const OPS = Number(process.env.FINOPS_BENCH_OPS ?? 20_000);
const prefix = `igbench:${randomUUID().slice(0, 8)}:`;

const pct = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;

/** Runs `total` calls of `op` from `CONCURRENCY` concurrent callers; returns throughput and latencies. */
async function load(total: number, op: (i: number) => Promise<unknown>) {
  const lat: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t = performance.now();
        await op(i);
        lat.push(performance.now() - t);
      }
    }),
  );
  const ms = performance.now() - started;
  lat.sort((a, b) => a - b);
  return {
    ops: total,
    opsPerSec: Math.round((total / ms) * 1000),
    p50Ms: round(pct(lat, 0.5)),
    p95Ms: round(pct(lat, 0.95)),
    p99Ms: round(pct(lat, 0.99)),
  };
}

async function consumeBench(store: QuotaStore, org: string) {
  const finops = createFinOps({ quotaStore: store });
  await finops.quotas.set({ scope: { org }, resource: 'calls', limit: 1_000_000_000, window: 'hour' });
  await finops.quotas.set({
    scope: { org, plugin: 'p' },
    resource: 'calls',
    limit: 1_000_000_000,
    window: 'minute',
    windowKind: 'sliding',
  });
  // Warm-up (script load, JIT).
  for (let i = 0; i < 500; i++)
    await finops.quotas.consume({ org, plugin: 'p', resource: 'calls', amount: 1 });
  return load(OPS, () => finops.quotas.consume({ org, plugin: 'p', resource: 'calls', amount: 1 }));
}

async function overGrant(store: QuotaStore, org: string, limit: number, attempts: number) {
  const finops = createFinOps({ quotaStore: store });
  await finops.quotas.set({ scope: { org }, resource: 'calls', limit, window: 'hour' });
  let granted = 0;
  await load(attempts, async () => {
    const r = await finops.quotas.consume({ org, plugin: 'p', resource: 'calls', amount: 1 });
    if (r.ok) granted++;
  });
  return { limit, attempts, granted, overGrant: Math.max(0, granted - limit), exact: granted === limit };
}

async function rawIncr(redis: Redis) {
  const key = `${prefix}raw`;
  const perCaller = await load(OPS, () => redis.incr(key));
  // The same number of INCRs sent as pipelines of 64 commands: the best case for one key, no logic.
  const started = performance.now();
  for (let i = 0; i < OPS; i += CONCURRENCY) {
    const p = redis.pipeline();
    for (let j = 0; j < CONCURRENCY && i + j < OPS; j++) p.incr(key);
    await p.exec();
  }
  const pipelinedOpsPerSec = Math.round((OPS / (performance.now() - started)) * 1000);
  return { perCaller, pipelinedOpsPerSec };
}

async function main() {
  const redis = createRedisClient(REDIS_URL, { commandTimeout: 10_000 });
  try {
    await Promise.race([
      once(redis, 'ready'),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no connection within 5 s')), 5000)),
    ]);
    await redis.ping();
  } catch (err) {
    console.error(`Redis is required at ${REDIS_URL}:`, err);
    process.exit(1);
  }
  const redisStore = createRedisQuotaStore({ redis, prefix });
  const results = {
    date: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memGiB: round(totalmem() / 2 ** 30, 1),
      node: process.version,
      loadavg: loadavg().map((n) => round(n, 2)),
      redis: (await redis.info('server')).match(/redis_version:(\S+)/)?.[1] ?? 'unknown',
    },
    concurrency: CONCURRENCY,
    redis: {
      consume: await consumeBench(redisStore, 'bench-redis'),
      rawIncr: await rawIncr(redis),
      overGrant: await overGrant(redisStore, 'bench-exact-redis', 5000, 20_000),
    },
    memory: {
      consume: await consumeBench(createMemoryQuotaStore(), 'bench-memory'),
      overGrant: await overGrant(createMemoryQuotaStore(), 'bench-exact-memory', 5000, 20_000),
    },
  };
  const ratios = {
    redisConsumeVsRawIncrPerCaller: round(
      results.redis.consume.opsPerSec / results.redis.rawIncr.perCaller.opsPerSec,
      3,
    ),
    redisConsumeVsRawIncrPipeline: round(
      results.redis.consume.opsPerSec / results.redis.rawIncr.pipelinedOpsPerSec,
      3,
    ),
    memoryVsRedisConsume: round(results.memory.consume.opsPerSec / results.redis.consume.opsPerSec, 1),
  };
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();

  const out = { ...results, ratios };
  writeResultFile('finops.json', `${JSON.stringify(out, null, 2)}\n`);
  const r = results.redis;
  const m = results.memory;
  const md = `# FinOps quota benchmark

${results.date} · ${results.machine.cpu} × ${results.machine.cores} · Node ${results.machine.node} · Redis ${results.machine.redis} · load ${results.machine.loadavg.join(' ')}

Each consume checks and charges two rules (org per hour fixed, plugin per minute sliding) in one Lua round trip; ${CONCURRENCY} concurrent callers, ${OPS} operations.

| workload | ops/s | p50 ms | p95 ms | p99 ms |
| --- | ---: | ---: | ---: | ---: |
| Redis quota consume | ${r.consume.opsPerSec} | ${r.consume.p50Ms} | ${r.consume.p95Ms} | ${r.consume.p99Ms} |
| Redis raw INCR (per caller) | ${r.rawIncr.perCaller.opsPerSec} | ${r.rawIncr.perCaller.p50Ms} | ${r.rawIncr.perCaller.p95Ms} | ${r.rawIncr.perCaller.p99Ms} |
| Redis raw INCR (pipelines of ${CONCURRENCY}) | ${r.rawIncr.pipelinedOpsPerSec} | | | |
| memory quota consume | ${m.consume.opsPerSec} | ${m.consume.p50Ms} | ${m.consume.p95Ms} | ${m.consume.p99Ms} |

Ratios: Redis consume / raw INCR per caller = ${ratios.redisConsumeVsRawIncrPerCaller}; / raw INCR pipeline = ${ratios.redisConsumeVsRawIncrPipeline}; memory / Redis consume = ${ratios.memoryVsRedisConsume}×.

Exactness under contention (${r.overGrant.attempts} attempts, limit ${r.overGrant.limit}): Redis granted ${r.overGrant.granted} (over-grant **${r.overGrant.overGrant}**), memory granted ${m.overGrant.granted} (over-grant **${m.overGrant.overGrant}**).
`;
  writeResultFile('finops.md', md);
  console.log(md);
  if (
    r.overGrant.overGrant !== 0 ||
    m.overGrant.overGrant !== 0 ||
    !r.overGrant.exact ||
    !m.overGrant.exact
  ) {
    console.error('over-grant or inexact quota detected');
    process.exit(1);
  }
}

await main();
