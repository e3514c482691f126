import { createRedisQuotaStore } from '@intelgraph/adapters/redis';
import {
  createManualClock,
  isIntelGraphError,
  type ManualClock,
  type QuotaStore,
  sequentialIds,
} from '@intelgraph/core';
import { createFinOps, createMemoryNotifier, createMemoryQuotaStore, type FinOps } from '@intelgraph/finops';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  redisClusterTestClient,
  redisTestClient,
  type TestRedis,
  type TestRedisCluster,
} from '../support/redis.js';

// One test body, every QuotaStore: the in-memory store, single-node Redis and a three-master Redis Cluster
// (both must be running; never skipped).
interface Backend {
  name: string;
  setup(): Promise<void>;
  store(): QuotaStore;
  teardown(): Promise<void>;
}

let redis: TestRedis | null = null;
let cluster: TestRedisCluster | null = null;
const backends: Backend[] = [
  {
    name: 'memory',
    setup: async () => {},
    store: () => createMemoryQuotaStore(),
    teardown: async () => {},
  },
  {
    name: 'redis',
    setup: async () => {
      redis = await redisTestClient();
    },
    store: () => {
      if (!redis) throw new Error('redis not set up');
      return createRedisQuotaStore({ redis: redis.client, prefix: redis.prefix });
    },
    teardown: async () => {
      await redis?.close();
      redis = null;
    },
  },
  {
    // Three masters: every charge, settle and usage script must keep its keys in the org's hash slot.
    name: 'redis-cluster',
    setup: async () => {
      cluster = await redisClusterTestClient();
    },
    store: () => {
      if (!cluster) throw new Error('redis cluster not set up');
      return createRedisQuotaStore({ redis: cluster.client, prefix: cluster.prefix });
    },
    teardown: async () => {
      await cluster?.close();
      cluster = null;
    },
  },
];

// 2026-01-01T00:00:10Z: ten seconds into a minute.
const T0 = Date.UTC(2026, 0, 1, 0, 0, 10);
let orgSeq = 0;
const freshOrg = () => `org${++orgSeq}`;

