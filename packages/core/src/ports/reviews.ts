// Port interfaces for the reviews domain (owned by @intelgraph/governance). Type-only: core stays free
// of I/O; the in-memory store lives in @intelgraph/governance, the SQL one in @intelgraph/adapters.
import type { JsonValue } from '../json.js';

/**
 * The lifecycle of a review task:
 * `pending → approved → applied`, `pending → denied → appealed` (the appeal is a new, linked task),
 * and `pending → expired | withdrawn`.
 */
export type ReviewState =
  | 'pending'
  | 'approved'
  | 'applied'
  | 'denied'
  | 'appealed'
  | 'expired'
  | 'withdrawn';

/** A content-addressed attachment: the bytes are stored once under their SHA-256. */
export interface EvidenceRef {
  /** Hex SHA-256 of the bytes. */
  sha256: string;
  name: string;
  mediaType: string;
  /** Size in bytes. */
  size: number;
}

/** Who requested a task or decided on it, as seen at that moment. */
export interface ReviewActorRecord {
  userId: string;
  roles: string[];
}

/** One approval or denial. `actor` is `null` for a decision the policy took by itself (no review needed). */
export interface ReviewDecisionRecord {
  id: string;
  taskId: string;
  outcome: 'approve' | 'deny';
  actor: ReviewActorRecord | null;
  /** Epoch milliseconds. */
  at: number;
  /** The approval note or the denial reason. */
  note: string | null;
  evidence: EvidenceRef[];
  /** The reviewer selectors (`role:x`, `group:y`, `user:z`) the actor matched when deciding. */
  matched: string[];
}

/** The exactly-once record of applying an approved task. `idempotencyKey` is unique in the store. */
export interface ReviewApplyRecord {
  taskId: string;
  idempotencyKey: string;
  status: 'pending' | 'running' | 'succeeded' | 'failed';
  attempts: number;
  /** Epoch ms when the current claim ends; a `running` claim past it is considered lost. */
  leaseUntil: number | null;
  /** Epoch ms of the last status change. */
  updatedAt: number;
  error: { code: string; message: string } | null;
  result: JsonValue;
}

/** A review task as stored. Times are epoch milliseconds. */
export interface ReviewTaskRecord {
  id: string;
  orgId: string;
  kind: string;
  state: ReviewState;
  payload: JsonValue;
  reason: string | null;
  requester: ReviewActorRecord;
  evidence: EvidenceRef[];
  /** The normalised policy the task was opened under (a snapshot: later policy changes do not alter it). */
  policy: JsonValue;
  policyVersion: number;
  /** Selectors whose holders may decide now; grows when the SLA escalates to backup approvers. */
  reviewerSelectors: string[];
  /** Users who may never decide on this task (the requester; the deniers of an appealed task). */
  excludedUserIds: string[];
  createdAt: number;
  updatedAt: number;
  dueAt: number | null;
  expiresAt: number | null;
  /**
   * When the deadline processor must next look at the task: SLA warning, escalation or expiry of a
   * pending task; an apply that was never started or whose claim ran out on an approved task.
   */
  nextDeadlineAt: number | null;
  escalationLevel: number;
  slaWarnedAt: number | null;
  decidedAt: number | null;
  /** The denied task this one appeals, and the appeal task opened for this one. */
  appealOf: string | null;
  appealTaskId: string | null;
  /** How many appeals led to this task (0 for an original request). */
  appealDepth: number;
  /** Incremented by every update; lets callers detect concurrent change. */
  revision: number;
}

/** A task with everything decided about it. */
export interface ReviewSnapshot {
  task: ReviewTaskRecord;
  decisions: ReviewDecisionRecord[];
  apply: ReviewApplyRecord | null;
}

/**
 * What an update writes, all in one transaction: the new task row, at most one new decision, the apply
 * record to create or replace, and optionally a new task (an appeal) to create.
 */
export interface ReviewChange {
  task: ReviewTaskRecord;
  decision?: ReviewDecisionRecord;
  apply?: ReviewApplyRecord;
  create?: ReviewSnapshot;
}

