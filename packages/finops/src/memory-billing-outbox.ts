import type { BillingEventStatus, BillingOutbox, BillingOutboxRecord } from '@intelgraph/core';

interface Entry extends BillingOutboxRecord {
  leaseToken: string | null;
  leaseUntil: number;
}

const publicView = (e: Entry): BillingOutboxRecord => {
  const { leaseToken: _t, leaseUntil: _u, ...rest } = e;
  return structuredClone(rest);
};

/**
 * The in-memory {@link BillingOutbox}: idempotent on the event identifier, leases claimed entries, and
 * marks each delivered exactly once. Passes the same conformance suite as the PostgreSQL outbox.
 *
 * @example
 * ```ts
 * import { createFinOps, createMemoryBillingOutbox } from '@intelgraph/finops';
 * const outbox = createMemoryBillingOutbox();
 * const finops = createFinOps({ outbox });
 * ```
 */
export function createMemoryBillingOutbox(): BillingOutbox {
  const entries = new Map<string, Entry>();
  const held = (identifier: string, leaseToken: string) => {
    const e = entries.get(identifier);
    return e?.status === 'pending' && e.leaseToken === leaseToken ? e : null;
  };
  const unlease = (e: Entry) => {
    e.leaseToken = null;
    e.leaseUntil = 0;
  };
  return {
    async append(events) {
      let appended = 0;
      for (const e of events) {
        if (entries.has(e.event.identifier)) continue;
        const { skip, ...input } = structuredClone(e);
        entries.set(e.event.identifier, {
          ...input,
          status: skip ? 'skipped' : 'pending',
          attempts: 0,
          nextAttemptAt: e.createdAt,
          lastError: null,
          deliveredAt: null,
          outcome: skip ?? null,
          idempotencyKey: e.event.identifier,
          uncertainSince: null,
          leaseToken: null,
          leaseUntil: 0,
        });
        appended++;
      }
      return { appended, duplicates: events.length - appended };
    },
    async claim({ now, limit, leaseMs, leaseToken }) {
      const due = [...entries.values()]
        .filter((e) => e.status === 'pending' && e.nextAttemptAt <= now && e.leaseUntil <= now)
        .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt)
        .slice(0, Math.max(0, limit));
      for (const e of due) {
        e.leaseToken = leaseToken;
        e.leaseUntil = now + leaseMs;
      }
      return { leaseToken, records: due.map(publicView) };
    },
    async markDelivered(identifier, leaseToken, now, options = {}) {
      const e = held(identifier, leaseToken);
      if (!e) return false;
      e.status = 'delivered';
      e.attempts += 1;
      e.deliveredAt = now;
      e.lastError = null;
      e.outcome = options.alreadyBilled ? 'already_billed' : 'billed';
      unlease(e);
      return true;
    },
    async markFailed(identifier, leaseToken, failure) {
      const e = held(identifier, leaseToken);
      if (!e) return false;
      if (failure.countAttempt !== false) e.attempts += 1;
      e.lastError = failure.error.slice(0, 2000);
      e.nextAttemptAt = failure.nextAttemptAt;
      e.status = failure.dead ? 'dead' : 'pending';
      e.outcome = failure.dead ? (failure.outcome ?? 'rejected') : null;
      if (failure.idempotencyKey) e.idempotencyKey = failure.idempotencyKey;
      if (failure.uncertainAt !== undefined && e.uncertainSince === null)
        e.uncertainSince = failure.uncertainAt;
      unlease(e);
      return true;
    },
    async markSkipped(identifier, leaseToken, outcome) {
      const e = held(identifier, leaseToken);
      if (!e) return false;
      e.status = 'skipped';
      e.outcome = outcome;
      unlease(e);
      return true;
    },
    async release(identifiers, leaseToken, notBefore) {
      let released = 0;
      for (const id of identifiers) {
        const e = held(id, leaseToken);
        if (!e) continue;
        e.nextAttemptAt = Math.max(e.nextAttemptAt, notBefore);
        unlease(e);
        released++;
      }
      return released;
    },
    async requeue({ identifiers, now, keySuffix, reconciled = false }) {
      const wanted = identifiers ? new Set(identifiers) : null;
      const out: string[] = [];
      for (const e of entries.values()) {
        if (e.status !== 'dead' || (wanted && !wanted.has(e.event.identifier))) continue;
        if (e.outcome === 'uncertain_past_dedup_window' && !reconciled) continue;
        e.status = 'pending';
        e.outcome = null;
        e.attempts = 0;
        e.nextAttemptAt = now;
        e.idempotencyKey = `${e.event.identifier}:${keySuffix}`;
        if (reconciled) e.uncertainSince = null;
        unlease(e);
        out.push(e.event.identifier);
      }
      return out;
    },
    async counts() {
      const c: Record<BillingEventStatus, number> = { pending: 0, delivered: 0, skipped: 0, dead: 0 };
      for (const e of entries.values()) c[e.status]++;
      return c;
    },
    async get(identifier) {
      const e = entries.get(identifier);
      return e ? publicView(e) : null;
    },
    async list(query = {}) {
      const limit = Math.max(0, Math.min(query.limit ?? 1000, 10_000));
      const out: BillingOutboxRecord[] = [];
      for (const e of entries.values()) {
        if (out.length >= limit) break;
        if (query.status === undefined || e.status === query.status) out.push(publicView(e));
      }
      return out;
    },
  };
}
