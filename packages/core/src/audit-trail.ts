import {
  type AuditActor,
  type AuditEvent,
  type AuditVerification,
  linkAuditEvent,
  verifyAuditChain,
} from './audit.js';
import { type Clock, systemClock } from './clock.js';
import { type IdSource, randomIds } from './ids.js';
import type { JsonValue } from './json.js';
import type { AuditQuery, AuditStore } from './ports/audit.js';

/**
 * In-memory {@link AuditStore}. Appends are serialised, so the chain stays linear under concurrency.
 * It is a product feature (the default for tests and embedded use) and passes the audit conformance suite.
 *
 * @example
 * ```ts
 * import { createMemoryAuditStore } from '@intelgraph/core';
 * const store = createMemoryAuditStore();
 * ```
 */
export function createMemoryAuditStore(): AuditStore {
  const events: AuditEvent[] = [];
  return {
    async append(input) {
      // Single-threaded JS: reading the head and pushing happen in one synchronous step.
      const event = linkAuditEvent(events.at(-1) ?? null, input);
      events.push(event);
      return structuredClone(event);
    },
    async list(query: AuditQuery = {}) {
      const limit = Math.max(0, Math.min(query.limit ?? 1000, 10_000));
      const out: AuditEvent[] = [];
      for (const e of events) {
        if (out.length >= limit) break;
        if (query.afterSeq !== undefined && e.seq <= query.afterSeq) continue;
        if (query.subject !== undefined && e.subject !== query.subject) continue;
        if (query.orgId !== undefined && e.orgId !== query.orgId) continue;
        if (query.type !== undefined && e.type !== query.type) continue;
        out.push(structuredClone(e));
      }
      return out;
    },
    async head() {
      const last = events.at(-1);
      return last ? structuredClone(last) : null;
    },
  };
}

/** What callers record; the trail adds id, time, sequence and hashes. */
export interface AuditRecord {
  type: string;
  actor: AuditActor;
  subject: string;
  orgId: string | null;
  data?: JsonValue;
}

/** A convenience facade over an {@link AuditStore} with an injected clock and id source. */
export interface AuditTrail {
  record(entry: AuditRecord): Promise<AuditEvent>;
  list(query?: AuditQuery): Promise<AuditEvent[]>;
  /** The newest event, or `null` for an empty log. */
  head(): Promise<AuditEvent | null>;
  /** Reads the whole chain page by page and verifies it. */
  verify(): Promise<AuditVerification>;
}

/**
 * Creates an {@link AuditTrail}.
 *
 * @example
 * ```ts
 * import { createAuditTrail, createMemoryAuditStore } from '@intelgraph/core';
 * const audit = createAuditTrail({ store: createMemoryAuditStore() });
 * await audit.record({ type: 'grant.revoked', actor: { userId: 'a', orgId: 'o' }, subject: 'plugin:x', orgId: 'o', data: { scope: 'graph:read' } });
 * (await audit.verify()).ok; // true
 * ```
 */
export function createAuditTrail(options: { store: AuditStore; clock?: Clock; ids?: IdSource }): AuditTrail {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  return {
    record: (entry) =>
      store.append({
        id: ids.next('audit'),
        at: new Date(clock.now()).toISOString(),
        type: entry.type,
        actor: entry.actor,
        subject: entry.subject,
        orgId: entry.orgId,
        data: entry.data ?? null,
      }),
    list: (query) => store.list(query),
    head: () => store.head(),
    async verify() {
      const all: AuditEvent[] = [];
      let afterSeq: number | undefined;
      for (;;) {
        const page = await store.list({ limit: 1000, ...(afterSeq === undefined ? {} : { afterSeq }) });
        all.push(...page);
        if (page.length < 1000) break;
        afterSeq = page.at(-1)?.seq;
      }
      return verifyAuditChain(all);
    },
  };
}
