import {
  fixedWindowFrames,
  IntelGraphError,
  type QuotaAmounts,
  type QuotaChargeResult,
  type QuotaRule,
  type QuotaRuleUsage,
  type QuotaStore,
  type QuotaThresholdCrossing,
  quotaRuleKey,
  SLIDING_BUCKETS,
  SLIDING_WINDOW_MS,
} from '@intelgraph/core';
import { luaScript, type RedisConnection, toStoreError, type UnavailablePolicy } from './client.js';
import { CHARGE_SCRIPT, SETTLE_SCRIPT, USAGE_SCRIPT } from './lua.js';

/** Options of {@link createRedisQuotaStore}. */
export interface RedisQuotaStoreOptions {
  /** Preferably from `createRedisClient` (fails fast while disconnected). */
  redis: RedisConnection;
  /** Prepended to every key (default `ig:`); give each deployment or test run its own. */
  prefix?: string;
  /**
   * `fail-closed` (default): every operation throws `UNAVAILABLE` while Redis is unreachable.
   * `fail-open`: charges are allowed but flagged `degraded: true` and reported to `onUnavailable`.
   */
  unavailable?: UnavailablePolicy;
  onUnavailable?: (error: IntelGraphError) => void;
}

const charge = luaScript(CHARGE_SCRIPT);
const settle = luaScript(SETTLE_SCRIPT);
const usage = luaScript(USAGE_SCRIPT);

interface RawUsage {
  rule: QuotaRule;
  used: number;
  resetAt: number;
}
interface RawCrossing {
  rule: QuotaRule;
  threshold: number;
  used: number;
  windowStart: number;
}

// cjson encodes an empty Lua table as {} rather than [].
const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

const toRule = (r: QuotaRule): QuotaRule => ({
  scope: r.scope.plugin === undefined ? { org: r.scope.org } : { org: r.scope.org, plugin: r.scope.plugin },
  resource: r.resource,
  limit: r.limit,
  window: r.window,
  windowKind: r.windowKind,
  mode: r.mode,
});

const toUsage = (u: RawUsage): QuotaRuleUsage => ({
  rule: toRule(u.rule),
  used: u.used,
  remaining: Math.max(0, u.rule.limit - u.used),
  resetAt: Math.ceil(u.resetAt),
});

const toCrossing = (c: RawCrossing): QuotaThresholdCrossing => ({
  rule: toRule(c.rule),
  threshold: c.threshold,
  used: c.used,
  windowStart: c.windowStart,
});

/**
 * The Redis {@link QuotaStore}: rules in a hash per org, counters per window, reservations in a sorted
 * set swept on every charge. `charge`, `settle` and `usage` are each one Lua script, one round trip,
 * atomic across all the org's and plugin's rules, so quotas stay exact across any number of hosts.
 * Every key of an org carries its hash tag (`{org}`), so the store also works on Redis Cluster.
 *
 * @example
 * ```ts
 * import { createFinOps } from '@intelgraph/finops';
 * import { createRedisClient, createRedisQuotaStore } from '@intelgraph/adapters/redis';
 * const redis = createRedisClient('redis://127.0.0.1:6379');
 * const finops = createFinOps({ quotaStore: createRedisQuotaStore({ redis, prefix: 'ig:prod:' }) });
 * ```
 */
export function createRedisQuotaStore(options: RedisQuotaStoreOptions): QuotaStore {
  const { redis } = options;
  const prefix = options.prefix ?? 'ig:';
  const policy = options.unavailable ?? 'fail-closed';
  const base = (org: string) => `${prefix}q:{${org}}:`;
  const rulesKey = (org: string) => `${base(org)}rules`;
  const resKey = (org: string) => `${base(org)}res`;
  const common = (org: string, now: number, thresholds: readonly number[]) => [
    base(org),
    now,
    JSON.stringify(thresholds),
    SLIDING_BUCKETS,
    SLIDING_WINDOW_MS.minute,
    SLIDING_WINDOW_MS.hour,
    SLIDING_WINDOW_MS.day,
    SLIDING_WINDOW_MS.month,
    ...fixedWindowFrames(now),
  ];
  const call = async <T>(what: string, fn: () => Promise<unknown>): Promise<T> => {
    try {
      return JSON.parse(String(await fn())) as T;
    } catch (err) {
      throw toStoreError(err, what);
    }
  };
  const simple = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw toStoreError(err, what);
    }
  };

  return {
    setRule: (rule) =>
      simple('setRule', async () => {
        await redis.hset(rulesKey(rule.scope.org), quotaRuleKey(rule), JSON.stringify(toRule(rule)));
      }),
    removeRule: (rule) =>
      simple('removeRule', async () => (await redis.hdel(rulesKey(rule.scope.org), quotaRuleKey(rule))) > 0),
    listRules: (org) =>
      simple('listRules', async () => {
        const all = await redis.hgetall(rulesKey(org));
        return Object.keys(all)
          .sort()
          .map((k) => toRule(JSON.parse(all[k] ?? '{}') as QuotaRule));
      }),
    async charge(req) {
      const amounts: QuotaAmounts = req.amounts;
      try {
        const raw = await call<
          | { ok: true; usage: RawUsage[]; crossings: RawCrossing[] }
          | { ok: false; denied: RawUsage & { requested: number }; usage: RawUsage[] }
        >('charge', () =>
          charge.run(
            redis,
            [rulesKey(req.org), resKey(req.org)],
            [
              req.plugin,
              amounts.calls,
              amounts.cpuMs,
              amounts.rows,
              req.reservation?.id ?? '',
              req.reservation?.expiresAt ?? 0,
              ...common(req.org, req.now, req.alertThresholds),
            ],
          ),
        );
        const used = list<RawUsage>(raw.usage).map(toUsage);
        if (!raw.ok)
          return {
            ok: false,
            denied: { ...toUsage(raw.denied), requested: raw.denied.requested },
            usage: used,
          };
        return {
          ok: true,
          usage: used,
          flagged: used.filter((u) => u.rule.mode === 'soft' && u.used > u.rule.limit),
          crossings: list<RawCrossing>(raw.crossings).map(toCrossing),
        } satisfies QuotaChargeResult;
      } catch (err) {
        if (policy === 'fail-open' && err instanceof IntelGraphError && err.code === 'UNAVAILABLE') {
          options.onUnavailable?.(err);
          return { ok: true, usage: [], flagged: [], crossings: [], degraded: true };
        }
        throw err;
      }
    },
    async settle(req) {
      const raw = await call<{ settled: boolean; reserved?: QuotaAmounts; crossings?: RawCrossing[] }>(
        'settle',
        () =>
          settle.run(
            redis,
            [resKey(req.org)],
            [
              req.reservationId,
              req.actual.calls,
              req.actual.cpuMs,
              req.actual.rows,
              ...common(req.org, req.now, req.alertThresholds),
            ],
          ),
      );
      if (!raw.settled || !raw.reserved) return { settled: false };
      return {
        settled: true,
        reserved: raw.reserved,
        crossings: list<RawCrossing>(raw.crossings).map(toCrossing),
      };
    },
    async usage(query) {
      const raw = await call<{ usage: RawUsage[] }>('usage', () =>
        usage.run(
          redis,
          [rulesKey(query.org), resKey(query.org)],
          [query.plugin ?? '', ...common(query.org, query.now, [])],
        ),
      );
      return list<RawUsage>(raw.usage).map(toUsage);
    },
  };
}
