// The review state machine as pure functions: each takes the current snapshot (read under the store's
// row lock) and returns what to write plus the events to publish once it is committed. No I/O here.
import {
  canonicalUserId,
  digestJson,
  type EvidenceRef,
  IntelGraphError,
  type JsonValue,
  type ReviewActorRecord,
  type ReviewApplyRecord,
  type ReviewChange,
  type ReviewDecisionRecord,
  type ReviewNotificationType,
  type ReviewSnapshot,
  type ReviewState,
  type ReviewTaskRecord,
} from '@intelgraph/core';
import { evaluateCondition } from './condition.js';
import { escalationKeys, type Policy, PolicySchema, primaryKeys, selectorKeys } from './policy.js';
import { tallyQuorum } from './quorum.js';

/** Something that happened to a task: an audit event, and possibly a notification. */
export interface DomainEvent {
  type: string;
  actor: { userId: string } | null;
  data: { [key: string]: JsonValue };
  notify?: {
    type: ReviewNotificationType;
    to: { userIds: string[]; selectors: string[] };
    summary: string;
  };
}

/** What a transition decided: the change to commit and the events to publish after the commit. */
export interface Transition<R = undefined> {
  change: ReviewChange | null;
  result: { events: DomainEvent[]; value: R };
}

/**
 * The legal moves of the state machine; anything else is `INVALID_TRANSITION`.
 *
 * @example
 * ```ts
 * import { LEGAL_TRANSITIONS } from '@intelgraph/governance';
 * LEGAL_TRANSITIONS.denied; // ['appealed']
 * ```
 */
export const LEGAL_TRANSITIONS: Readonly<Record<ReviewState, readonly ReviewState[]>> = Object.freeze({
  pending: ['approved', 'denied', 'expired', 'withdrawn'],
  approved: ['applied'],
  denied: ['appealed'],
  applied: [],
  appealed: [],
  expired: [],
  withdrawn: [],
});

function move(task: ReviewTaskRecord, to: ReviewState, action: string): void {
  if (!LEGAL_TRANSITIONS[task.state].includes(to))
    throw new IntelGraphError('INVALID_TRANSITION', `cannot ${action} a task that is ${task.state}`, {
      details: { taskId: task.id, from: task.state, to, action },
    });
}

/** The policy snapshot a task carries (written by this package, so it always parses). */
export function taskPolicy(task: ReviewTaskRecord): Policy {
  return PolicySchema.parse(task.policy) as Policy;
}

/** The idempotency key handed to the applier; unique per task and stable across retries. */
export function applyKey(taskId: string): string {
  return `review:${taskId}:apply`;
}

function evidenceData(evidence: readonly EvidenceRef[]): JsonValue {
  return evidence.map((e) => ({ sha256: e.sha256, name: e.name, mediaType: e.mediaType, size: e.size }));
}

/** When the deadline processor must next look at a task. */
export function nextDeadline(
  task: ReviewTaskRecord,
  policy: Policy,
  apply: ReviewApplyRecord | null,
  applyGraceMs: number,
): number | null {
  if (task.state === 'approved' && apply) {
    if (apply.status === 'pending') return apply.updatedAt + applyGraceMs;
    if (apply.status === 'running') return apply.leaseUntil;
    return null;
  }
  if (task.state !== 'pending') return null;
  const candidates: number[] = [];
  if (task.expiresAt !== null) candidates.push(task.expiresAt);
  if (task.dueAt !== null && policy.sla) {
    if (policy.sla.warnBeforeMs !== undefined && task.slaWarnedAt === null)
      candidates.push(task.dueAt - policy.sla.warnBeforeMs);
    const step = policy.sla.escalation[task.escalationLevel];
    if (step) candidates.push(task.dueAt + step.afterMs);
  }
  return candidates.length > 0 ? Math.min(...candidates) : null;
}

/** Inputs of {@link openTask}. */
export interface OpenTaskInput {
  id: string;
  orgId: string;
  kind: string;
  payload: JsonValue;
  reason: string | null;
  requester: ReviewActorRecord;
  evidence: EvidenceRef[];
  policy: Policy;
  policyVersion: number;
  now: number;
  decisionId: string;
  applyGraceMs: number;
  /** Set when this task appeals a denied one. */
  appeal?: { of: string; depth: number; excludedUserIds: string[] };
}