describe.each(backends)('QuotaStore conformance: $name', (backend) => {
  let clock: ManualClock;
  let finops: FinOps;
  let notifier: ReturnType<typeof createMemoryNotifier>;

  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());

  const make = () => {
    clock = createManualClock(T0);
    notifier = createMemoryNotifier();
    finops = createFinOps({ quotaStore: backend.store(), clock, ids: sequentialIds(), notifier });
    return finops;
  };

  it('grants exactly 50 of 200 concurrent consumes against a limit of 50', async () => {
    const f = make();
    const org = freshOrg();
    await f.quotas.set({ scope: { org }, resource: 'calls', limit: 50, window: 'hour' });
    const results = await Promise.all(
      Array.from({ length: 200 }, () => f.quotas.consume({ org, plugin: 'p', resource: 'calls', amount: 1 })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(50);
    const denied = results.filter((r) => !r.ok);
    expect(denied).toHaveLength(150);
    expect(denied.every((r) => !r.ok && r.code === 'QUOTA_EXCEEDED' && r.usage === 50)).toBe(true);
    const [u] = await f.quotas.usage({ org });
    expect(u?.used).toBe(50);
  });

  it('grants exactly 50 of 200 concurrent reservations', async () => {
    const f = make();
    const org = freshOrg();
    await f.quotas.set({ scope: { org, plugin: 'p' }, resource: 'calls', limit: 50, window: 'day' });
    const settled = await Promise.allSettled(
      Array.from({ length: 200 }, () => f.quotas.reserve({ org, plugin: 'p', estimate: { calls: 1 } })),
    );
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(50);
    const rejected = settled.filter((s) => s.status === 'rejected');
    expect(rejected.every((s) => isIntelGraphError(s.reason, 'QUOTA_EXCEEDED'))).toBe(true);
  });

  it('checks the org rule and the plugin rule together, and charges nothing when denied', async () => {
    const f = make();
    const org = freshOrg();
    await f.quotas.set({ scope: { org }, resource: 'rows', limit: 10, window: 'day' });
    await f.quotas.set({ scope: { org, plugin: 'a' }, resource: 'rows', limit: 6, window: 'day' });
    expect((await f.quotas.consume({ org, plugin: 'a', resource: 'rows', amount: 6 })).ok).toBe(true);
    const overPlugin = await f.quotas.consume({ org, plugin: 'a', resource: 'rows', amount: 1 });
    expect(overPlugin.ok || overPlugin.rule.scope).toEqual({ org, plugin: 'a' });
    expect((await f.quotas.consume({ org, plugin: 'b', resource: 'rows', amount: 4 })).ok).toBe(true);
    const overOrg = await f.quotas.consume({ org, plugin: 'b', resource: 'rows', amount: 1 });
    expect(overOrg.ok || overOrg.rule.scope).toEqual({ org });
    const usage = await f.quotas.usage({ org });
    expect(usage.map((u) => [u.rule.scope.plugin ?? '*', u.used])).toEqual([
      ['*', 10],
      ['a', 6],
    ]);
  });

  it('names the limit, the usage and the reset time, and resets when the fixed window rolls over', async () => {
    const f = make();
    const org = freshOrg();
    await f.quotas.set({ scope: { org }, resource: 'calls', limit: 3, window: 'minute' });
    for (let i = 0; i < 3; i++) {
      const r = await f.quotas.consume({ org, plugin: 'p', resource: 'calls', amount: 1 });
      expect(r).toMatchObject({ ok: true, remaining: 2 - i, resetAt: '2026-01-01T00:01:00.000Z' });
    }
    const denied = await f.quotas.consume({ org, plugin: 'p', resource: 'calls', amount: 1 });
    expect(denied).toMatchObject({
      ok: false,
      code: 'QUOTA_EXCEEDED',
      limit: 3,
      usage: 3,
      requested: 1,
      resetAt: '2026-01-01T00:01:00.000Z',
      rule: { scope: { org }, resource: 'calls', window: 'minute', windowKind: 'fixed', mode: 'hard' },
    });
    clock.advance(49_999);
    expect((await f.quotas.consume({ org, plugin: 'p', resource: 'calls', amount: 1 })).ok).toBe(false);
    clock.advance(1);
    expect(await f.quotas.consume({ org, plugin: 'p', resource: 'calls', amount: 1 })).toMatchObject({
      ok: true,
      remaining: 2,
      resetAt: '2026-01-01T00:02:00.000Z',
    });
  });

  it('follows the UTC calendar for monthly windows', async () => {
    const f = make();
    const org = freshOrg();
    clock.set(Date.UTC(2026, 1, 28, 23, 59, 59));
    await f.quotas.set({ scope: { org }, resource: 'cpuMs', limit: 100, window: 'month' });
    expect(await f.quotas.consume({ org, plugin: 'p', resource: 'cpuMs', amount: 100 })).toMatchObject({
      ok: true,
      remaining: 0,
      resetAt: '2026-03-01T00:00:00.000Z',
    });
    expect((await f.quotas.consume({ org, plugin: 'p', resource: 'cpuMs', amount: 1 })).ok).toBe(false);
    clock.advance(1000);
    expect((await f.quotas.consume({ org, plugin: 'p', resource: 'cpuMs', amount: 100 })).ok).toBe(true);
  });

  it('never exceeds a sliding limit in any window and frees usage as it leaves the window', async () => {
    const f = make();
    const org = freshOrg();
    await f.quotas.set({
      scope: { org },
      resource: 'calls',
      limit: 3,
      window: 'minute',
      windowKind: 'sliding',
    });
    expect((await f.quotas.consume({ org, plugin: 'p', resource: 'calls', amount: 1 })).ok).toBe(true);
    clock.advance(30_000);
    expect((await f.quotas.consume({ org, plugin: 'p', resource: 'calls', amount: 2 })).ok).toBe(true);
    clock.advance(29_000); // 59 s after the first call: all three are still inside the last minute
    const denied = await f.quotas.consume({ org, plugin: 'p', resource: 'calls', amount: 1 });
    expect(denied).toMatchObject({ ok: false, usage: 3, resetAt: new Date(T0 + 61_000).toISOString() });
    clock.set(T0 + 61_000); // the first call has left the window (and its one-second bucket)
    expect((await f.quotas.consume({ org, plugin: 'p', resource: 'calls', amount: 1 })).ok).toBe(true);
    expect((await f.quotas.consume({ org, plugin: 'p', resource: 'calls', amount: 1 })).ok).toBe(false);
  });

  it('lets soft limits pass and flags them', async () => {
    const f = make();
    const org = freshOrg();
    await f.quotas.set({ scope: { org }, resource: 'rows', limit: 5, window: 'hour', mode: 'soft' });
    const a = await f.quotas.consume({ org, plugin: 'p', resource: 'rows', amount: 5 });
    expect(a).toMatchObject({ ok: true, remaining: null, flagged: [] });
    const b = await f.quotas.consume({ org, plugin: 'p', resource: 'rows', amount: 3 });
    expect(b).toMatchObject({ ok: true, flagged: [{ used: 8, limit: 5, rule: { mode: 'soft' } }] });
  });

  it('replaces a reservation estimate with the actual usage on settle', async () => {
    const f = make();
    const org = freshOrg();
    await f.quotas.set({ scope: { org }, resource: 'cpuMs', limit: 150, window: 'hour' });
    const r1 = await f.quotas.reserve({ org, plugin: 'p', estimate: { cpuMs: 100 } });
    await expect(f.quotas.reserve({ org, plugin: 'p', estimate: { cpuMs: 100 } })).rejects.toMatchObject({
      code: 'QUOTA_EXCEEDED',
      details: { limit: 150, usage: 100, requested: 100 },
    });
    expect(await f.quotas.settle({ org, reservationId: r1.reservationId, actual: { cpuMs: 20 } })).toEqual({
      settled: true,
    });
    expect(await f.quotas.settle({ org, reservationId: r1.reservationId, actual: { cpuMs: 20 } })).toEqual({
      settled: false,
    });
    await f.quotas.reserve({ org, plugin: 'p', estimate: { cpuMs: 100 } });
    const [u] = await f.quotas.usage({ org });
    expect(u?.used).toBe(120);
  });

  it('returns an unsettled reservation to the quota when it expires', async () => {
    const f = make();
    const org = freshOrg();
    await f.quotas.set({ scope: { org }, resource: 'calls', limit: 1, window: 'day' });
    const r = await f.quotas.reserve({ org, plugin: 'p', ttlMs: 5000 });
    expect(r.expiresAt).toBe(new Date(T0 + 5000).toISOString());
    await expect(f.quotas.reserve({ org, plugin: 'p' })).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    clock.advance(4999);
    await expect(f.quotas.reserve({ org, plugin: 'p' })).rejects.toMatchObject({ code: 'QUOTA_EXCEEDED' });
    clock.advance(1);
    const [u] = await f.quotas.usage({ org });
    expect(u?.used).toBe(0);
    expect(await f.quotas.settle({ org, reservationId: r.reservationId, actual: { calls: 1 } })).toEqual({
      settled: false,
    });
    expect((await f.quotas.consume({ org, plugin: 'p', resource: 'calls', amount: 1 })).ok).toBe(true);
  });

  it('fires each threshold once per window', async () => {
    const f = make();
    const org = freshOrg();
    const seen: string[] = [];
    f.alerts.subscribe((a) => seen.push(`${a.threshold}@${a.used}`));
    await f.quotas.set({ scope: { org }, resource: 'calls', limit: 10, window: 'minute' });
    await Promise.all(
      Array.from({ length: 12 }, () => f.quotas.consume({ org, plugin: 'p', resource: 'calls', amount: 1 })),
    );
    expect(seen).toEqual(['0.8@8', '1@10']);
    clock.advance(60_000);
    for (let i = 0; i < 9; i++) await f.quotas.consume({ org, plugin: 'p', resource: 'calls', amount: 1 });
    expect(seen).toEqual(['0.8@8', '1@10', '0.8@8']);
    await f.alerts.flush();
    expect(notifier.alerts.map((a) => [a.org, a.threshold, a.windowStart])).toEqual([
      [org, 0.8, '2026-01-01T00:00:00.000Z'],
      [org, 1, '2026-01-01T00:00:00.000Z'],
      [org, 0.8, '2026-01-01T00:01:00.000Z'],
    ]);
  });

  it('keeps rules in the store, shared by every FinOps instance over it', async () => {
    const store = backend.store();
    const clockA = createManualClock(T0);
    const hostA = createFinOps({ quotaStore: store, clock: clockA });
    const hostB = createFinOps({ quotaStore: store, clock: clockA });
    const org = freshOrg();
    await hostA.quotas.set({ scope: { org }, resource: 'calls', limit: 2, window: 'day' });
    expect(await hostB.quotas.list(org)).toEqual([
      { scope: { org }, resource: 'calls', limit: 2, window: 'day', windowKind: 'fixed', mode: 'hard' },
    ]);
    await hostA.quotas.consume({ org, plugin: 'p', resource: 'calls', amount: 1 });
    await hostB.quotas.consume({ org, plugin: 'p', resource: 'calls', amount: 1 });
    expect((await hostA.quotas.consume({ org, plugin: 'p', resource: 'calls', amount: 1 })).ok).toBe(false);
    expect(await hostB.quotas.remove({ scope: { org }, resource: 'calls', window: 'day' })).toBe(true);
    expect((await hostA.quotas.consume({ org, plugin: 'p', resource: 'calls', amount: 1 })).ok).toBe(true);
  });

  it('never grants more than the limit in any window, under random interleavings (property)', async () => {
    type Op =
      | { kind: 'consume'; amount: number }
      | { kind: 'reserve'; amount: number }
      | { kind: 'settle'; pick: number; fraction: number }
      | { kind: 'advance'; ms: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('consume' as const), amount: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ kind: fc.constant('reserve' as const), amount: fc.integer({ min: 1, max: 4 }) }),
      fc.record({
        kind: fc.constant('settle' as const),
        pick: fc.nat(),
        fraction: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 50_000 }) }),
    );
    const store = backend.store();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 59_999 }),
        fc.array(op, { maxLength: 30 }),
        async (limit, offset, ops) => {
          const c = createManualClock(Date.UTC(2026, 0, 1) + offset);
          const f = createFinOps({
            quotaStore: store,
            clock: c,
            ids: sequentialIds(),
            reservationTtlMs: 30_000,
          });
          const org = freshOrg();
          await f.quotas.set({ scope: { org }, resource: 'cpuMs', limit, window: 'minute' });
          // The model: every grant with its window, amount, and (for reservations) expiry and settlement.
          const grants: { window: number; amount: number; expiresAt: number | null; id: string | null }[] =
            [];
          const windowOf = (t: number) => Math.floor(t / 60_000);
          const effective = (w: number, now: number) =>
            grants
              .filter((g) => g.window === w && (g.expiresAt === null || g.expiresAt > now))
              .reduce((s, g) => s + g.amount, 0);
          for (const o of ops) {
            const now = c.now();
            if (o.kind === 'advance') {
              c.advance(o.ms);
            } else if (o.kind === 'consume') {
              const r = await f.quotas.consume({ org, plugin: 'p', resource: 'cpuMs', amount: o.amount });
              // Exact both ways: granted iff it fits in what the window has left.
              expect(r.ok).toBe(effective(windowOf(now), now) + o.amount <= limit);
              if (r.ok) grants.push({ window: windowOf(now), amount: o.amount, expiresAt: null, id: null });
            } else if (o.kind === 'reserve') {
              const fits = effective(windowOf(now), now) + o.amount <= limit;
              try {
                const r = await f.quotas.reserve({ org, plugin: 'p', estimate: { cpuMs: o.amount } });
                expect(fits).toBe(true);
                grants.push({
                  window: windowOf(now),
                  amount: o.amount,
                  expiresAt: now + 30_000,
                  id: r.reservationId,
                });
              } catch (err) {
                expect(isIntelGraphError(err, 'QUOTA_EXCEEDED')).toBe(true);
                expect(fits).toBe(false);
              }
            } else {
              const open = grants.filter((g) => g.id !== null && g.expiresAt !== null);
              const g = open.length > 0 ? open[o.pick % open.length] : undefined;
              if (!g?.id) continue;
              const actual = Math.floor(g.amount * o.fraction);
              const r = await f.quotas.settle({ org, reservationId: g.id, actual: { cpuMs: actual } });
              expect(r.settled).toBe(g.expiresAt! > now);
              g.amount = r.settled ? actual : 0;
              g.expiresAt = null;
            }
          }
          const end = c.now();
          for (const w of new Set(grants.map((g) => g.window)))
            expect(effective(w, end)).toBeLessThanOrEqual(limit);
          const [u] = await f.quotas.usage({ org });
          expect(u?.used).toBe(effective(windowOf(end), end));
        },
      ),
      { numRuns: backend.name === 'redis' ? 60 : 200 },
    );
  });
});