/** Filters of {@link ReviewStore.listTasks}; every given filter must hold. */
export interface ReviewTaskQuery {
  orgId: string;
  states?: readonly ReviewState[];
  kinds?: readonly string[];
  requesterId?: string;
  /** Only tasks this user may decide now: a selector matches, not excluded, not decided yet. */
  eligible?: { userId: string; selectors: readonly string[] };
  /** Only tasks due at or before this epoch ms. */
  dueBefore?: number;
  /** Only pending tasks whose due time is before this epoch ms. */
  overdueAt?: number;
  /** `due`: by due time (no due time last), then id. `created`: by creation time, then id. */
  order?: 'due' | 'created';
  /** Opaque cursor from a previous page. */
  cursor?: string;
  limit?: number;
}

/** One page of tasks. */
export interface ReviewTaskPage {
  items: ReviewTaskRecord[];
  nextCursor: string | null;
}

/** A policy override stored for one org, produced by an applied `policy_change` task. */
export interface ReviewPolicyRecord {
  orgId: string;
  kind: string;
  version: number;
  definition: JsonValue;
  /** The task that changed it; unique, so a retried apply never writes twice. */
  taskId: string;
  /** Epoch ms. */
  createdAt: number;
}

/**
 * Port: durable storage of review tasks, decisions, apply records, evidence and policy overrides.
 *
 * Contract (checked by `tests/conformance/reviews.test.ts` for every backend):
 * - `create` writes the snapshot atomically; `CONFLICT` if the task id or idempotency key exists.
 * - `update` locks the task (`SELECT … FOR UPDATE`), calls `decide` with the current snapshot, and
 *   commits everything `decide` returns in one transaction. Concurrent updates of the same task are
 *   serialised, so `decide` always sees the effect of the previous one. If `decide` throws, nothing is
 *   written and the error propagates. `decide` returning `null` writes nothing. With `skipLocked`, a
 *   task locked by someone else is skipped (returns `null`) instead of waited for. Unknown task →
 *   `NOT_FOUND`. A duplicate apply idempotency key → `CONFLICT` and nothing written.
 * - `listTasks` pages with a stable order and an opaque cursor; no task is returned twice or skipped
 *   while the set does not change.
 * - `putEvidence` is idempotent per SHA-256; `getEvidence` returns the bytes or `null`.
 * - `putPolicy` is idempotent per `taskId`; `getPolicy` returns the highest version for (org, kind).
 */
export interface ReviewStore {
  create(snapshot: ReviewSnapshot): Promise<void>;
  get(taskId: string): Promise<ReviewSnapshot | null>;
  update<T>(
    taskId: string,
    decide: (current: ReviewSnapshot) => { change: ReviewChange | null; result: T },
    options?: { skipLocked?: boolean },
  ): Promise<{ snapshot: ReviewSnapshot; result: T } | null>;
  listTasks(query: ReviewTaskQuery): Promise<ReviewTaskPage>;
  /** Tasks with `nextDeadlineAt <= now`, earliest deadline first, at most `limit`. */
  listDeadlines(now: number, limit: number): Promise<ReviewTaskRecord[]>;
  putEvidence(ref: EvidenceRef, bytes: Uint8Array): Promise<void>;
  getEvidence(sha256: string): Promise<Uint8Array | null>;
  putPolicy(record: ReviewPolicyRecord): Promise<ReviewPolicyRecord>;
  getPolicy(orgId: string, kind: string): Promise<ReviewPolicyRecord | null>;
}

/** Why someone is being told about a task. */
export type ReviewNotificationType =
  | 'task.created'
  | 'task.decided'
  | 'task.sla_warning'
  | 'task.escalated'
  | 'task.appealed'
  | 'task.applied'
  | 'task.apply_failed';

/** One message for the notifier. Recipients are user ids and reviewer selectors the notifier resolves. */
export interface ReviewNotification {
  id: string;
  type: ReviewNotificationType;
  orgId: string;
  taskId: string;
  kind: string;
  state: ReviewState;
  /** ISO-8601. */
  at: string;
  to: { userIds: string[]; selectors: string[] };
  /** ISO-8601 due time of the task, if any. */
  dueAt: string | null;
  summary: string;
}

/**
 * Port: delivers notifications (mail, chat, webhook…). May fail: governance records the failure in the
 * audit trail and never loses the decision that caused it.
 */
export interface ReviewNotifier {
  notify(notification: ReviewNotification): Promise<void>;
}
