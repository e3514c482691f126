// Reading tasks: one task, a queue page, an attachment's bytes, the policy in force, and a task's
// audit events with the chain's verification.
import { type AuditEvent, IntelGraphError, parseInput } from '@intelgraph/core';
import { z } from 'zod';
import type { Governance } from '../governance.js';
import { type ReviewTaskView, toTaskView } from '../task-view.js';
import { type GovernanceDeps, parseActor, parseTaskId } from './context.js';

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

/** The read methods of {@link Governance}. */
export type QueryMethods = Pick<Governance, 'get' | 'queue' | 'evidence' | 'policy' | 'auditTrail'>;

/** Reads over the governance service's shared operations. */
export function createQueries(deps: GovernanceDeps): QueryMethods {
  const { store, clock, audit, authorizer } = deps;
  const { actorKeys, effectivePolicy, loadVisible } = deps;

  return {
    async get(actorInput, taskIdInput) {
      const actor = parseActor(actorInput);
      const snap = await loadVisible(actor, parseTaskId(taskIdInput));
      return toTaskView(snap, clock.now());
    },

    async queue(actorInput, input = {}) {
      const actor = parseActor(actorInput);
      const q = parseInput(QueueSchema, input, 'queue query');
      if (q.scope === 'org') authorizer.require(actor, 'governance.audit', 'listing every task of an org');
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