/** Builds a new task; when the policy needs no review for this payload, it is approved at once. */
export function openTask(input: OpenTaskInput): {
  snapshot: ReviewSnapshot;
  events: DomainEvent[];
  autoApproved: boolean;
} {
  const { policy, now } = input;
  const autoApproved =
    input.appeal === undefined &&
    policy.autoApprove !== undefined &&
    evaluateCondition(policy.autoApprove.when, input.payload, policy.params);
  const task: ReviewTaskRecord = {
    id: input.id,
    orgId: input.orgId,
    kind: input.kind,
    state: autoApproved ? 'approved' : 'pending',
    payload: input.payload,
    reason: input.reason,
    requester: input.requester,
    evidence: input.evidence,
    policy: policy as unknown as JsonValue,
    policyVersion: input.policyVersion,
    reviewerSelectors: primaryKeys(policy),
    excludedUserIds: [
      ...new Set([input.requester.userId, ...(input.appeal?.excludedUserIds ?? [])].map(canonicalUserId)),
    ],
    createdAt: now,
    updatedAt: now,
    dueAt: policy.sla && !autoApproved ? now + policy.sla.dueAfterMs : null,
    expiresAt: policy.expiresAfterMs !== undefined && !autoApproved ? now + policy.expiresAfterMs : null,
    nextDeadlineAt: null,
    escalationLevel: 0,
    slaWarnedAt: null,
    decidedAt: autoApproved ? now : null,
    appealOf: input.appeal?.of ?? null,
    appealTaskId: null,
    appealDepth: input.appeal?.depth ?? 0,
    revision: 1,
  };
  const decisions: ReviewDecisionRecord[] = [];
  let apply: ReviewApplyRecord | null = null;
  const requester = { userId: input.requester.userId };
  const events: DomainEvent[] = [
    {
      type: input.appeal ? 'review.appeal_opened' : 'review.requested',
      actor: requester,
      data: {
        kind: task.kind,
        payloadSha256: digestJson(task.payload),
        policyVersion: task.policyVersion,
        reason: task.reason,
        evidence: evidenceData(task.evidence),
        reviewers: task.reviewerSelectors,
        excluded: task.excludedUserIds,
        dueAt: task.dueAt === null ? null : new Date(task.dueAt).toISOString(),
        appealOf: task.appealOf,
        autoApproved,
      },
      ...(autoApproved
        ? {}
        : {
            notify: {
              type: input.appeal ? ('task.appealed' as const) : ('task.created' as const),
              to: { userIds: [], selectors: task.reviewerSelectors },
              summary: input.appeal
                ? `appeal of ${input.appeal.of} (${task.kind}) needs your review`
                : `${task.kind} request by ${requester.userId} needs your review`,
            },
          }),
    },
  ];
  if (autoApproved && policy.autoApprove) {
    decisions.push({
      id: input.decisionId,
      taskId: task.id,
      outcome: 'approve',
      actor: null,
      at: now,
      note: policy.autoApprove.note,
      evidence: [],
      matched: [],
    });
    apply = newApply(task.id, now);
    events.push({
      type: 'review.auto_approved',
      actor: null,
      data: {
        condition: policy.autoApprove.when as unknown as JsonValue,
        params: policy.params,
        note: policy.autoApprove.note,
      },
      notify: {
        type: 'task.decided',
        to: { userIds: [requester.userId], selectors: [] },
        summary: `${task.kind} request approved by policy: ${policy.autoApprove.note}`,
      },
    });
  }
  task.nextDeadlineAt = nextDeadline(task, policy, apply, input.applyGraceMs);
  return { snapshot: { task, decisions, apply }, events, autoApproved };
}

function newApply(taskId: string, now: number): ReviewApplyRecord {
  return {
    taskId,
    idempotencyKey: applyKey(taskId),
    status: 'pending',
    attempts: 0,
    leaseUntil: null,
    updatedAt: now,
    error: null,
    result: null,
  };
}

function bump(task: ReviewTaskRecord, now: number): ReviewTaskRecord {
  return { ...task, updatedAt: now, revision: task.revision + 1 };
}

