import type {
  Actor,
  AuditEvent,
  AuditTrail,
  AuditVerification,
  Authorizer,
  Clock,
  EvidenceRef,
  IdSource,
  Logger,
  ReviewNotifier,
  ReviewState,
  ReviewStore,
} from '@intelgraph/core';
import type { z } from 'zod';
import type { EvidenceInputSchema } from './evidence.js';
import type { Policy, PolicyInput } from './policy.js';
import { createAccess } from './service/access.js';
import { createApplying } from './service/apply.js';
import { createGovernanceContext, type GovernanceDeps } from './service/context.js';
import { createDecisions } from './service/decisions.js';
import { createPublisher } from './service/publish.js';
import { createQueries } from './service/queries.js';
import { createRequests } from './service/request.js';
import { createTick } from './service/tick.js';
import type { ReviewTaskView } from './task-view.js';

/** What an applier is told besides the task. */
export interface ApplyContext {
  /** Stable for the task across retries: pass it to the system you change so it can deduplicate. */
  idempotencyKey: string;
  /** 1 for the first run, then 2, 3… for retries. */
  attempt: number;
}

/** Performs an approved change. Its JSON-serialisable return value is kept as the apply result. */
export type Applier = (task: ReviewTaskView, context: ApplyContext) => unknown;

/**
 * An unforgeable token for the code that owns some request kinds (see `GovernanceOptions.ownedKinds`).
 * Only the holder of the token given to {@link createGovernance} can open tasks of those kinds.
 */
export interface GovernanceOwner {
  readonly description: string;
}

/**
 * Creates an owner token: pass it as `ownedKinds.owner` to {@link createGovernance}, and as
 * `{ owner }` to `request` when opening a task of an owned kind. Keep it private to the owning code.
 *
 * @example
 * ```ts
 * import { createGovernance, createGovernanceOwner } from '@intelgraph/governance';
 * const owner = createGovernanceOwner('host');
 * const gov = createGovernance({ policies, appliers, ownedKinds: { kinds: ['export'], owner } });
 * await gov.request(alice, { kind: 'export', payload, reason: 'quarterly' }, { owner }); // only the owner can
 * ```
 */
export function createGovernanceOwner(description: string): GovernanceOwner {
  return Object.freeze({ description });
}

/** Options of one {@link Governance.request}. */
export interface RequestOptions {
  /** The owner token; required for kinds listed in `GovernanceOptions.ownedKinds`. */
  owner?: GovernanceOwner;
}

/** Options of {@link createGovernance}. */
export interface GovernanceOptions {
  /**
   * Kinds that only their owning code may open (its payloads are built by that code, never taken
   * from a caller): `request` refuses them with `FORBIDDEN` unless called with `{ owner }`.
   */
  ownedKinds?: { kinds: readonly string[]; owner: GovernanceOwner };
  /** One policy per request kind (from `definePolicy`, or plain data validated here). */
  policies: readonly (Policy | PolicyInput)[];
  /** One applier per policy kind (`policy_change` has a built-in one; one given here runs after it). */
  appliers: Readonly<Record<string, Applier>>;
  /** Default: in-memory. */
  store?: ReviewStore;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: random UUIDs. */
  ids?: IdSource;
  /** Default: none (notifications are still audited when they fail). */
  notifier?: ReviewNotifier;
  /**
   * Where failed notifications are logged besides the audit trail (default: nowhere), with the
   * `trace_id` and `span_id` of the request, decision or `tick()` that sent them.
   */
  logger?: Logger;
  /** Default: an in-memory hash-chained trail. */
  audit?: AuditTrail;
  /** The groups an actor belongs to (for `{ group }` selectors). Default: none. */
  groups?: (actor: Actor) => readonly string[] | Promise<readonly string[]>;
  /**
   * The host's one authorizer (see `docs/authorization.md`). Its `governance.audit` permission lets an
   * actor see every task of their own org (queues with `scope: 'org'`, any task and its audit trail) and
   * retry any task's apply. Approvers are not permissions: each policy chooses them. Default:
   * `createAuthorizer()` (`governance.audit` held by `admin` and `auditor`).
   */
  authorizer?: Authorizer;
  /** Size limit of one evidence attachment (default 5 MiB). */
  evidenceMaxBytes?: number;
  /** Size limit of a request payload as canonical JSON (default 256 KiB). */
  payloadMaxBytes?: number;
  /** How long a running apply may take before its claim is considered lost (default 5 minutes). */
  applyLeaseMs?: number;
  /** How long an approved task may wait for its first apply before `tick()` starts it (default 1 minute). */
  applyGraceMs?: number;
}

/** Input of {@link Governance.request}. */
export interface RequestInput {
  kind: string;
  payload: unknown;
  reason?: string;
  evidence?: z.input<typeof EvidenceInputSchema>[];
}

/** Input of {@link Governance.approve}. */
export interface ApproveInput {
  note?: string;
  evidence?: z.input<typeof EvidenceInputSchema>[];
}

/** Input of {@link Governance.deny} and {@link Governance.appeal}: a reason is required. */
export interface ReasonInput {
  reason: string;
  evidence?: z.input<typeof EvidenceInputSchema>[];
}

/** Input of {@link Governance.queue}. */
export interface QueueInput {
  /** `reviewable` (default): tasks the actor may decide now. `requested`: the actor's own requests. `org`: all (`governance.audit` only). */
  scope?: 'reviewable' | 'requested' | 'org';
  states?: ReviewState[];
  kinds?: string[];
  /** Only tasks due at or before this time (ISO-8601). */
  dueBefore?: string;
  /** Only pending tasks past their due time. */
  overdue?: boolean;
  order?: 'due' | 'created';
  cursor?: string;
  limit?: number;
}

