import type {
  QuotaAmounts,
  QuotaChargeRequest,
  QuotaChargeResult,
  QuotaRule,
  QuotaRuleUsage,
  QuotaSettleRequest,
  QuotaSettleResult,
  QuotaStore,
  QuotaThresholdCrossing,
} from '@intelgraph/core';
import {
  alertWindowStart,
  fixedWindowFrame,
  quotaRuleKey,
  SLIDING_BUCKETS,
  SLIDING_WINDOW_MS,
} from './windows.js';

interface Counter {
  value: number;
  expiresAt: number;
}

interface SlidingCounter {
  buckets: Map<number, number>;
  expiresAt: number;
}

/** Where one rule's share of a reservation was charged. */
interface Charge {
  rule: QuotaRule;
  key: string;
  /** Sliding bucket index, or -1 for a fixed-window counter. */
  bucket: number;
  amount: number;
}

interface Reservation {
  org: string;
  expiresAt: number;
  amounts: QuotaAmounts;
  charges: Charge[];
}

interface RuleState {
  rule: QuotaRule;
  used: number;
  resetAt: number;
  key: string;
  bucket: number;
}

/**
 * The in-memory {@link QuotaStore}: exact and atomic within one process (each operation runs in one
 * synchronous step), the embedded default. Same semantics as the Redis store, checked by the same
 * conformance suite.
 *
 * @example
 * ```ts
 * import { createMemoryQuotaStore, createFinOps } from '@intelgraph/finops';
 * const finops = createFinOps({ quotaStore: createMemoryQuotaStore() });
 * ```
 */