function expireChange(snap: ReviewSnapshot, now: number): { change: ReviewChange; events: DomainEvent[] } {
  const task = bump(snap.task, now);
  move(snap.task, 'expired', 'expire');
  task.state = 'expired';
  task.nextDeadlineAt = null;
  return {
    change: { task },
    events: [
      {
        type: 'review.expired',
        actor: null,
        data: { expiresAt: new Date(snap.task.expiresAt ?? now).toISOString() },
        notify: {
          type: 'task.decided',
          to: { userIds: [task.requester.userId], selectors: [] },
          summary: `${task.kind} request expired without a decision`,
        },
      },
    ],
  };
}

function isExpired(task: ReviewTaskRecord, now: number): boolean {
  return task.state === 'pending' && task.expiresAt !== null && now >= task.expiresAt;
}

/** Inputs of {@link decideTask}. */
export interface DecideInput {
  actor: ReviewActorRecord;
  /** Every selector the actor holds (`role:x`, `group:y`, `user:z`). */
  actorKeys: readonly string[];
  outcome: 'approve' | 'deny';
  note: string | null;
  evidence: EvidenceRef[];
  decisionId: string;
  now: number;
  applyGraceMs: number;
}

/** Value of a decide transition: whether quorum or the denial threshold was reached, or the task expired. */
export interface DecideOutcome {
  quorum: boolean;
  expired: boolean;
}

/**
 * Records an approval or denial. Rules: only pending tasks; never the requester (nor anyone excluded,
 * such as the deniers of an appealed task); the actor must match a current reviewer selector; one
 * decision per reviewer. A task past its expiry is expired instead (and the caller reports it).
 */
export function decideTask(snap: ReviewSnapshot, input: DecideInput): Transition<DecideOutcome> {
  const { now } = input;
  if (isExpired(snap.task, now)) {
    const { change, events } = expireChange(snap, now);
    return { change, result: { events, value: { quorum: false, expired: true } } };
  }
  move(snap.task, input.outcome === 'approve' ? 'approved' : 'denied', input.outcome);
  // Identities compare in canonical form (RFC-033) on both sides, so records written before the
  // canonicalisation still match.
  const userId = canonicalUserId(input.actor.userId);
  if (userId === canonicalUserId(snap.task.requester.userId))
    throw new IntelGraphError('FORBIDDEN', 'a requester cannot decide their own request', {
      details: { taskId: snap.task.id, reason: 'self_review' },
    });
  if (snap.task.excludedUserIds.some((u) => canonicalUserId(u) === userId))
    throw new IntelGraphError('FORBIDDEN', `${userId} may not decide this task`, {
      details: { taskId: snap.task.id, reason: 'excluded' },
    });
  const matched = input.actorKeys.filter((k) => snap.task.reviewerSelectors.includes(k));
  if (matched.length === 0)
    throw new IntelGraphError('FORBIDDEN', `${userId} is not an eligible reviewer of this task`, {
      details: { taskId: snap.task.id, reason: 'not_eligible', reviewers: snap.task.reviewerSelectors },
    });
  if (snap.decisions.some((d) => d.actor && canonicalUserId(d.actor.userId) === userId))
    throw new IntelGraphError('CONFLICT', `${userId} already decided on this task`, {
      details: { taskId: snap.task.id },
    });
  const policy = taskPolicy(snap.task);
  if (input.outcome === 'approve' && policy.requireReason.approve && !input.note)
    throw new IntelGraphError('INVALID_INPUT', 'this policy requires a note with every approval', {
      details: { issues: [{ code: 'required', path: ['note'], message: 'a note is required' }] },
    });
  const decision: ReviewDecisionRecord = {
    id: input.decisionId,
    taskId: snap.task.id,
    outcome: input.outcome,
    actor: input.actor,
    at: now,
    note: input.note,
    evidence: input.evidence,
    matched,
  };
  const tally = tallyQuorum(policy, [...snap.decisions, decision]);
  const task = bump(snap.task, now);
  const events: DomainEvent[] = [
    {
      type: input.outcome === 'approve' ? 'review.approval_recorded' : 'review.denial_recorded',
      actor: { userId },
      data: {
        note: input.note,
        evidence: evidenceData(input.evidence),
        matched,
        approvals: tally.approvals,
        denials: tally.denials,
      },
    },
  ];
  let apply: ReviewApplyRecord | undefined;
  let quorum = false;
  if (input.outcome === 'approve' && tally.met) {
    task.state = 'approved';
    task.decidedAt = now;
    apply = newApply(task.id, now);
    quorum = true;
    events.push({
      type: 'review.approved',
      actor: { userId },
      data: { approvers: approversOf([...snap.decisions, decision]), idempotencyKey: apply.idempotencyKey },
      notify: {
        type: 'task.decided',
        to: { userIds: [task.requester.userId], selectors: [] },
        summary: `${task.kind} request approved`,
      },
    });
  } else if (input.outcome === 'deny' && tally.denied) {
    task.state = 'denied';
    task.decidedAt = now;
    quorum = true;
    events.push({
      type: 'review.denied',
      actor: { userId },
      data: { deniers: deniersOf([...snap.decisions, decision]), reason: input.note },
      notify: {
        type: 'task.decided',
        to: { userIds: [task.requester.userId], selectors: [] },
        summary: `${task.kind} request denied: ${input.note ?? ''}`,
      },
    });
  }
  task.nextDeadlineAt = nextDeadline(task, policy, apply ?? null, input.applyGraceMs);
  return {
    change: { task, decision, ...(apply ? { apply } : {}) },
    result: { events, value: { quorum, expired: false } },
  };
}