/** One page of a queue. */
export interface QueuePage {
  items: ReviewTaskView[];
  nextCursor: string | null;
}

/** What {@link Governance.tick} did. */
export interface TickReport {
  examined: number;
  expired: number;
  warned: number;
  escalated: number;
  /** Approved tasks whose first apply was started by the tick (its starter was gone). */
  applied: number;
  /** Running applies whose claim ran out and were marked failed. */
  staleFailed: number;
}

/** The audit events of one task and whether the audit chain holding them verifies. */
export interface TaskAuditTrail {
  events: AuditEvent[];
  verified: boolean;
  verification: AuditVerification;
}

/**
 * The governance service (from {@link createGovernance}). Every method validates its input at the
 * boundary and fails with an `IntelGraphError`: `INVALID_INPUT` (with paths), `FORBIDDEN`,
 * `INVALID_TRANSITION`, `CONFLICT`, `NOT_FOUND`, `PAYLOAD_TOO_LARGE`.
 *
 * @example
 * ```ts
 * const task = await gov.request(alice, { kind: 'export', payload: { rows: 5000 }, reason: 'court order' });
 * await gov.approve(sam, task.id, { note: 'scope checked' });
 * const { items } = await gov.queue(sue, { scope: 'reviewable', order: 'due' });
 * ```
 */
export interface Governance {
  /**
   * Opens a task under the policy of `kind`; a payload the policy needs no review for is approved and
   * applied at once. Kinds owned by other code (`ownedKinds`) need that code's `owner` token.
   */
  request(actor: Actor, input: RequestInput, options?: RequestOptions): Promise<ReviewTaskView>;
  /** Records an approval; when it completes the quorum, the applier runs once and the task ends `applied` (or `approved` with the error). */
  approve(actor: Actor, taskId: string, input?: ApproveInput): Promise<ReviewTaskView>;
  /** Records a denial (a reason is required); reaching the policy's threshold denies the task. */
  deny(actor: Actor, taskId: string, input: ReasonInput): Promise<ReviewTaskView>;
  /** The requester appeals a denied task; returns the linked appeal task (pending, earlier deniers excluded). */
  appeal(actor: Actor, taskId: string, input: ReasonInput): Promise<ReviewTaskView>;
  /** The requester withdraws a pending task. */
  withdraw(actor: Actor, taskId: string, input?: { reason?: string }): Promise<ReviewTaskView>;
  /** Runs the applier again for an approved task whose apply failed (same idempotency key). */
  retryApply(actor: Actor, taskId: string): Promise<ReviewTaskView>;
  /** One task, for its requester, its reviewers and auditors. */
  get(actor: Actor, taskId: string): Promise<ReviewTaskView>;
  /** A page of tasks: those the actor may decide (default), the actor's own requests, or the whole org (`governance.audit`). */
  queue(actor: Actor, input?: QueueInput): Promise<QueuePage>;
  /** The bytes of an attachment of a task the actor may see. */
  evidence(actor: Actor, taskId: string, sha256: string): Promise<{ ref: EvidenceRef; bytes: Uint8Array }>;
  /** The policy in force for the actor's org and a kind, with its version. */
  policy(actor: Actor, kind: string): Promise<{ policy: Policy; version: number }>;
  /** Processes due deadlines (SLA warnings, escalation, expiry) and stalled applies; drive it from a timer. */
  tick(options?: { limit?: number }): Promise<TickReport>;
  /** The task's audit events and whether the chain verifies. With an actor, access is checked. */
  auditTrail(taskId: string, actor?: Actor): Promise<TaskAuditTrail>;
}

/**
 * Creates the governance service: governed requests, reviews under per-kind policies, exactly-once
 * apply, appeals, SLAs with escalation, notifications and a hash-chained audit trail. Omitted ports get
 * in-memory defaults.
 *
 * @example
 * ```ts
 * import { createGovernance, definePolicy } from '@intelgraph/governance';
 * const gov = createGovernance({
 *   policies: [definePolicy({ kind: 'export', approvals: [{ count: 2, role: 'steward' }], sla: { dueAfterMs: 86_400_000 } })],
 *   appliers: { export: async (task, { idempotencyKey }) => exports.run(task.payload, idempotencyKey) },
 * });
 * const alice = { userId: 'alice', orgId: 'acme', roles: ['analyst'] };
 * const task = await gov.request(alice, { kind: 'export', payload: { dataset: 'cases' }, reason: 'court order' });
 * await gov.approve({ userId: 'sam', orgId: 'acme', roles: ['steward'] }, task.id, { note: 'ok' });
 * await gov.approve({ userId: 'sue', orgId: 'acme', roles: ['steward'] }, task.id); // quorum: applied once
 * ```
 */
export function createGovernance(options: GovernanceOptions): Governance {
  // One context (the options with defaults, validated) and the operations every method group shares
  // (service/*.ts): access checks and reads, event publishing, exactly-once apply.
  const ctx = createGovernanceContext(options);
  const access = createAccess(ctx);
  const { publish } = createPublisher(ctx);
  const deps: GovernanceDeps = { ...ctx, ...access, ...createApplying(ctx, access, publish), publish };
  return {
    ...createRequests(deps),
    ...createDecisions(deps),
    ...createQueries(deps),
    ...createTick(deps),
  };
}
