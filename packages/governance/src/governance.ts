import {
  type Actor,
  ActorSchema,
  type AuditEvent,
  type AuditTrail,
  type AuditVerification,
  type Clock,
  canonicalActor,
  canonicalJson,
  canonicalUserId,
  createAuditTrail,
  createMemoryAuditStore,
  type EvidenceRef,
  findDangerousKeys,
  type IdSource,
  IntelGraphError,
  type JsonValue,
  parseInput,
  type ReviewNotifier,
  type ReviewSnapshot,
  type ReviewState,
  type ReviewStore,
  randomIds,
  systemClock,
  toIntelGraphError,
} from '@intelgraph/core';
import { z } from 'zod';
import { EvidenceInputSchema, MAX_EVIDENCE_ITEMS, prepareEvidence } from './evidence.js';
import { createMemoryReviewStore } from './memory-review-store.js';
import { type Policy, type PolicyInput, validatePolicy } from './policy.js';
import {
  POLICY_CHANGE_KIND,
  type PolicyChangePayload,
  PolicyChangePayloadSchema,
  proposePolicyChange,
} from './policy-change.js';
import { type ReviewTaskView, toTaskView } from './task-view.js';
import {
  appealTask,
  type ClaimMode,
  claimApply,
  type DomainEvent,
  decideTask,
  finishApply,
  openTask,
  processDeadline,
  withdrawTask,
} from './transitions.js';

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
  /** Default: an in-memory hash-chained trail. */
  audit?: AuditTrail;
  /** The groups an actor belongs to (for `{ group }` selectors). Default: none. */
  groups?: (actor: Actor) => readonly string[] | Promise<readonly string[]>;
  /** Roles that may see every task of their org (queues with `scope: 'org'`, any task's audit). */
  auditorRoles?: readonly string[];
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
  /** `reviewable` (default): tasks the actor may decide now. `requested`: the actor's own requests. `org`: all (auditor roles only). */
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
  /** A page of tasks: those the actor may decide (default), the actor's own requests, or the whole org (auditors). */
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

const TaskIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.:-]+$/u);
const TextSchema = (max: number) => z.string().trim().min(1).max(max);
const EvidenceListSchema = z.array(EvidenceInputSchema).max(MAX_EVIDENCE_ITEMS).optional();
const RequestSchema = z
  .object({
    kind: z.string().min(1).max(64),
    payload: z.json(),
    reason: TextSchema(2000).optional(),
    evidence: EvidenceListSchema,
  })
  .strict();
const ApproveSchema = z.object({ note: TextSchema(2000).optional(), evidence: EvidenceListSchema }).strict();
const ReasonSchema = z.object({ reason: TextSchema(2000), evidence: EvidenceListSchema }).strict();
const WithdrawSchema = z.object({ reason: TextSchema(2000).optional() }).strict();
const QueueSchema = z
  .object({
    scope: z.enum(['reviewable', 'requested', 'org']).default('reviewable'),
    states: z
      .array(z.enum(['pending', 'approved', 'applied', 'denied', 'appealed', 'expired', 'withdrawn']))
      .max(7)
      .optional(),
    kinds: z.array(z.string().min(1).max(64)).max(50).optional(),
    dueBefore: z.iso.datetime().optional(),
    overdue: z.boolean().optional(),
    order: z.enum(['due', 'created']).optional(),
    cursor: z.string().max(500).optional(),
    limit: z.number().int().min(1).max(200).default(50),
  })
  .strict();
