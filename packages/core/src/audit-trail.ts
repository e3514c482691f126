import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import {
  type AuditActor,
  type AuditEvent,
  type AuditVerification,
  linkAuditEvent,
  verifyAuditChain,
} from './audit.js';
import type { AuditWitness, SignedAuditCheckpoint } from './checkpoint.js';
import { type AuditCheckpointer, createAuditCheckpointer } from './checkpointer.js';
import { type Clock, systemClock } from './clock.js';
import { IntelGraphError } from './errors.js';
import { type IdSource, randomIds } from './ids.js';
import type { JsonValue } from './json.js';
import type { AuditCheckpointQuery, AuditLogStore, AuditQuery, AuditStore } from './ports/audit.js';
import { parseInput } from './validation.js';

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
export function createMemoryAuditStore(): AuditLogStore {
  const events: AuditEvent[] = [];
  // The Merkle tree index: `nodes[level][index]` is the hash of a perfect subtree.
  const nodes: string[][] = [];
  let treeSize = 0;
  const checkpoints: SignedAuditCheckpoint[] = [];
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
    async treeSize() {
      return treeSize;
    },
    async readTreeNodes(refs) {
      return refs.map((r) => {
        const hash = nodes[r.level]?.[r.index];
        if (hash === undefined) {
          throw new IntelGraphError('NOT_FOUND', `no Merkle node at level ${r.level} index ${r.index}`);
        }
        return hash;
      });
    },
    async extendTree(fromSize, toSize, added) {
      if (fromSize !== treeSize) {
        throw new IntelGraphError('CONFLICT', `the Merkle tree has ${treeSize} events, not ${fromSize}`);
      }
      if (toSize < fromSize || toSize > events.length) {
        throw new IntelGraphError('INVALID_INPUT', `cannot grow the Merkle tree to ${toSize} events`);
      }
      for (const n of added) {
        const level = nodes[n.level] ?? [];
        nodes[n.level] = level;
        level[n.index] = n.hash;
      }
      treeSize = toSize;
    },
    async putCheckpoint(checkpoint) {
      if (checkpoints.some((c) => c.treeSize === checkpoint.treeSize)) return;
      checkpoints.push(structuredClone(checkpoint));
      checkpoints.sort((a, b) => a.treeSize - b.treeSize);
    },
    async listCheckpoints(query: AuditCheckpointQuery = {}) {
      const limit = Math.max(0, Math.min(query.limit ?? 1000, 10_000));
      return checkpoints
        .filter((c) => query.afterSize === undefined || c.treeSize > query.afterSize)
        .slice(0, limit)
        .map((c) => structuredClone(c));
    },
    async latestCheckpoint() {
      const last = checkpoints.at(-1);
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
  /** The Merkle tree, checkpoints and proofs, when the trail was created with `checkpoints`. */
  checkpointer?: AuditCheckpointer;
  /** Resolves when the checkpoint that the last `record` triggered (if any) is done. */
  settled?(): Promise<void>;
}

/** When the trail signs checkpoints: every `everyEvents` events or after `everyMs`, whichever is first. */
export interface AuditCheckpointPolicy {
  /** The host's ed25519 private key. */
  privateKey: KeyObject;
  witnesses?: readonly AuditWitness[];
  /** Default 1000. */
  everyEvents?: number;
  /** Default 60 000 (checked when an event is recorded). */
  everyMs?: number;
  /** Called when a background checkpoint fails (it is retried at the next trigger). */
  onError?(err: unknown): void;
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
export function createAuditTrail(options: {
  store: AuditStore;
  clock?: Clock;
  ids?: IdSource;
  /** Sign checkpoints of a Merkle tree over the log; the store must be an {@link AuditLogStore}. */
  checkpoints?: AuditCheckpointPolicy;
}): AuditTrail {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const policy = options.checkpoints;
  let checkpointer: AuditCheckpointer | undefined;
  if (policy) {
    if (!isAuditLogStore(store)) {
      throw new IntelGraphError('INVALID_INPUT', 'checkpoints need an audit store that keeps a Merkle tree');
    }
    checkpointer = createAuditCheckpointer({
      store,
      privateKey: policy.privateKey,
      clock,
      ...(policy.witnesses ? { witnesses: policy.witnesses } : {}),
    });
  }
  const cadence = parseInput(
    z.object({
      everyEvents: z.number().int().min(1).max(10_000_000).default(1000),
      everyMs: z.number().int().min(0).default(60_000),
    }),
    { everyEvents: policy?.everyEvents, everyMs: policy?.everyMs },
    'audit checkpoint policy',
  );
  const { everyEvents, everyMs } = cadence;
  let sinceLast = 0;
  let lastAt = clock.now();
  let pending: Promise<void> = Promise.resolve();
  let running = false;
  const maybeCheckpoint = () => {
    if (!checkpointer) return;
    sinceLast++; // events recorded while a checkpoint runs count toward the next one
    if (running || (sinceLast < everyEvents && clock.now() - lastAt < everyMs)) return;
    running = true;
    sinceLast = 0;
    lastAt = clock.now();
    const cp = checkpointer;
    pending = cp
      .checkpoint()
      .then(
        () => undefined,
        (err: unknown) => policy?.onError?.(err),
      )
      .finally(() => {
        running = false;
      });
  };
  return {
    ...(checkpointer ? { checkpointer, settled: () => pending } : {}),
    record: (entry) =>
      store
        .append({
          id: ids.next('audit'),
          at: new Date(clock.now()).toISOString(),
          type: entry.type,
          actor: entry.actor,
          subject: entry.subject,
          orgId: entry.orgId,
          data: entry.data ?? null,
        })
        .then((event) => {
          maybeCheckpoint();
          return event;
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

/**
 * Whether an audit store also keeps the Merkle tree and checkpoints ({@link AuditLogStore}).
 *
 * @example
 * ```ts
 * import { createMemoryAuditStore, isAuditLogStore } from '@intelgraph/core';
 * isAuditLogStore(createMemoryAuditStore()); // true
 * ```
 */
export function isAuditLogStore(store: AuditStore): store is AuditLogStore {
  const s = store as Partial<AuditLogStore>;
  return (
    typeof s.treeSize === 'function' &&
    typeof s.readTreeNodes === 'function' &&
    typeof s.extendTree === 'function' &&
    typeof s.putCheckpoint === 'function' &&
    typeof s.listCheckpoints === 'function' &&
    typeof s.latestCheckpoint === 'function'
  );
}
