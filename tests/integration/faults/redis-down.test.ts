// Fault: Redis (quotas + kill switch) stops mid-load. The test starts its OWN redis-server on a free port
// (never the machine's shared 6379), kills it while plugin runs are in flight, and restarts it on the
// same port. Runs must fail closed with a typed UNAVAILABLE, every run must be accounted for in the
// audit chain (run or denial), and service must come back by itself once the client reconnects.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  createRedisClient,
  createRedisKillSwitchStore,
  createRedisQuotaStore,
} from '@intelgraph/adapters/redis';
import type { ExtensionHost, PluginRunResult } from '@intelgraph/host';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alice, auditCounts, eventually, freePort, hostWithPlugins } from './support.js';

let port = 0;
let redisProcess: ChildProcess | null = null;

async function startRedis(): Promise<void> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  redisProcess = child;
  const probe = createRedisClient(`redis://127.0.0.1:${port}`, { lazyConnect: true });
  const up = await eventually(async () => {
    if (probe.status !== 'ready') await probe.connect().catch(() => undefined);
    return (await probe.ping()) === 'PONG';
  }, 10_000);
  probe.disconnect();
  if (up === null) throw new Error(`redis-server did not start on port ${port} (is redis-server installed?)`);
}

async function killRedis(): Promise<void> {
  const child = redisProcess;
  redisProcess = null;
  if (!child || child.exitCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

describe('fault: Redis stops mid-load', () => {
  let redis: Redis;
  let host: ExtensionHost;

  beforeAll(async () => {
    port = await freePort();
    await startRedis();
    redis = createRedisClient(`redis://127.0.0.1:${port}`);
    await eventually(async () => redis.status === 'ready', 10_000);
    host = await hostWithPlugins({
      stores: {
        quotas: createRedisQuotaStore({ redis, prefix: 'fault:' }),
        killSwitches: createRedisKillSwitchStore({ redis, prefix: 'fault:' }),
      },
    });
  });

  afterAll(async () => {
    await host?.close();
    redis?.disconnect();
    await killRedis();
  });

  it('fails closed with UNAVAILABLE, accounts for every run, and recovers once the client reconnects', async () => {
    await host.finops.setQuota(alice, { resource: 'calls', limit: 1_000_000, window: 'day', mode: 'hard' });

    // Before the outage, counting is exact.
    const warm = await Promise.all(
      Array.from({ length: 10 }, () => host.plugins.run(alice, 'echo', { n: 1 })),
    );
    expect(warm.every((r) => r.ok)).toBe(true);
    const usage = await host.finops.usage(alice);
    expect(usage.find((u) => u.rule.resource === 'calls')?.used).toBe(10);

    // Load: 6 concurrent callers until told to stop.
    const results: PluginRunResult[] = [];
    const thrown: unknown[] = [];
    let stop = false;
    const callers = Array.from({ length: 6 }, async () => {
      while (!stop) {
        try {
          const r = await host.plugins.run(alice, 'echo', { n: results.length });
          results.push(r);
          // A refusal is instant; pace the callers like clients backing off, so the log stays small.
          if (!r.ok) await new Promise((resolve) => setTimeout(resolve, 20));
        } catch (err) {
          thrown.push(err);
        }
      }
    });
    await eventually(async () => results.length >= 10, 10_000);

    await killRedis();
    const killedAt = results.length;
    // While Redis is down, every run is refused with a typed UNAVAILABLE (the kill switch check and the
    // quota reservation both fail closed); none is let through uncounted. Runs that started before the
    // kill may still settle either way, so the outage is judged on the runs that started after the
    // client saw the connection drop.
    // (Plain listeners: events.once would reject on the client's reconnect errors.)
    if (redis.status === 'ready') await new Promise((resolve) => redis.once('close', resolve));
    const downFrom = results.length + 6;
    await eventually(async () => results.length >= downFrom + 12, 30_000);
    const duringOutage = results.slice(downFrom);
    expect(duringOutage.length).toBeGreaterThanOrEqual(12);
    for (const r of duringOutage) {
      expect(r.ok).toBe(false);
      expect(r.error?.code).toBe('UNAVAILABLE');
    }

    // Recovery: once the client has reconnected by itself, the next run succeeds.
    const reconnected = new Promise((resolve) => redis.once('ready', resolve));
    await startRedis();
    await reconnected;
    stop = true;
    await Promise.all(callers);
    const probe = await host.plugins.run(alice, 'echo', { probe: true });
    results.push(probe);
    expect(probe.error ?? null).toBeNull();
    expect(probe.ok).toBe(true);

    // Nothing thrown, nothing untyped: every outcome is ok or UNAVAILABLE.
    expect(thrown).toEqual([]);
    const codes = new Set(results.filter((r) => !r.ok).map((r) => r.error?.code));
    expect([...codes].every((c) => c === 'UNAVAILABLE')).toBe(true);
    expect(killedAt).toBeGreaterThan(0);

    // Every run is in the audit chain: as a run (settled, whatever its outcome) or as a typed denial.
    const counts = await auditCounts(host);
    const all = warm.length + results.length;
    expect((counts['plugin.run'] ?? 0) + (counts['plugin.run.denied'] ?? 0)).toBe(all);
    expect(counts['plugin.run'] ?? 0).toBeGreaterThanOrEqual(
      warm.length + results.filter((r) => r.ok).length,
    );
    expect((await host.internals.audit.verify()).ok).toBe(true);

    // After recovery (Redis came back empty: no persistence), counting is exact again.
    await host.finops.setQuota(alice, { resource: 'calls', limit: 1_000_000, window: 'day', mode: 'hard' });
    const again = await Promise.all(Array.from({ length: 5 }, () => host.plugins.run(alice, 'echo', {})));
    expect(again.every((r) => r.ok)).toBe(true);
    expect((await host.finops.usage(alice)).find((u) => u.rule.resource === 'calls')?.used).toBe(5);
  });
});