const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/u);

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
  const store = options.store ?? createMemoryReviewStore();
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const audit = options.audit ?? createAuditTrail({ store: createMemoryAuditStore(), clock, ids });
  const notifier = options.notifier;
  const auditorRoles = new Set(options.auditorRoles ?? ['admin', 'auditor']);
  const evidenceMaxBytes = options.evidenceMaxBytes ?? 5 * 1024 * 1024;
  const payloadMaxBytes = options.payloadMaxBytes ?? 256 * 1024;
  const applyLeaseMs = options.applyLeaseMs ?? 5 * 60_000;
  const applyGraceMs = options.applyGraceMs ?? 60_000;

  const basePolicies = new Map<string, Policy>();
  const issues: { code: string; path: (string | number)[]; message: string }[] = [];
  for (const [i, p] of options.policies.entries()) {
    const r = validatePolicy(p);
    if (!r.ok) issues.push(...r.issues.map((x) => ({ ...x, path: ['policies', i, ...x.path] })));
    else if (basePolicies.has(r.value.kind))
      issues.push({
        code: 'duplicate',
        path: ['policies', i, 'kind'],
        message: `two policies for ${r.value.kind}`,
      });
    else basePolicies.set(r.value.kind, r.value);
  }
  for (const kind of basePolicies.keys())
    if (kind !== POLICY_CHANGE_KIND && typeof options.appliers[kind] !== 'function')
      issues.push({
        code: 'missing_applier',
        path: ['appliers', kind],
        message: `no applier for kind ${kind}`,
      });
  if (issues.length > 0)
    throw new IntelGraphError('INVALID_INPUT', `invalid governance options: ${issues[0]?.message ?? ''}`, {
      details: { issues },
    });

  // Identities are compared in canonical form (RFC-033): the actor is canonicalised once, here.
  const parseActor = (actor: unknown): Actor => canonicalActor(parseInput(ActorSchema, actor, 'actor'));
  const owned = new Set(options.ownedKinds?.kinds ?? []);
  const ownerToken = options.ownedKinds?.owner;
  const parseTaskId = (id: unknown): string => parseInput(TaskIdSchema, id, 'task id');

  async function actorKeys(actor: Actor): Promise<string[]> {
    const groups = options.groups ? await options.groups(actor) : [];
    return [
      `user:${actor.userId}`,
      ...actor.roles.map((r) => `role:${r}`),
      ...groups.map((g) => `group:${g}`),
    ];
  }

  async function effectivePolicy(
    orgId: string,
    kind: string,
  ): Promise<{ policy: Policy; version: number } | null> {
    const base = basePolicies.get(kind);
    if (!base) return null;
    const override = await store.getPolicy(orgId, kind);
    if (!override) return { policy: base, version: 1 };
    const r = validatePolicy(override.definition);
    if (!r.ok)
      throw new IntelGraphError('INTERNAL', `stored policy ${kind} v${override.version} is invalid`, {
        details: { issues: r.issues },
      });
    return { policy: r.value, version: override.version };
  }

  async function storeEvidence(inputs: z.output<typeof EvidenceListSchema>): Promise<EvidenceRef[]> {
    const prepared = prepareEvidence(inputs ?? [], evidenceMaxBytes);
    // Content-addressed and idempotent: a failed operation leaves at most unreferenced bytes behind.
    for (const p of prepared) await store.putEvidence(p.ref, p.bytes);
    return prepared.map((p) => p.ref);
  }

  async function load(actor: Actor, taskId: string): Promise<ReviewSnapshot> {
    const snap = await store.get(taskId);
    if (!snap) throw new IntelGraphError('NOT_FOUND', `no review task ${taskId}`, { details: { taskId } });
    if (snap.task.orgId !== actor.orgId)
      throw new IntelGraphError('FORBIDDEN', 'the task belongs to another org', { details: { taskId } });
    return snap;
  }

  async function canSee(actor: Actor, snap: ReviewSnapshot): Promise<boolean> {
    const t = snap.task;
    if (canonicalUserId(t.requester.userId) === actor.userId) return true;
    if (actor.roles.some((r) => auditorRoles.has(r))) return true;
    if (snap.decisions.some((d) => d.actor && canonicalUserId(d.actor.userId) === actor.userId)) return true;
    const keys = await actorKeys(actor);
    return keys.some((k) => t.reviewerSelectors.includes(k));
  }

  async function loadVisible(actor: Actor, taskId: string): Promise<ReviewSnapshot> {
    const snap = await load(actor, taskId);
    if (!(await canSee(actor, snap)))
      throw new IntelGraphError('FORBIDDEN', 'neither requester, reviewer nor auditor of this task', {
        details: { taskId },
      });
    return snap;
  }

  async function publish(
    orgId: string,
    taskId: string,
    snapshot: ReviewSnapshot | null,
    events: DomainEvent[],
  ): Promise<void> {
    for (const e of events) {
      await audit.record({
        type: e.type,
        actor: e.actor ? { userId: e.actor.userId, orgId } : null,
        subject: `task:${taskId}`,
        orgId,
        data: { taskId, ...e.data },
      });
      if (!e.notify || !notifier || !snapshot) continue;
      const t = snapshot.task;
      try {
        await notifier.notify({
          id: ids.next('ntf'),
          type: e.notify.type,
          orgId,
          taskId,
          kind: t.kind,
          state: t.state,
          at: new Date(clock.now()).toISOString(),
          to: e.notify.to,
          dueAt: t.dueAt === null ? null : new Date(t.dueAt).toISOString(),
          summary: e.notify.summary,
        });
      } catch (err) {
        // The decision is committed; a failed delivery is recorded, never propagated.
        const error = toIntelGraphError(err, 'UNAVAILABLE');
        await audit.record({
          type: 'review.notification_failed',
          actor: null,
          subject: `task:${taskId}`,
          orgId,
          data: {
            taskId,
            notification: e.notify.type,
            error: { code: error.code, message: error.message.slice(0, 500) },
          },
        });
      }
    }
  }

  function assertNoDangerousKeys(input: unknown): void {
    const dangerous = findDangerousKeys(input);
    if (dangerous.length > 0)
      throw new IntelGraphError('INVALID_INPUT', `invalid request: ${dangerous[0]?.message ?? ''}`, {
        details: { issues: dangerous.map((d) => ({ ...d, path: ['payload', ...d.path] })) },
      });
  }

  function plainRequest(input: unknown): Record<string, unknown> | null {
    if (typeof input !== 'object' || input === null) return null;
    const sent: Record<string, unknown> = { ...(input as Record<string, unknown>) };
    if (!('payload' in sent)) return sent;
    try {
      // structuredClone reads every property once and keeps own `__proto__` keys as data; what it cannot
      // copy (a Proxy, a function) is not JSON either.
      sent.payload = structuredClone(sent.payload);
    } catch {
      throw new IntelGraphError('INVALID_INPUT', 'invalid request: payload must be plain JSON data', {
        details: { issues: [{ code: 'invalid_type', path: ['payload'], message: 'not plain JSON data' }] },
      });
    }
    return sent;
  }

  function assertPayloadSize(payload: JsonValue): void {
    const size = Buffer.byteLength(canonicalJson(payload), 'utf8');
    if (size > payloadMaxBytes)
      throw new IntelGraphError('PAYLOAD_TOO_LARGE', `payload exceeds ${payloadMaxBytes} bytes`, {
        details: { path: ['payload'], limit: payloadMaxBytes, observed: size },
      });
  }

  function toJsonResult(value: unknown): JsonValue {
    if (value === undefined) return null;
    const r = z.json().safeParse(value);
    if (!r.success) return null;
    return Buffer.byteLength(canonicalJson(r.data), 'utf8') > 64 * 1024 ? { truncated: true } : r.data;
  }

  async function applyPolicyChange(task: ReviewTaskView): Promise<JsonValue> {
    const payload = PolicyChangePayloadSchema.parse(task.payload) as PolicyChangePayload;
    const current = await effectivePolicy(task.orgId, payload.kind);
    if (!current) throw new IntelGraphError('NOT_FOUND', `no policy for kind ${payload.kind}`);
    const next = proposePolicyChange(current.policy, payload);
    const stored = await store.putPolicy({
      orgId: task.orgId,
      kind: payload.kind,
      version: current.version + 1,
      definition: next as unknown as JsonValue,
      taskId: task.id,
      createdAt: clock.now(),
    });
    await audit.record({
      type: 'policy.changed',
      actor: null,
      subject: `policy:${payload.kind}`,
      orgId: task.orgId,
      data: {
        taskId: task.id,
        kind: payload.kind,
        version: stored.version,
        previousVersion: current.version,
      },
    });
    return { kind: payload.kind, version: stored.version };
  }

  async function runApply(
    taskId: string,
    mode: ClaimMode,
    userId: string | null,
  ): Promise<'applied' | 'failed' | 'none' | 'stale'> {
    const claim = await store.update(taskId, (s) =>
      claimApply(s, { mode, now: clock.now(), leaseMs: applyLeaseMs, userId }),
    );
    if (!claim) return 'none';
    const { snapshot, result } = claim;
    await publish(snapshot.task.orgId, taskId, snapshot, result.events);
    if (result.value.staleFailed) return 'stale';
    if (!result.value.claimed || !snapshot.apply) return 'none';
    const attempt = result.value.attempt;
    const view = toTaskView(snapshot, clock.now());
    const context: ApplyContext = { idempotencyKey: snapshot.apply.idempotencyKey, attempt };
    let outcome: { ok: true; result: JsonValue } | { ok: false; error: { code: string; message: string } };
    try {
      let value: unknown;
      if (view.kind === POLICY_CHANGE_KIND) {
        value = await applyPolicyChange(view);
        const extra = options.appliers[POLICY_CHANGE_KIND];
        if (extra) await extra(view, context);
      } else {
        const applier = options.appliers[view.kind];
        if (!applier) throw new IntelGraphError('INTERNAL', `no applier for kind ${view.kind}`);
        value = await applier(view, context);
      }
      outcome = { ok: true, result: toJsonResult(value) };
    } catch (err) {
      const e = toIntelGraphError(err);
      outcome = { ok: false, error: { code: e.code, message: e.message.slice(0, 1000) } };
    }
    const fin = await store.update(taskId, (s) => finishApply(s, { attempt, now: clock.now(), outcome }));
    if (fin) await publish(fin.snapshot.task.orgId, taskId, fin.snapshot, fin.result.events);
    return outcome.ok ? 'applied' : 'failed';
  }

  async function view(taskId: string): Promise<ReviewTaskView> {
    const snap = await store.get(taskId);
    if (!snap) throw new IntelGraphError('NOT_FOUND', `no review task ${taskId}`);
    return toTaskView(snap, clock.now());
  }

  async function decide(
    actorInput: Actor,
    taskIdInput: string,
    outcome: 'approve' | 'deny',
    note: string | null,
    evidenceInput: z.output<typeof EvidenceListSchema>,
  ): Promise<ReviewTaskView> {
    const actor = parseActor(actorInput);
    const taskId = parseTaskId(taskIdInput);
    await load(actor, taskId);
    const keys = await actorKeys(actor);
    const evidence = await storeEvidence(evidenceInput);
    const r = await store.update(taskId, (s) => {
      if (s.task.orgId !== actor.orgId)
        throw new IntelGraphError('FORBIDDEN', 'the task belongs to another org');
      return decideTask(s, {
        actor: { userId: actor.userId, roles: actor.roles },
        actorKeys: keys,
        outcome,
        note,
        evidence,
        decisionId: ids.next('dec'),
        now: clock.now(),
        applyGraceMs,
      });
    });
    if (!r) throw new IntelGraphError('NOT_FOUND', `no review task ${taskId}`);
    await publish(actor.orgId, taskId, r.snapshot, r.result.events);
    if (r.result.value.expired)
      throw new IntelGraphError('INVALID_TRANSITION', `cannot ${outcome} a task that is expired`, {
        details: { taskId, from: 'expired', action: outcome },
      });
    if (outcome === 'approve' && r.result.value.quorum) await runApply(taskId, 'first', actor.userId);
    return view(taskId);
  }

  return {
    async request(actorInput, input, requestOptions = {}) {
      const actor = parseActor(actorInput);
      // Read the input once, into plain data, so the key check and zod see the same payload (a getter or
      // Proxy could otherwise answer the check clean and zod with an own `__proto__` key).
      const sent = plainRequest(input);
      // Before zod: rebuilding an object would turn an own `__proto__` key into a prototype.
      assertNoDangerousKeys(sent?.payload);
      const parsed = parseInput(RequestSchema, sent ?? input, 'request');
      if (owned.has(parsed.kind) && (ownerToken === undefined || requestOptions.owner !== ownerToken))
        throw new IntelGraphError(
          'FORBIDDEN',
          `requests of kind ${parsed.kind} are opened only by the operation that owns them`,
          { details: { kind: parsed.kind, reason: 'owned_kind' } },
        );
      const payload = parsed.payload as JsonValue;
      assertPayloadSize(payload);
      // A policy change also needs the policy it targets: both lookups in one round trip.
      const change =
        parsed.kind === POLICY_CHANGE_KIND
          ? (parseInput(PolicyChangePayloadSchema, payload, 'policy change payload') as PolicyChangePayload)
          : null;
      const [found, target] = await Promise.all([
        effectivePolicy(actor.orgId, parsed.kind),
        change ? effectivePolicy(actor.orgId, change.kind) : null,
      ]);
      if (!found)
        throw new IntelGraphError('INVALID_INPUT', `no policy governs requests of kind ${parsed.kind}`, {
          details: {
            issues: [{ code: 'unknown_kind', path: ['kind'], message: `unknown kind ${parsed.kind}` }],
          },
        });
      const { policy, version } = found;
      if (policy.requireReason.request && !parsed.reason)
        throw new IntelGraphError('INVALID_INPUT', 'this policy requires a reason with every request', {
          details: { issues: [{ code: 'required', path: ['reason'], message: 'a reason is required' }] },
        });
      if (policy.evidenceRequired && (parsed.evidence ?? []).length === 0)
        throw new IntelGraphError('INVALID_INPUT', 'this policy requires evidence with every request', {
          details: { issues: [{ code: 'required', path: ['evidence'], message: 'evidence is required' }] },
        });
      if (change) {
        if (!target)
          throw new IntelGraphError('INVALID_INPUT', `no policy of kind ${change.kind} to change`, {
            details: {
              issues: [
                { code: 'unknown_kind', path: ['payload', 'kind'], message: `unknown kind ${change.kind}` },
              ],
            },
          });
        proposePolicyChange(target.policy, change);
      }
      const evidence = await storeEvidence(parsed.evidence);
      const taskId = ids.next('task');
      const opened = openTask({
        id: taskId,
        orgId: actor.orgId,
        kind: parsed.kind,
        payload,
        reason: parsed.reason ?? null,
        requester: { userId: actor.userId, roles: actor.roles },
        evidence,
        policy,
        policyVersion: version,
        now: clock.now(),
        decisionId: ids.next('dec'),
        applyGraceMs,
      });
      await store.create(opened.snapshot);
      await publish(actor.orgId, taskId, opened.snapshot, opened.events);
      if (opened.autoApproved) {
        await runApply(taskId, 'first', null);
        return view(taskId);
      }
      // The task as created (no decision or apply yet): no need to read it back.
      return toTaskView(opened.snapshot, clock.now());
    },

    async approve(actor, taskId, input = {}) {
      const parsed = parseInput(ApproveSchema, input, 'approval');
      return decide(actor, taskId, 'approve', parsed.note ?? null, parsed.evidence);
    },

    async deny(actor, taskId, input) {
      const parsed = parseInput(ReasonSchema, input, 'denial');
      return decide(actor, taskId, 'deny', parsed.reason, parsed.evidence);
    },

    async appeal(actorInput, taskIdInput, input) {
      const actor = parseActor(actorInput);
      const taskId = parseTaskId(taskIdInput);
      const parsed = parseInput(ReasonSchema, input, 'appeal');
      await load(actor, taskId);
      const evidence = await storeEvidence(parsed.evidence);
      const appealId = ids.next('task');
      const r = await store.update(taskId, (s) =>
        appealTask(s, {
          actor: { userId: actor.userId, roles: actor.roles },
          reason: parsed.reason,
          evidence,
          appealTaskId: appealId,
          now: clock.now(),
          applyGraceMs,
        }),
      );
      if (!r) throw new IntelGraphError('NOT_FOUND', `no review task ${taskId}`);
      await publish(actor.orgId, taskId, r.snapshot, r.result.events);
      const opened = r.result.value;
      await publish(actor.orgId, appealId, opened.snapshot, opened.events);
      return view(appealId);
    },

    async withdraw(actorInput, taskIdInput, input = {}) {
      const actor = parseActor(actorInput);
      const taskId = parseTaskId(taskIdInput);
      const parsed = parseInput(WithdrawSchema, input, 'withdrawal');
      await load(actor, taskId);
      const r = await store.update(taskId, (s) =>
        withdrawTask(s, { userId: actor.userId, reason: parsed.reason ?? null, now: clock.now() }),
      );
      if (!r) throw new IntelGraphError('NOT_FOUND', `no review task ${taskId}`);
      await publish(actor.orgId, taskId, r.snapshot, r.result.events);
      if (r.snapshot.task.state === 'expired')
        throw new IntelGraphError('INVALID_TRANSITION', 'cannot withdraw a task that is expired', {
          details: { taskId, from: 'expired', action: 'withdraw' },
        });
      return view(taskId);
    },

    async retryApply(actorInput, taskIdInput) {
      const actor = parseActor(actorInput);
      const taskId = parseTaskId(taskIdInput);
      const snap = await load(actor, taskId);
      const isAuditor = actor.roles.some((r) => auditorRoles.has(r));
      if (
        !isAuditor &&
        canonicalUserId(snap.task.requester.userId) !== actor.userId &&
        !snap.decisions.some((d) => d.actor && canonicalUserId(d.actor.userId) === actor.userId)
      )
        throw new IntelGraphError(
          'FORBIDDEN',
          'only the requester, a reviewer or an admin may retry an apply',
          {
            details: { taskId },
          },
        );
      await runApply(taskId, 'retry', actor.userId);
      return view(taskId);
    },

    async get(actorInput, taskIdInput) {
      const actor = parseActor(actorInput);
      const snap = await loadVisible(actor, parseTaskId(taskIdInput));
      return toTaskView(snap, clock.now());
    },

    async queue(actorInput, input = {}) {
      const actor = parseActor(actorInput);
      const q = parseInput(QueueSchema, input, 'queue query');
      if (q.scope === 'org' && !actor.roles.some((r) => auditorRoles.has(r)))
        throw new IntelGraphError('FORBIDDEN', 'listing every task of an org needs an auditor role');
      const now = clock.now();
      const page = await store.listTasks({
        orgId: actor.orgId,
        ...(q.scope === 'reviewable'
          ? {
              eligible: { userId: actor.userId, selectors: await actorKeys(actor) },
              states: q.states ?? ['pending'],
            }
          : q.states
            ? { states: q.states }
            : {}),
        ...(q.scope === 'requested' ? { requesterId: actor.userId } : {}),
        ...(q.kinds ? { kinds: q.kinds } : {}),
        ...(q.dueBefore ? { dueBefore: Date.parse(q.dueBefore) } : {}),
        ...(q.overdue ? { overdueAt: now } : {}),
        order: q.order ?? (q.scope === 'reviewable' ? 'due' : 'created'),
        ...(q.cursor ? { cursor: q.cursor } : {}),
        limit: q.limit,
      });
      const items: ReviewTaskView[] = [];
      for (const t of page.items) {
        const snap = await store.get(t.id);
        if (snap) items.push(toTaskView(snap, now));
      }
      return { items, nextCursor: page.nextCursor };
    },

    async evidence(actorInput, taskIdInput, sha256) {
      const actor = parseActor(actorInput);
      const hash = parseInput(Sha256Schema, sha256, 'sha256');
      const snap = await loadVisible(actor, parseTaskId(taskIdInput));
      const ref =
        snap.task.evidence.find((e) => e.sha256 === hash) ??
        snap.decisions.flatMap((d) => d.evidence).find((e) => e.sha256 === hash);
      if (!ref)
        throw new IntelGraphError('NOT_FOUND', 'no such evidence on this task', {
          details: { sha256: hash },
        });
      const bytes = await store.getEvidence(hash);
      if (!bytes)
        throw new IntelGraphError('NOT_FOUND', 'the evidence bytes are missing', {
          details: { sha256: hash },
        });
      return { ref, bytes };
    },

    async policy(actorInput, kind) {
      const actor = parseActor(actorInput);
      const k = parseInput(z.string().min(1).max(64), kind, 'kind');
      const found = await effectivePolicy(actor.orgId, k);
      if (!found) throw new IntelGraphError('NOT_FOUND', `no policy for kind ${k}`);
      return found;
    },

    async tick(tickOptions = {}) {
      const limit = parseInput(z.number().int().min(1).max(1000), tickOptions.limit ?? 100, 'limit');
      const now = clock.now();
      const report: TickReport = {
        examined: 0,
        expired: 0,
        warned: 0,
        escalated: 0,
        applied: 0,
        staleFailed: 0,
      };
      for (const t of await store.listDeadlines(now, limit)) {
        report.examined += 1;
        if (t.state === 'approved') {
          const outcome = await runApply(t.id, 'recover', null);
          if (outcome === 'applied' || outcome === 'failed') report.applied += 1;
          if (outcome === 'stale') report.staleFailed += 1;
          continue;
        }
        const r = await store.update(t.id, (s) => processDeadline(s, now, applyGraceMs), {
          skipLocked: true,
        });
        if (!r) continue;
        for (const e of r.result.events) {
          if (e.type === 'review.expired') report.expired += 1;
          if (e.type === 'review.sla_warning') report.warned += 1;
          if (e.type === 'review.escalated') report.escalated += 1;
        }
        await publish(r.snapshot.task.orgId, t.id, r.snapshot, r.result.events);
      }
      return report;
    },

    async auditTrail(taskIdInput, actorInput) {
      const taskId = parseTaskId(taskIdInput);
      if (actorInput !== undefined) await loadVisible(parseActor(actorInput), taskId);
      const events: AuditEvent[] = [];
      let afterSeq: number | undefined;
      for (;;) {
        const page = await audit.list({
          subject: `task:${taskId}`,
          limit: 1000,
          ...(afterSeq === undefined ? {} : { afterSeq }),
        });
        events.push(...page);
        if (page.length < 1000) break;
        afterSeq = page.at(-1)?.seq;
      }
      const verification = await audit.verify();
      return { events, verified: verification.ok, verification };
    },
  };
}