function approversOf(decisions: readonly ReviewDecisionRecord[]): string[] {
  return decisions.filter((d) => d.outcome === 'approve' && d.actor).map((d) => d.actor?.userId ?? '');
}

function deniersOf(decisions: readonly ReviewDecisionRecord[]): string[] {
  return decisions.filter((d) => d.outcome === 'deny' && d.actor).map((d) => d.actor?.userId ?? '');
}

/** The requester takes back a pending request. */
export function withdrawTask(
  snap: ReviewSnapshot,
  input: { userId: string; reason: string | null; now: number },
): Transition {
  if (canonicalUserId(input.userId) !== canonicalUserId(snap.task.requester.userId))
    throw new IntelGraphError('FORBIDDEN', 'only the requester can withdraw a request', {
      details: { taskId: snap.task.id },
    });
  if (isExpired(snap.task, input.now)) {
    const { change, events } = expireChange(snap, input.now);
    return { change, result: { events, value: undefined } };
  }
  move(snap.task, 'withdrawn', 'withdraw');
  const task = bump(snap.task, input.now);
  task.state = 'withdrawn';
  task.nextDeadlineAt = null;
  return {
    change: { task },
    result: {
      events: [
        {
          type: 'review.withdrawn',
          actor: { userId: input.userId },
          data: { reason: input.reason },
          notify: {
            type: 'task.decided',
            to: { userIds: [], selectors: task.reviewerSelectors },
            summary: `${task.kind} request withdrawn by ${input.userId}`,
          },
        },
      ],
      value: undefined,
    },
  };
}

/** Inputs of {@link appealTask}. */
export interface AppealInput {
  actor: ReviewActorRecord;
  reason: string;
  evidence: EvidenceRef[];
  appealTaskId: string;
  now: number;
  applyGraceMs: number;
}

/**
 * The requester appeals a denied task: it becomes `appealed` and a linked appeal task opens, pending,
 * under the appeal quorum, with every earlier denier excluded so the appeal gets a fresh set of reviewers.
 */
export function appealTask(
  snap: ReviewSnapshot,
  input: AppealInput,
): Transition<{ snapshot: ReviewSnapshot; events: DomainEvent[] }> {
  const { task: parent } = snap;
  if (canonicalUserId(input.actor.userId) !== canonicalUserId(parent.requester.userId))
    throw new IntelGraphError('FORBIDDEN', 'only the requester can appeal a denial', {
      details: { taskId: parent.id },
    });
  move(parent, 'appealed', 'appeal');
  const policy = taskPolicy(parent);
  const fail = (why: string) =>
    new IntelGraphError('INVALID_TRANSITION', `cannot appeal: ${why}`, {
      details: { taskId: parent.id, from: parent.state },
    });
  if (!policy.appeal.allowed) throw fail('the policy allows no appeal');
  if (parent.appealDepth >= policy.appeal.maxDepth)
    throw fail(`at most ${policy.appeal.maxDepth} appeal(s) allowed`);
  if (
    policy.appeal.windowMs !== undefined &&
    parent.decidedAt !== null &&
    input.now > parent.decidedAt + policy.appeal.windowMs
  )
    throw fail('the appeal window has closed');
  const { autoApprove: _ignored, ...rest } = policy;
  const appealPolicy: Policy = { ...rest, approvals: policy.appeal.approvals ?? policy.approvals };
  const opened = openTask({
    id: input.appealTaskId,
    orgId: parent.orgId,
    kind: parent.kind,
    payload: parent.payload,
    reason: input.reason,
    requester: input.actor,
    evidence: [
      ...parent.evidence,
      ...input.evidence.filter((e) => !parent.evidence.some((p) => p.sha256 === e.sha256)),
    ],
    policy: appealPolicy,
    policyVersion: parent.policyVersion,
    now: input.now,
    decisionId: `${input.appealTaskId}:none`,
    applyGraceMs: input.applyGraceMs,
    appeal: {
      of: parent.id,
      depth: parent.appealDepth + 1,
      excludedUserIds: [...parent.excludedUserIds, ...deniersOf(snap.decisions)],
    },
  });
  const task = bump(parent, input.now);
  task.state = 'appealed';
  task.appealTaskId = input.appealTaskId;
  return {
    change: { task, create: opened.snapshot },
    result: {
      events: [
        {
          type: 'review.appealed',
          actor: { userId: input.actor.userId },
          data: {
            appealTaskId: input.appealTaskId,
            reason: input.reason,
            evidence: evidenceData(input.evidence),
          },
        },
      ],
      value: { snapshot: opened.snapshot, events: opened.events },
    },
  };
}

