import type { EvidenceRef, JsonValue, ReviewSnapshot, ReviewState, ReviewTaskRecord } from '@intelgraph/core';
import { type QuorumTally, tallyQuorum } from './quorum.js';
import { taskPolicy } from './transitions.js';

/** One approval or denial as callers see it. */
export interface ReviewDecisionView {
  id: string;
  outcome: 'approve' | 'deny';
  /** `null` when the policy decided by itself (no review needed). */
  actor: { userId: string; roles: string[] } | null;
  /** ISO-8601. */
  at: string;
  /** The approval note or the denial reason. */
  note: string | null;
  evidence: EvidenceRef[];
  matched: string[];
}

/** The state of applying an approved task. */
export interface ReviewApplyView {
  status: 'pending' | 'running' | 'succeeded' | 'failed';
  idempotencyKey: string;
  attempts: number;
  error: { code: string; message: string } | null;
  result: JsonValue;
  /** ISO-8601 of the last change. */
  updatedAt: string;
}

/** A review task as returned by every governance operation. Times are ISO-8601. */
export interface ReviewTaskView {
  id: string;
  orgId: string;
  kind: string;
  state: ReviewState;
  payload: JsonValue;
  reason: string | null;
  /** Who asked (canonical user id, RFC-033) and the roles they held when they asked. */
  requester: { userId: string; roles: string[] };
  evidence: EvidenceRef[];
  createdAt: string;
  updatedAt: string;
  dueAt: string | null;
  expiresAt: string | null;
  /** Pending and past its due time. */
  overdue: boolean;
  /** Selectors of who may decide now (grows with escalation). */
  reviewers: string[];
  /** Users who may not decide (the requester, earlier deniers of an appeal chain). */
  excluded: string[];
  escalationLevel: number;
  policyVersion: number;
  quorum: QuorumTally;
  decisions: ReviewDecisionView[];
  apply: ReviewApplyView | null;
  appealOf: string | null;
  appealTaskId: string | null;
  appealDepth: number;
  /** True when the policy approved without review. */
  autoApproved: boolean;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Whether a task is pending and past its due time at `now`. */
export function isOverdue(task: ReviewTaskRecord, now: number): boolean {
  return task.state === 'pending' && task.dueAt !== null && now > task.dueAt;
}

/**
 * The caller-facing view of a stored task.
 *
 * @example
 * ```ts
 * import { toTaskView } from '@intelgraph/governance';
 * const view = toTaskView(snapshot, Date.now());
 * view.quorum.met; // false while approvals are missing
 * ```
 */
export function toTaskView(snapshot: ReviewSnapshot, now: number): ReviewTaskView {
  const { task, decisions, apply } = snapshot;
  return {
    id: task.id,
    orgId: task.orgId,
    kind: task.kind,
    state: task.state,
    payload: task.payload,
    reason: task.reason,
    requester: { userId: task.requester.userId, roles: [...task.requester.roles] },
    evidence: task.evidence,
    createdAt: new Date(task.createdAt).toISOString(),
    updatedAt: new Date(task.updatedAt).toISOString(),
    dueAt: iso(task.dueAt),
    expiresAt: iso(task.expiresAt),
    overdue: isOverdue(task, now),
    reviewers: task.reviewerSelectors,
    excluded: task.excludedUserIds,
    escalationLevel: task.escalationLevel,
    policyVersion: task.policyVersion,
    quorum: tallyQuorum(taskPolicy(task), decisions),
    decisions: decisions.map((d) => ({
      id: d.id,
      outcome: d.outcome,
      actor: d.actor,
      at: new Date(d.at).toISOString(),
      note: d.note,
      evidence: d.evidence,
      matched: d.matched,
    })),
    apply: apply
      ? {
          status: apply.status,
          idempotencyKey: apply.idempotencyKey,
          attempts: apply.attempts,
          error: apply.error,
          result: apply.result,
          updatedAt: new Date(apply.updatedAt).toISOString(),
        }
      : null,
    appealOf: task.appealOf,
    appealTaskId: task.appealTaskId,
    appealDepth: task.appealDepth,
    autoApproved: decisions.some((d) => d.actor === null && d.outcome === 'approve'),
  };
}
