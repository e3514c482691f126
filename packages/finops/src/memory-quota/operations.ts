import type {
  QuotaChargeRequest,
  QuotaChargeResult,
  QuotaSettleRequest,
  QuotaSettleResult,
  QuotaThresholdCrossing,
} from '@intelgraph/core';
import {
  add,
  applicable,
  type Charge,
  collectGarbage,
  crossingsFor,
  type MemoryQuotaState,
  read,
  returnExpired,
  usageOf,
} from './state.js';

// The in-memory quota store's charge and settle, each one synchronous step over the state.

/** Charges every applicable rule, or none when a hard rule would go over its limit. */
export function charge(q: MemoryQuotaState, req: QuotaChargeRequest): QuotaChargeResult {
  const { org, plugin, amounts, now } = req;
  collectGarbage(q, now);
  returnExpired(q, org, now);
  const states = applicable(q, org, plugin).map((r) => read(q, org, r, now));
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
    add(q, st, amount, now, true);
    st.used += amount;
    charges.push({ rule: st.rule, key: st.key, bucket: st.bucket, amount });
    crossings.push(...crossingsFor(q, org, st.rule, st.used, now, req.alertThresholds));
  }
  if (req.reservation) {
    q.reservations.set(req.reservation.id, {
      org,
      expiresAt: req.reservation.expiresAt,
      amounts: { ...amounts },
      charges,
    });
  }
  const usage = states.map(usageOf);
  const flagged = usage.filter((u) => u.rule.mode === 'soft' && u.used > u.rule.limit);
  return { ok: true, usage, flagged, crossings };
}

/** Replaces a reservation's amounts with the actual ones; `settled: false` for an unknown or expired one. */
export function settle(q: MemoryQuotaState, req: QuotaSettleRequest): QuotaSettleResult {
  const { org, now } = req;
  returnExpired(q, org, now);
  const r = q.reservations.get(req.reservationId);
  if (!r || r.org !== org) return { settled: false };
  q.reservations.delete(req.reservationId);
  const crossings: QuotaThresholdCrossing[] = [];
  for (const c of r.charges) {
    const delta = req.actual[c.rule.resource] - r.amounts[c.rule.resource];
    if (delta === 0) continue;
    add(q, c, delta, now, false);
    if (delta > 0) {
      const used = read(q, org, c.rule, now).used;
      crossings.push(...crossingsFor(q, org, c.rule, used, now, req.alertThresholds));
    }
  }
  return { settled: true, reserved: { ...r.amounts }, crossings };
}