export function createMemoryQuotaStore(): QuotaStore {
  const rules = new Map<string, Map<string, QuotaRule>>();
  const fixed = new Map<string, Counter>();
  const sliding = new Map<string, SlidingCounter>();
  const reservations = new Map<string, Reservation>();
  const marks = new Map<string, number>();
  let ops = 0;

  const applicable = (org: string, plugin?: string): QuotaRule[] => {
    const all = [...(rules.get(org)?.values() ?? [])];
    return all
      .filter((r) => plugin === undefined || r.scope.plugin === undefined || r.scope.plugin === plugin)
      .sort((a, b) => (quotaRuleKey(a) < quotaRuleKey(b) ? -1 : 1));
  };

  const read = (org: string, rule: QuotaRule, now: number): RuleState => {
    const base = `${org}|${quotaRuleKey(rule)}`;
    if (rule.windowKind === 'fixed') {
      const frame = fixedWindowFrame(rule.window, now);
      const key = `${base}|f|${frame.start}`;
      const c = fixed.get(key);
      const used = c && c.expiresAt > now ? c.value : 0;
      return { rule, used, resetAt: frame.end, key, bucket: -1 };
    }
    const bucketMs = SLIDING_WINDOW_MS[rule.window] / SLIDING_BUCKETS;
    const idx = Math.floor(now / bucketMs);
    const key = `${base}|s`;
    const s = sliding.get(key);
    let used = 0;
    let oldest = -1;
    if (s && s.expiresAt > now) {
      for (let j = idx - SLIDING_BUCKETS; j <= idx; j++) {
        const v = s.buckets.get(j) ?? 0;
        if (v > 0 && oldest < 0) oldest = j;
        used += v;
      }
    }
    const resetAt = oldest < 0 ? now : (oldest + SLIDING_BUCKETS + 1) * bucketMs;
    return { rule, used, resetAt, key, bucket: idx };
  };

  const add = (c: Pick<Charge, 'rule' | 'key' | 'bucket'>, delta: number, now: number, create: boolean) => {
    if (c.bucket < 0) {
      const existing = fixed.get(c.key);
      if (existing && existing.expiresAt > now) {
        existing.value = Math.max(0, existing.value + delta);
      } else if (create && delta > 0) {
        fixed.set(c.key, { value: delta, expiresAt: fixedWindowFrame(c.rule.window, now).end });
      }
      return;
    }
    const windowMs = SLIDING_WINDOW_MS[c.rule.window];
    const bucketMs = windowMs / SLIDING_BUCKETS;
    let s = sliding.get(c.key);
    if (!s || s.expiresAt <= now) {
      if (!(create && delta > 0)) return;
      s = { buckets: new Map(), expiresAt: 0 };
      sliding.set(c.key, s);
    }
    const v = Math.max(0, (s.buckets.get(c.bucket) ?? 0) + delta);
    s.buckets.set(c.bucket, v);
    if (delta > 0) s.expiresAt = Math.max(s.expiresAt, (c.bucket + 1) * bucketMs + windowMs + bucketMs);
    const oldestLive = Math.floor(now / bucketMs) - SLIDING_BUCKETS;
    for (const j of s.buckets.keys()) if (j < oldestLive) s.buckets.delete(j);
  };

  const usageOf = (st: RuleState): QuotaRuleUsage => ({
    rule: st.rule,
    used: st.used,
    remaining: Math.max(0, st.rule.limit - st.used),
    resetAt: st.resetAt,
  });

  const crossingsFor = (
    org: string,
    rule: QuotaRule,
    used: number,
    now: number,
    thresholds: readonly number[],
  ): QuotaThresholdCrossing[] => {
    const out: QuotaThresholdCrossing[] = [];
    if (used <= 0) return out;
    const windowStart = alertWindowStart(rule, now);
    for (const t of thresholds) {
      if (used < t * rule.limit) continue;
      const key = `${org}|${quotaRuleKey(rule)}|a|${windowStart}|${t}`;
      const until = marks.get(key);
      if (until !== undefined && until > now) continue;
      marks.set(key, windowStart + 2 * SLIDING_WINDOW_MS[rule.window] + 86_400_000);
      out.push({ rule, threshold: t, used, windowStart });
    }
    return out;
  };

  const returnExpired = (org: string, now: number) => {
    for (const [id, r] of reservations) {
      if (r.org !== org || r.expiresAt > now) continue;
      for (const c of r.charges) add(c, -c.amount, now, false);
      reservations.delete(id);
    }
  };

  const collectGarbage = (now: number) => {
    if (++ops % 1024 !== 0) return;
    for (const [k, c] of fixed) if (c.expiresAt <= now) fixed.delete(k);
    for (const [k, s] of sliding) if (s.expiresAt <= now) sliding.delete(k);
    for (const [k, until] of marks) if (until <= now) marks.delete(k);
  };

  return {
    async setRule(rule) {
      let m = rules.get(rule.scope.org);
      if (!m) {
        m = new Map();
        rules.set(rule.scope.org, m);
      }
      m.set(quotaRuleKey(rule), structuredClone(rule));
    },
    async removeRule(rule) {
      return rules.get(rule.scope.org)?.delete(quotaRuleKey(rule)) ?? false;
    },
    async listRules(org) {
      return applicable(org).map((r) => structuredClone(r));
    },
    async charge(req: QuotaChargeRequest): Promise<QuotaChargeResult> {
      const { org, plugin, amounts, now } = req;
      collectGarbage(now);
      returnExpired(org, now);
      const states = applicable(org, plugin).map((r) => read(org, r, now));
      for (const st of states) {
        const amount = amounts[st.rule.resource];
        if (st.rule.mode === 'hard' && amount > 0 && st.used + amount > st.rule.limit) {
          return { ok: false, denied: { ...usageOf(st), requested: amount }, usage: states.map(usageOf) };
        }
      }
      const charges: Charge[] = [];
      const crossings: QuotaThresholdCrossing[] = [];
      for (const st of states) {
        const amount = amounts[st.rule.resource];
        if (amount <= 0) continue;
        add(st, amount, now, true);
        st.used += amount;
        charges.push({ rule: st.rule, key: st.key, bucket: st.bucket, amount });
        crossings.push(...crossingsFor(org, st.rule, st.used, now, req.alertThresholds));
      }
      if (req.reservation) {
        reservations.set(req.reservation.id, {
          org,
          expiresAt: req.reservation.expiresAt,
          amounts: { ...amounts },
          charges,
        });
      }
      const usage = states.map(usageOf);
      const flagged = usage.filter((u) => u.rule.mode === 'soft' && u.used > u.rule.limit);
      return { ok: true, usage, flagged, crossings };
    },
    async settle(req: QuotaSettleRequest): Promise<QuotaSettleResult> {
      const { org, now } = req;
      returnExpired(org, now);
      const r = reservations.get(req.reservationId);
      if (!r || r.org !== org) return { settled: false };
      reservations.delete(req.reservationId);
      const crossings: QuotaThresholdCrossing[] = [];
      for (const c of r.charges) {
        const delta = req.actual[c.rule.resource] - r.amounts[c.rule.resource];
        if (delta === 0) continue;
        add(c, delta, now, false);
        if (delta > 0) {
          const used = read(org, c.rule, now).used;
          crossings.push(...crossingsFor(org, c.rule, used, now, req.alertThresholds));
        }
      }
      return { settled: true, reserved: { ...r.amounts }, crossings };
    },
    async usage(query) {
      returnExpired(query.org, query.now);
      return applicable(query.org, query.plugin).map((r) => usageOf(read(query.org, r, query.now)));
    },
  };
}