/**
 * Applies whatever deadlines have passed at `now`: expiry, the SLA warning, escalation steps (each adds
 * its backup approvers to the reviewers). Returns a null change when nothing is due.
 */
export function processDeadline(snap: ReviewSnapshot, now: number, applyGraceMs: number): Transition {
  const t = snap.task;
  if (t.state !== 'pending') return { change: null, result: { events: [], value: undefined } };
  if (isExpired(t, now)) {
    const { change, events } = expireChange(snap, now);
    return { change, result: { events, value: undefined } };
  }
  const policy = taskPolicy(t);
  const task = bump(t, now);
  const events: DomainEvent[] = [];
  const sla = policy.sla;
  if (sla && task.dueAt !== null) {
    if (sla.warnBeforeMs !== undefined && task.slaWarnedAt === null && now >= task.dueAt - sla.warnBeforeMs) {
      task.slaWarnedAt = now;
      events.push({
        type: 'review.sla_warning',
        actor: null,
        data: { dueAt: new Date(task.dueAt).toISOString() },
        notify: {
          type: 'task.sla_warning',
          to: { userIds: [], selectors: task.reviewerSelectors },
          summary: `${task.kind} request is due ${new Date(task.dueAt).toISOString()}`,
        },
      });
    }
    for (;;) {
      const step = sla.escalation[task.escalationLevel];
      if (!step || now < task.dueAt + step.afterMs) break;
      task.escalationLevel += 1;
      const added = step.to.flatMap(selectorKeys).filter((k) => !task.reviewerSelectors.includes(k));
      task.reviewerSelectors = [...task.reviewerSelectors, ...added];
      events.push({
        type: 'review.escalated',
        actor: null,
        data: { level: task.escalationLevel, added, backups: escalationKeys(policy, task.escalationLevel) },
        notify: {
          type: 'task.escalated',
          to: { userIds: [], selectors: step.to.flatMap(selectorKeys) },
          summary: `${task.kind} request is overdue and escalated to you (level ${task.escalationLevel})`,
        },
      });
    }
  }
  task.nextDeadlineAt = nextDeadline(task, policy, snap.apply, applyGraceMs);
  if (events.length === 0 && task.nextDeadlineAt === t.nextDeadlineAt)
    return { change: null, result: { events, value: undefined } };
  return { change: { task }, result: { events, value: undefined } };
}

/** Claim modes: the first run after quorum, an explicit retry, or recovery by the deadline processor. */
export type ClaimMode = 'first' | 'retry' | 'recover';

/**
 * Claims the right to run the applier. Exactly one caller gets `claimed: true` for a given attempt:
 * the claim moves the apply record to `running` under the row lock.
 */
