import type { RateLimitResult, RateLimitRule, RateLimitStore } from '@intelgraph/core';

/**
 * One step of GCRA (the generic cell rate algorithm): given the stored theoretical arrival time `tat`,
 * returns the decision and the new `tat` to store. Pure, shared by the in-memory limiter and mirrored by
 * the Redis script.
 *
 * @example
 * ```ts
 * import { gcraTake } from '@intelgraph/finops';
 * const { result, tat } = gcraTake(null, { limit: 10, intervalMs: 1000 }, Date.now());
 * result.ok; // true
 * ```
 */
export function gcraTake(
  storedTat: number | null,
  rule: RateLimitRule,
  now: number,
): { result: RateLimitResult; tat: number | null } {
  const emission = rule.intervalMs / rule.limit;
  const burst = rule.burst ?? rule.limit;
  const tat = Math.max(storedTat ?? now, now);
  const newTat = tat + emission;
  const allowAt = newTat - burst * emission;
  if (now < allowAt) {
    return {
      result: { ok: false, remaining: 0, retryAfterMs: Math.ceil(allowAt - now), resetAt: Math.ceil(tat) },
      tat: null,
    };
  }
  const remaining = Math.max(0, Math.floor((now - allowAt) / emission));
  return { result: { ok: true, remaining, resetAt: Math.ceil(newTat) }, tat: newTat };
}

/**
 * The in-memory {@link RateLimitStore} (one process); at most `maxKeys` keys are tracked, least recently
 * used first out.
 *
 * @example
 * ```ts
 * import { createMemoryRateLimiter } from '@intelgraph/finops';
 * const limiter = createMemoryRateLimiter();
 * const r = await limiter.take('api:acme', { limit: 100, intervalMs: 60_000 }, Date.now());
 * ```
 */
export function createMemoryRateLimiter(options: { maxKeys?: number } = {}): RateLimitStore {
  const maxKeys = options.maxKeys ?? 100_000;
  const tats = new Map<string, number>();
  return {
    async take(key, rule, now) {
      const stored = tats.get(key) ?? null;
      const { result, tat } = gcraTake(stored !== null && stored > now ? stored : null, rule, now);
      if (tat !== null) {
        tats.delete(key);
        tats.set(key, tat);
        if (tats.size > maxKeys) {
          const oldest = tats.keys().next().value;
          if (oldest !== undefined) tats.delete(oldest);
        }
      }
      return result;
    },
  };
}
