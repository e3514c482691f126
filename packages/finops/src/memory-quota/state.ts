import type { QuotaAmounts, QuotaRule, QuotaRuleUsage, QuotaThresholdCrossing } from '@intelgraph/core';
import {
  alertWindowStart,
  fixedWindowFrame,
  quotaRuleKey,
  SLIDING_BUCKETS,
  SLIDING_WINDOW_MS,
} from '../windows.js';

// The in-memory quota store's state and counters: rules per org, fixed and sliding window counters,
// reservations, and the marks that keep a threshold alert to once per window.

export interface Counter {
  value: number;
  expiresAt: number;
}

export interface SlidingCounter {
  buckets: Map<number, number>;
  expiresAt: number;
}

/** Where one rule's share of a reservation was charged. */
export interface Charge {
  rule: QuotaRule;
  key: string;
  /** Sliding bucket index, or -1 for a fixed-window counter. */
  bucket: number;
  amount: number;
}

export interface Reservation {
  org: string;
  expiresAt: number;
  amounts: QuotaAmounts;
  charges: Charge[];
}

export interface RuleState {
  rule: QuotaRule;
  used: number;
  resetAt: number;
  key: string;
  bucket: number;
}

/** The state one in-memory quota store keeps. */
export interface MemoryQuotaState {
  rules: Map<string, Map<string, QuotaRule>>;
  fixed: Map<string, Counter>;
  sliding: Map<string, SlidingCounter>;
  reservations: Map<string, Reservation>;
  marks: Map<string, number>;
  /** Operations so far (every 1024th collects expired counters). */
  ops: number;
}

/** An empty state. */
export const emptyQuotaState = (): MemoryQuotaState => ({
  rules: new Map(),
  fixed: new Map(),
  sliding: new Map(),
  reservations: new Map(),
  marks: new Map(),
  ops: 0,
});

export function applicable(q: MemoryQuotaState, org: string, plugin?: string): QuotaRule[] {
  const all = [...(q.rules.get(org)?.values() ?? [])];
  return all
    .filter((r) => plugin === undefined || r.scope.plugin === undefined || r.scope.plugin === plugin)
    .sort((a, b) => (quotaRuleKey(a) < quotaRuleKey(b) ? -1 : 1));
}

export function read(q: MemoryQuotaState, org: string, rule: QuotaRule, now: number): RuleState {
  const base = `${org}|${quotaRuleKey(rule)}`;
  if (rule.windowKind === 'fixed') {
    const frame = fixedWindowFrame(rule.window, now);
    const key = `${base}|f|${frame.start}`;
    const c = q.fixed.get(key);
    const used = c && c.expiresAt > now ? c.value : 0;
    return { rule, used, resetAt: frame.end, key, bucket: -1 };
  }
  const bucketMs = SLIDING_WINDOW_MS[rule.window] / SLIDING_BUCKETS;
  const idx = Math.floor(now / bucketMs);
  const key = `${base}|s`;
  const s = q.sliding.get(key);
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
}

export function add(
  q: MemoryQuotaState,
  c: Pick<Charge, 'rule' | 'key' | 'bucket'>,
  delta: number,
  now: number,
  create: boolean,
): void {
  if (c.bucket < 0) {
    const existing = q.fixed.get(c.key);
    if (existing && existing.expiresAt > now) {
      existing.value = Math.max(0, existing.value + delta);
    } else if (create && delta > 0) {
      q.fixed.set(c.key, { value: delta, expiresAt: fixedWindowFrame(c.rule.window, now).end });
    }
    return;
  }
  const windowMs = SLIDING_WINDOW_MS[c.rule.window];
  const bucketMs = windowMs / SLIDING_BUCKETS;
  let s = q.sliding.get(c.key);
  if (!s || s.expiresAt <= now) {
    if (!(create && delta > 0)) return;
    s = { buckets: new Map(), expiresAt: 0 };
    q.sliding.set(c.key, s);
  }
  const v = Math.max(0, (s.buckets.get(c.bucket) ?? 0) + delta);
  s.buckets.set(c.bucket, v);
  if (delta > 0) s.expiresAt = Math.max(s.expiresAt, (c.bucket + 1) * bucketMs + windowMs + bucketMs);
  const oldestLive = Math.floor(now / bucketMs) - SLIDING_BUCKETS;
  for (const j of s.buckets.keys()) if (j < oldestLive) s.buckets.delete(j);
}

export const usageOf = (st: RuleState): QuotaRuleUsage => ({
  rule: st.rule,
  used: st.used,
  remaining: Math.max(0, st.rule.limit - st.used),
  resetAt: st.resetAt,
});

export function crossingsFor(
  q: MemoryQuotaState,
  org: string,
  rule: QuotaRule,
  used: number,
  now: number,
  thresholds: readonly number[],
): QuotaThresholdCrossing[] {
  const out: QuotaThresholdCrossing[] = [];
  if (used <= 0) return out;
  const windowStart = alertWindowStart(rule, now);
  for (const t of thresholds) {
    if (used < t * rule.limit) continue;
    const key = `${org}|${quotaRuleKey(rule)}|a|${windowStart}|${t}`;
    const until = q.marks.get(key);
    if (until !== undefined && until > now) continue;
    q.marks.set(key, windowStart + 2 * SLIDING_WINDOW_MS[rule.window] + 86_400_000);
    out.push({ rule, threshold: t, used, windowStart });
  }
  return out;
}

export function returnExpired(q: MemoryQuotaState, org: string, now: number): void {
  for (const [id, r] of q.reservations) {
    if (r.org !== org || r.expiresAt > now) continue;
    for (const c of r.charges) add(q, c, -c.amount, now, false);
    q.reservations.delete(id);
  }
}

export function collectGarbage(q: MemoryQuotaState, now: number): void {
  if (++q.ops % 1024 !== 0) return;
  for (const [k, c] of q.fixed) if (c.expiresAt <= now) q.fixed.delete(k);
  for (const [k, s] of q.sliding) if (s.expiresAt <= now) q.sliding.delete(k);
  for (const [k, until] of q.marks) if (until <= now) q.marks.delete(k);
}
