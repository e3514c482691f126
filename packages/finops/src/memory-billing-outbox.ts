import type { BillingOutbox, BillingOutboxRecord } from '@intelgraph/core';

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
  return {
    async append(events) {
      let appended = 0;
      for (const e of events) {
        if (entries.has(e.event.identifier)) continue;
        entries.set(e.event.identifier, {
          ...structuredClone(e),
          status: 'pending',
          attempts: 0,
          nextAttemptAt: e.createdAt,
          lastError: null,
          deliveredAt: null,
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
    async markDelivered(identifier, leaseToken, now) {
      const e = entries.get(identifier);
      if (e?.status !== 'pending' || e.leaseToken !== leaseToken) return false;
      e.status = 'delivered';
      e.attempts += 1;
      e.deliveredAt = now;
      e.lastError = null;
      e.leaseToken = null;
      e.leaseUntil = 0;
      return true;
    },
    async markFailed(identifier, leaseToken, failure) {
      const e = entries.get(identifier);
      if (e?.status !== 'pending' || e.leaseToken !== leaseToken) return false;
      e.attempts += 1;
      e.lastError = failure.error.slice(0, 2000);
      e.nextAttemptAt = failure.nextAttemptAt;
      e.status = failure.dead ? 'dead' : 'pending';
      e.leaseToken = null;
      e.leaseUntil = 0;
      return true;
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
