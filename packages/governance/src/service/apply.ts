// Exactly-once apply: claim the task's apply, run the applier (the built-in policy change first for
// `policy_change`), record the outcome; and reading a task back as a view.
import { canonicalJson, IntelGraphError, type JsonValue, toIntelGraphError } from '@intelgraph/core';
import { z } from 'zod';
import type { ApplyContext } from '../governance.js';
import {
  POLICY_CHANGE_KIND,
  type PolicyChangePayload,
  PolicyChangePayloadSchema,
  proposePolicyChange,
} from '../policy-change.js';
import { type ReviewTaskView, toTaskView } from '../task-view.js';
import { type ClaimMode, claimApply, finishApply } from '../transitions.js';
import type { Access } from './access.js';
import type { GovernanceContext } from './context.js';
import type { Publish } from './publish.js';

/** Running appliers and reading tasks back (see {@link createApplying}). */
export type Applying = ReturnType<typeof createApplying>;

/** Apply and read-back over a governance context. */
export function createApplying(ctx: GovernanceContext, access: Access, publish: Publish) {
  const { options, store, clock, audit, applyLeaseMs } = ctx;
  const { effectivePolicy } = access;

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

  return { runApply, view };
}
