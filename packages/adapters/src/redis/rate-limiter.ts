import { IntelGraphError, type RateLimitStore } from '@intelgraph/core';
import { luaScript, type RedisConnection, toStoreError } from './client.js';
import { RATE_LIMIT_SCRIPT } from './lua.js';

const script = luaScript(RATE_LIMIT_SCRIPT);

/**
 * A shared GCRA rate limiter on Redis: one key and one script call per `take`. Fails closed: while
 * Redis is unreachable `take` throws `UNAVAILABLE`.
 *
 * @example
 * ```ts
 * import { createRedisClient, createRedisRateLimiter } from '@intelgraph/adapters/redis';
 * const limiter = createRedisRateLimiter({ redis: createRedisClient('redis://127.0.0.1:6379') });
 * const r = await limiter.take('api:acme', { limit: 100, intervalMs: 60_000 }, Date.now());
 * if (!r.ok) throw new Error(`retry in ${r.retryAfterMs} ms`);
 * ```
 */
export function createRedisRateLimiter(options: { redis: RedisConnection; prefix?: string }): RateLimitStore {
  const prefix = options.prefix ?? 'ig:';
  return {
    async take(key, rule, now) {
      if (!(rule.limit > 0 && rule.intervalMs > 0 && (rule.burst ?? rule.limit) >= 1)) {
        throw new IntelGraphError(
          'INVALID_INPUT',
          'a rate limit needs limit > 0, intervalMs > 0 and burst >= 1',
        );
      }
      let reply: unknown;
      try {
        reply = await script.run(
          options.redis,
          [`${prefix}rl:{${key}}`],
          [now, rule.intervalMs / rule.limit, rule.burst ?? rule.limit],
        );
      } catch (err) {
        throw toStoreError(err, 'rate limit');
      }
      // The script replies [ok (0|1), remaining (integer), retryAfterMs, resetAt] (see RATE_LIMIT_SCRIPT).
      if (!Array.isArray(reply) || reply.length < 4)
        throw new IntelGraphError('INTERNAL', 'unexpected reply from the rate-limit script');
      const [ok, remaining, retryAfter, resetAt]: unknown[] = reply;
      return ok === 1
        ? { ok: true, remaining: Number(remaining), resetAt: Number(resetAt) }
        : { ok: false, remaining: 0, retryAfterMs: Number(retryAfter), resetAt: Number(resetAt) };
    },
  };
}
