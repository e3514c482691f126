// Decisions on a task: approve and deny (reaching the quorum runs the apply once), appeal a denial,
// withdraw a pending request, and retry a failed apply.
import { type Actor, canonicalUserId, IntelGraphError, parseInput } from '@intelgraph/core';
import { z } from 'zod';
import type { Governance } from '../governance.js';
import type { ReviewTaskView } from '../task-view.js';
import { appealTask, decideTask, withdrawTask } from '../transitions.js';
import { EvidenceListSchema, type GovernanceDeps, parseActor, parseTaskId, TextSchema } from './context.js';

const ApproveSchema = z.object({ note: TextSchema(2000).optional(), evidence: EvidenceListSchema }).strict();
const ReasonSchema = z.object({ reason: TextSchema(2000), evidence: EvidenceListSchema }).strict();
const WithdrawSchema = z.object({ reason: TextSchema(2000).optional() }).strict();

/** The decision methods of {@link Governance}. */
export type DecisionMethods = Pick<Governance, 'approve' | 'deny' | 'appeal' | 'withdraw' | 'retryApply'>;

/** Decisions over the governance service's shared operations. */
export function createDecisions(deps: GovernanceDeps): DecisionMethods {
  const { store, clock, ids, applyGraceMs, authorizer } = deps;
  const { actorKeys, load, storeEvidence, publish, runApply, view } = deps;

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
        throw new IntelGraphError('NOT_FOUND', `no review task ${taskId}`, { details: { taskId } });
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
      const isAuditor = authorizer.allows(actor, 'governance.audit');
      if (
        !isAuditor &&
        canonicalUserId(snap.task.requester.userId) !== actor.userId &&
        !snap.decisions.some((d) => d.actor && canonicalUserId(d.actor.userId) === actor.userId)
      )
        throw new IntelGraphError(
          'FORBIDDEN',
          'only the requester, a reviewer or a holder of governance.audit may retry an apply',
          {
            details: { taskId },
          },
        );
      await runApply(taskId, 'retry', actor.userId);
      return view(taskId);
    },
  };
}
