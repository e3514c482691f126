// Who may see a task and the reads every operation starts with: an actor's selector keys, the policy
// in force for an org and kind, evidence storage, and loading a task (same org; visible to the actor).
import {
  type Actor,
  canonicalUserId,
  type EvidenceRef,
  IntelGraphError,
  type ReviewSnapshot,
} from '@intelgraph/core';
import type { z } from 'zod';
import { prepareEvidence } from '../evidence.js';
import { type Policy, validatePolicy } from '../policy.js';
import type { EvidenceListSchema, GovernanceContext } from './context.js';

/** The shared reads of the governance service (see {@link createAccess}). */
export type Access = ReturnType<typeof createAccess>;

/** Access checks and shared reads over a governance context. */
export function createAccess(ctx: GovernanceContext) {
  const { options, store, authorizer, basePolicies, evidenceMaxBytes } = ctx;

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
    // Another org's task answers exactly like a missing one: its existence is not another org's business.
    if (!snap || snap.task.orgId !== actor.orgId)
      throw new IntelGraphError('NOT_FOUND', `no review task ${taskId}`, { details: { taskId } });
    return snap;
  }

  async function canSee(actor: Actor, snap: ReviewSnapshot): Promise<boolean> {
    const t = snap.task;
    if (canonicalUserId(t.requester.userId) === actor.userId) return true;
    if (authorizer.allows(actor, 'governance.audit')) return true;
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

  return { actorKeys, effectivePolicy, storeEvidence, load, canSee, loadVisible };
}
