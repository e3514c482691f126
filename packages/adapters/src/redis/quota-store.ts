import {
  fixedWindowFrames,
  IntelGraphError,
  type QuotaAmounts,
  type QuotaChargeResult,
  type QuotaMode,
  type QuotaResource,
  type QuotaRule,
  type QuotaRuleUsage,
  type QuotaStore,
  type QuotaThresholdCrossing,
  type QuotaWindow,
  type QuotaWindowKind,
  quotaRuleKey,
  SLIDING_BUCKETS,
  SLIDING_WINDOW_MS,
} from '@intelgraph/core';
import { member, parseStoredJson, recordOf, stringOf } from '../narrow.js';
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

// Replies of the Lua scripts and stored rules are decoded with cheap checks (no schema library: charge
// runs on every plugin call); a value of another shape is a store fault (INTERNAL).
const RESOURCE: Record<QuotaResource, true> = { calls: true, cpuMs: true, rows: true };
const WINDOW: Record<QuotaWindow, true> = { minute: true, hour: true, day: true, month: true };
const WINDOW_KIND: Record<QuotaWindowKind, true> = { fixed: true, sliding: true };
const MODE: Record<QuotaMode, true> = { hard: true, soft: true };

function numberOf(v: unknown, what: string): number {
  if (typeof v === 'number') return v;
  throw new IntelGraphError('INTERNAL', `unexpected ${what} from the quota store: ${typeof v}`);
}

// cjson encodes an empty Lua table as {} rather than [].
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** A rule with exactly the QuotaRule fields (what is stored and compared). */
const toRule = (r: QuotaRule): QuotaRule => ({
  scope: r.scope.plugin === undefined ? { org: r.scope.org } : { org: r.scope.org, plugin: r.scope.plugin },
  resource: r.resource,
  limit: r.limit,
  window: r.window,
  windowKind: r.windowKind,
  mode: r.mode,
});

/** A rule read back from Redis (the rules hash, or echoed by a script). */
function decodeRule(value: unknown): QuotaRule {
  const r = recordOf(value, 'quota rule');
  const scope = recordOf(r.scope, 'quota rule scope');
  const org = stringOf(scope.org, 'quota rule org');
  return {
    scope:
      scope.plugin === undefined ? { org } : { org, plugin: stringOf(scope.plugin, 'quota rule plugin') },
    resource: member(RESOURCE, r.resource, 'quota resource'),
    limit: numberOf(r.limit, 'quota limit'),
    window: member(WINDOW, r.window, 'quota window'),
    windowKind: member(WINDOW_KIND, r.windowKind, 'quota window kind'),
    mode: member(MODE, r.mode, 'quota mode'),
  };
}

function toUsage(value: unknown): QuotaRuleUsage {
  const u = recordOf(value, 'quota usage');
  const rule = decodeRule(u.rule);
  const used = numberOf(u.used, 'quota usage');
  return {
    rule,
    used,
    remaining: Math.max(0, rule.limit - used),
    resetAt: Math.ceil(numberOf(u.resetAt, 'quota reset time')),
  };
}

function toCrossing(value: unknown): QuotaThresholdCrossing {
  const c = recordOf(value, 'quota threshold crossing');
  return {
    rule: decodeRule(c.rule),
    threshold: numberOf(c.threshold, 'quota threshold'),
    used: numberOf(c.used, 'quota usage'),
    windowStart: numberOf(c.windowStart, 'quota window start'),
  };
}

function toAmounts(value: unknown): QuotaAmounts {
  const a = recordOf(value, 'quota amounts');
  return {
    calls: numberOf(a.calls, 'quota amount'),
    cpuMs: numberOf(a.cpuMs, 'quota amount'),
    rows: numberOf(a.rows, 'quota amount'),
  };
}

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
  const call = async (what: string, fn: () => Promise<unknown>): Promise<Record<string, unknown>> => {
    let reply: unknown;
    try {
      reply = parseStoredJson(await fn());
    } catch (err) {
      throw toStoreError(err, what);
    }
    return recordOf(reply, `${what} reply`);
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
          .map((k) => decodeRule(parseStoredJson(all[k] ?? '{}')));
      }),
    async charge(req) {
      const amounts: QuotaAmounts = req.amounts;
      try {
        const raw = await call('charge', () =>
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
        const used = list(raw.usage).map(toUsage);
        if (!raw.ok) {
          const denied = recordOf(raw.denied, 'denied quota usage');
          return {
            ok: false,
            denied: { ...toUsage(denied), requested: numberOf(denied.requested, 'requested amount') },
            usage: used,
          };
        }
        return {
          ok: true,
          usage: used,
          flagged: used.filter((u) => u.rule.mode === 'soft' && u.used > u.rule.limit),
          crossings: list(raw.crossings).map(toCrossing),
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
      const raw = await call('settle', () =>
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
        reserved: toAmounts(raw.reserved),
        crossings: list(raw.crossings).map(toCrossing),
      };
    },
    async usage(query) {
      const raw = await call('usage', () =>
        usage.run(
          redis,
          [rulesKey(query.org), resKey(query.org)],
          [query.plugin ?? '', ...common(query.org, query.now, [])],
        ),
      );
      return list(raw.usage).map(toUsage);
    },
  };
}
