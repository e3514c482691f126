// Two hosts sharing PostgreSQL and Redis: a kill switch engaged, or a plugin uninstalled, on one host
// stops a run in flight on the other (at its next host call once its view is older than runRecheckMs).
import { createRedisKillSwitchStore, type RedisKillSwitchStore } from '@intelgraph/adapters/redis';
import { defineHostApi } from '@intelgraph/capabilities';
import type { Actor } from '@intelgraph/core';
import { createExtensionHost, type ExtensionHost } from '@intelgraph/host';
import { generatePublisherKeyPair, publicKeyPem, signPluginPackage } from '@intelgraph/marketplace';
import { afterEach, describe, expect, it } from 'vitest';
import { redisTestClient, type TestRedis } from '../../support/redis.js';
import { type OpenedSql, openTestPostgres } from '../../support/sql.js';

const alice: Actor = { userId: 'alice', orgId: 'acme', roles: ['admin'] };
const platform: Actor = { userId: 'platform', orgId: 'intelgraph', roles: ['marketplace-admin'] };
const key = generatePublisherKeyPair();

const LOOPER = `module.exports.run = async (input, api) => {
  let n = 0;
  for (;;) {
    try { await api.probe.tick({}); n++; } catch (e) { return { n, code: e.code }; }
  }
};`;

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()?.();
});

async function twoHosts(): Promise<{
  a: ExtensionHost;
  b: ExtensionHost;
  calls: () => number;
  reached: (n: number) => Promise<void>;
}> {
  const sql: OpenedSql = await openTestPostgres();
  cleanup.push(() => sql.close());
  const redis: TestRedis = await redisTestClient();
  cleanup.push(() => redis.close());
  let calls = 0;
  let waiter: { n: number; resolve: () => void } | null = null;
  const hostApi = defineHostApi({
    probe: {
      tick: {
        scope: 'graph:read',
        handler: async () => {
          calls += 1;
          if (waiter && calls >= waiter.n) waiter.resolve();
          await new Promise((r) => setTimeout(r, 2));
          return calls;
        },
      },
    },
  });
  const open = async (withApi: boolean) => {
    const killSwitches: RedisKillSwitchStore = createRedisKillSwitchStore({
      redis: redis.client,
      prefix: redis.prefix,
    });
    const host = await createExtensionHost({
      database: sql.db,
      stores: { killSwitches },
      sandbox: { poolSize: 1 },
      runRecheckMs: 100,
      ...(withApi ? { hostApi } : {}),
    });
    cleanup.push(async () => {
      await host.close();
      await killSwitches.close();
    });
    return host;
  };
  const a = await open(true);
  const b = await open(false);
  await a.internals.marketplace.trustKey(platform, 'acme-labs', publicKeyPem(key.privateKeyPem));
  const pkg = await signPluginPackage(
    {
      manifest: {
        name: 'looper',
        version: '1.0.0',
        entry: 'index.js',
        publisher: 'acme-labs',
        capabilities: { graph: ['read'] },
        budgets: { ms: 30_000, cpuMs: 30_000 },
      },
      files: { 'index.js': LOOPER },
    },
    key.privateKeyPem,
  );
  await a.plugins.publish(null, pkg);
  await a.plugins.install(alice, { pluginId: 'looper' });
  return {
    a,
    b,
    calls: () => calls,
    reached: (n) =>
      new Promise<void>((resolve) => {
        waiter = { n, resolve };
        if (calls >= n) resolve();
      }),
  };
}

describe('run guards across hosts sharing PostgreSQL and Redis', () => {
  it('a kill switch engaged on another host stops the run in flight', async () => {
    const { a, b, calls, reached } = await twoHosts();
    const running = a.plugins.run(alice, 'looper', {});
    await reached(3);
    await b.finops.killSwitch(alice, {
      scope: 'plugin',
      target: 'looper',
      on: true,
      reason: 'incident on host b',
    });
    const r = await running;
    expect(r.ok).toBe(false);
    if (r.ok) return;
    // Without the re-check the run would go on until its 30 s budget (BUDGET_EXCEEDED).
    expect(r.error.code).toBe('KILL_SWITCH');
    expect(r.value).toBeUndefined();
    expect(calls()).toBeGreaterThanOrEqual(3);
  });

  it('an uninstall on another host stops the run in flight', async () => {
    const { a, b, reached } = await twoHosts();
    const running = a.plugins.run(alice, 'looper', {});
    await reached(3);
    await b.plugins.uninstall(alice, 'looper');
    const r = await running;
    expect(r.error?.code).toBe('CAPABILITY_DENIED');
  });
});
