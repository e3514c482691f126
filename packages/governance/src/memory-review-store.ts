import {
  type EvidenceRef,
  IntelGraphError,
  type ReviewPolicyRecord,
  type ReviewSnapshot,
  type ReviewStore,
  type ReviewTaskQuery,
  type ReviewTaskRecord,
} from '@intelgraph/core';
import { decodeReviewCursor, encodeReviewCursor, NO_DUE_KEY } from './cursor.js';

const MAX_LIMIT = 500;

function sortKey(task: ReviewTaskRecord, order: 'due' | 'created'): number {
  return order === 'due' ? (task.dueAt ?? NO_DUE_KEY) : task.createdAt;
}

/**
 * In-memory {@link ReviewStore}: the default of `createGovernance` and a product feature in its own
 * right (embedded use, tests). It passes the same conformance suite as the PostgreSQL store. Every update
 * runs `decide` and writes its change in one synchronous step, so concurrent callers are serialised.
 *
 * @example
 * ```ts
 * import { createGovernance, createMemoryReviewStore } from '@intelgraph/governance';
 * const store = createMemoryReviewStore();
 * const gov = createGovernance({ policies, appliers, store });
 * ```
 */
export function createMemoryReviewStore(): ReviewStore {
  const tasks = new Map<string, ReviewSnapshot>();
  const applyKeys = new Map<string, string>();
  const evidence = new Map<string, Uint8Array>();
  const policies = new Map<string, ReviewPolicyRecord[]>();

  function checkNew(snapshot: ReviewSnapshot, alsoTaken: ReadonlySet<string> = new Set()): void {
    if (tasks.has(snapshot.task.id) || alsoTaken.has(snapshot.task.id))
      throw new IntelGraphError('CONFLICT', `task ${snapshot.task.id} already exists`);
    const key = snapshot.apply?.idempotencyKey;
    if (key !== undefined && applyKeys.has(key))
      throw new IntelGraphError('CONFLICT', `idempotency key ${key} already used`);
  }

  function write(snapshot: ReviewSnapshot): void {
    tasks.set(snapshot.task.id, structuredClone(snapshot));
    if (snapshot.apply) applyKeys.set(snapshot.apply.idempotencyKey, snapshot.task.id);
  }

  return {
    async create(snapshot) {
      checkNew(snapshot);
      write(snapshot);
    },

    async get(taskId) {
      const s = tasks.get(taskId);
      return s ? structuredClone(s) : null;
    },

    async update(taskId, decide) {
      const current = tasks.get(taskId);
      if (!current) throw new IntelGraphError('NOT_FOUND', `no review task ${taskId}`);
      // Everything from here to the write is synchronous: no other update can interleave.
      const { change, result } = decide(structuredClone(current));
      if (!change) return { snapshot: structuredClone(current), result };
      if (change.task.id !== taskId)
        throw new IntelGraphError('INTERNAL', 'an update may not change the task id');
      const next: ReviewSnapshot = {
        task: change.task,
        decisions: change.decision ? [...current.decisions, change.decision] : current.decisions,
        apply: change.apply ?? current.apply,
      };
      const dec = change.decision;
      if (
        dec &&
        current.decisions.some((d) => d.id === dec.id || (dec.actor && d.actor?.userId === dec.actor.userId))
      )
        throw new IntelGraphError(
          'CONFLICT',
          `decision ${dec.id} or one by the same reviewer already exists`,
        );
      const key = change.apply?.idempotencyKey;
      if (key !== undefined && applyKeys.has(key) && applyKeys.get(key) !== taskId)
        throw new IntelGraphError('CONFLICT', `idempotency key ${key} already used`);
      if (change.apply && current.apply && current.apply.idempotencyKey !== change.apply.idempotencyKey)
        throw new IntelGraphError('CONFLICT', 'a task has exactly one apply record');
      if (change.create) checkNew(change.create, new Set([taskId]));
      write(next);
      if (change.create) write(change.create);
      return { snapshot: structuredClone(next), result };
    },

    async listTasks(query: ReviewTaskQuery) {
      const order = query.order ?? 'created';
      const limit = Math.max(1, Math.min(query.limit ?? 50, MAX_LIMIT));
      const after = query.cursor === undefined ? null : decodeReviewCursor(query.cursor);
      if (after && after.order !== order)
        throw new IntelGraphError('INVALID_INPUT', 'the cursor belongs to another order');
      const matches: ReviewTaskRecord[] = [];
      for (const { task: t, decisions } of tasks.values()) {
        if (t.orgId !== query.orgId) continue;
        if (query.states && !query.states.includes(t.state)) continue;
        if (query.kinds && !query.kinds.includes(t.kind)) continue;
        if (query.requesterId !== undefined && t.requester.userId !== query.requesterId) continue;
        if (query.dueBefore !== undefined && (t.dueAt === null || t.dueAt > query.dueBefore)) continue;
        if (
          query.overdueAt !== undefined &&
          (t.state !== 'pending' || t.dueAt === null || t.dueAt >= query.overdueAt)
        )
          continue;
        const el = query.eligible;
        if (el) {
          if (!t.reviewerSelectors.some((s) => el.selectors.includes(s))) continue;
          if (t.excludedUserIds.includes(el.userId)) continue;
          if (decisions.some((d) => d.actor?.userId === el.userId)) continue;
        }
        const k = sortKey(t, order);
        if (after && (k < after.key || (k === after.key && t.id <= after.id))) continue;
        matches.push(t);
      }
      matches.sort(
        (a, b) => sortKey(a, order) - sortKey(b, order) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      );
      const items = matches.slice(0, limit).map((t) => structuredClone(t));
      const last = items.at(-1);
      return {
        items,
        nextCursor:
          matches.length > limit && last
            ? encodeReviewCursor({ order, key: sortKey(last, order), id: last.id })
            : null,
      };
    },

    async listDeadlines(now, limit) {
      return [...tasks.values()]
        .map((s) => s.task)
        .filter((t) => t.nextDeadlineAt !== null && t.nextDeadlineAt <= now)
        .sort((a, b) => (a.nextDeadlineAt ?? 0) - (b.nextDeadlineAt ?? 0) || (a.id < b.id ? -1 : 1))
        .slice(0, Math.max(0, limit))
        .map((t) => structuredClone(t));
    },

    async putEvidence(ref: EvidenceRef, bytes: Uint8Array) {
      if (!evidence.has(ref.sha256)) evidence.set(ref.sha256, new Uint8Array(bytes));
    },

    async getEvidence(sha256) {
      const b = evidence.get(sha256);
      return b ? new Uint8Array(b) : null;
    },

    async putPolicy(record) {
      const key = `${record.orgId}\u0000${record.kind}`;
      const list = policies.get(key) ?? [];
      for (const all of policies.values()) {
        const same = all.find((r) => r.taskId === record.taskId);
        if (same) return structuredClone(same);
      }
      if (list.some((r) => r.version === record.version))
        throw new IntelGraphError(
          'CONFLICT',
          `policy ${record.kind} version ${record.version} already exists`,
        );
      list.push(structuredClone(record));
      policies.set(key, list);
      return structuredClone(record);
    },

    async getPolicy(orgId, kind) {
      const list = policies.get(`${orgId}\u0000${kind}`) ?? [];
      const best = list.reduce<ReviewPolicyRecord | null>(
        (m, r) => (m === null || r.version > m.version ? r : m),
        null,
      );
      return best ? structuredClone(best) : null;
    },
  };
}