export function claimApply(
  snap: ReviewSnapshot,
  input: { mode: ClaimMode; now: number; leaseMs: number; userId: string | null },
): Transition<{ claimed: boolean; attempt: number; staleFailed: boolean }> {
  const { task, apply } = snap;
  const none = {
    change: null,
    result: { events: [], value: { claimed: false, attempt: 0, staleFailed: false } },
  };
  if (input.mode === 'retry') {
    if (task.state !== 'approved' || !apply)
      throw new IntelGraphError(
        'INVALID_TRANSITION',
        `cannot retry the apply of a task that is ${task.state}`,
        {
          details: { taskId: task.id, from: task.state },
        },
      );
    if (apply.status === 'running' && (apply.leaseUntil ?? 0) > input.now)
      throw new IntelGraphError('CONFLICT', 'the apply is running', { details: { taskId: task.id } });
  } else if (task.state !== 'approved' || !apply) return none;
  if (!apply) return none;
  const policy = taskPolicy(task);
  if (input.mode === 'recover' && apply.status === 'running') {
    // A claim whose lease ran out: the process running it is gone or stuck. Never re-run automatically
    // (the applier may have acted); mark it failed so an operator retries it deliberately.
    if ((apply.leaseUntil ?? 0) > input.now) return none;
    const failed: ReviewApplyRecord = {
      ...apply,
      status: 'failed',
      leaseUntil: null,
      updatedAt: input.now,
      error: { code: 'UNAVAILABLE', message: 'the apply claim expired before it finished' },
    };
    const t = bump(task, input.now);
    t.nextDeadlineAt = nextDeadline(t, policy, failed, 0);
    return {
      change: { task: t, apply: failed },
      result: {
        events: [
          {
            type: 'review.apply_failed',
            actor: null,
            data: { attempt: apply.attempts, error: failed.error },
          },
        ],
        value: { claimed: false, attempt: apply.attempts, staleFailed: true },
      },
    };
  }
  const claimable =
    apply.status === 'pending' ||
    (input.mode === 'retry' && (apply.status === 'failed' || apply.status === 'running'));
  if (!claimable) return none;
  const running: ReviewApplyRecord = {
    ...apply,
    status: 'running',
    attempts: apply.attempts + 1,
    leaseUntil: input.now + input.leaseMs,
    updatedAt: input.now,
  };
  const t = bump(task, input.now);
  t.nextDeadlineAt = nextDeadline(t, policy, running, 0);
  return {
    change: { task: t, apply: running },
    result: {
      events: [
        {
          type: 'review.apply_started',
          actor: input.userId ? { userId: input.userId } : null,
          data: { attempt: running.attempts, idempotencyKey: running.idempotencyKey, mode: input.mode },
        },
      ],
      value: { claimed: true, attempt: running.attempts, staleFailed: false },
    },
  };
}

/**
 * Finishes a claimed apply: on success the task becomes `applied` together with the apply record; on
 * failure the task stays `approved` and the record keeps the error. A claim that is no longer current
 * (someone else re-claimed after the lease ran out) changes nothing.
 */
export function finishApply(
  snap: ReviewSnapshot,
  input: {
    attempt: number;
    now: number;
    outcome: { ok: true; result: JsonValue } | { ok: false; error: { code: string; message: string } };
  },
): Transition<{ current: boolean }> {
  const { task, apply } = snap;
  if (task.state !== 'approved' || !apply || apply.status !== 'running' || apply.attempts !== input.attempt)
    return { change: null, result: { events: [], value: { current: false } } };
  const t = bump(task, input.now);
  const done: ReviewApplyRecord = { ...apply, leaseUntil: null, updatedAt: input.now };
  const events: DomainEvent[] = [];
  if (input.outcome.ok) {
    move(task, 'applied', 'apply');
    t.state = 'applied';
    done.status = 'succeeded';
    done.result = input.outcome.result;
    done.error = null;
    events.push({
      type: 'review.applied',
      actor: null,
      data: { attempt: input.attempt, idempotencyKey: apply.idempotencyKey, result: input.outcome.result },
      notify: {
        type: 'task.applied',
        to: { userIds: [task.requester.userId], selectors: [] },
        summary: `${task.kind} request applied`,
      },
    });
  } else {
    done.status = 'failed';
    done.error = input.outcome.error;
    events.push({
      type: 'review.apply_failed',
      actor: null,
      data: { attempt: input.attempt, idempotencyKey: apply.idempotencyKey, error: input.outcome.error },
      notify: {
        type: 'task.apply_failed',
        to: { userIds: [task.requester.userId], selectors: [] },
        summary: `${task.kind} request was approved but applying it failed: ${input.outcome.error.message}`,
      },
    });
  }
  t.nextDeadlineAt = null;
  return { change: { task: t, apply: done }, result: { events, value: { current: true } } };
}
