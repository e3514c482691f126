import { type Actor, IntelGraphError, parseInput } from '@intelgraph/core';
import type {
  ApproveInput,
  EvidenceRef,
  Policy,
  QueueInput,
  QueuePage,
  ReasonInput,
  RequestInput,
  ReviewTaskView,
  TaskAuditTrail,
} from '@intelgraph/governance';
import { z } from 'zod';
import { NameSchema } from '../inputs.js';
import { HOST_REVIEW_KINDS } from '../policies.js';
import { HOST_OWNED_KINDS } from '../review-kinds.js';
import { actorOf, type GovernedOutcome, governed, type HostContext } from './context.js';

/**
 * `host.governance`: governed requests and their reviews. Governance decides who may see and decide a
 * task (its policy's approvers, the requester, and `governance.audit` for the whole org); another org's
 * task is `NOT_FOUND`, like a missing one.
 *
 * @example
 * ```ts
 * const task = await host.governance.request(analyst, { kind: 'policy_change', reason: 'tighten', payload });
 * await host.governance.approve(admin, task.id, { note: 'ok' });
 * ```
 */
export interface GovernanceApi {
  /**
   * Opens a governed request of a kind the host does not own (`policy_change`, your own kinds). The
   * host's own kinds (`HOST_OWNED_KINDS`) are opened only by their operations: `FORBIDDEN` here.
   */
  request(actor: Actor, input: RequestInput): Promise<ReviewTaskView>;
  /** Records an approval; the quorum's last one applies the change (once). */
  approve(actor: Actor, taskId: string, input?: ApproveInput): Promise<ReviewTaskView>;
  /** Records a denial (a reason is required). */
  deny(actor: Actor, taskId: string, input: ReasonInput): Promise<ReviewTaskView>;
  /** The requester appeals a denied task; returns the linked appeal task. */
  appeal(actor: Actor, taskId: string, input: ReasonInput): Promise<ReviewTaskView>;
  /** The requester withdraws a pending task. */
  withdraw(actor: Actor, taskId: string, input?: { reason?: string }): Promise<ReviewTaskView>;
  /** Runs the applier again for an approved task whose apply failed. */
  retryApply(actor: Actor, taskId: string): Promise<ReviewTaskView>;
  /** One task, for its requester, its reviewers and auditors. */
  get(actor: Actor, taskId: string): Promise<ReviewTaskView>;
  /** A page of tasks: those the actor may decide (default), the actor's own requests, or the whole org. */
  queue(actor: Actor, input?: QueueInput): Promise<QueuePage>;
  /** The bytes of an attachment of a task the actor may see. */
  evidence(actor: Actor, taskId: string, sha256: string): Promise<{ ref: EvidenceRef; bytes: Uint8Array }>;
  /** The policy in force for the actor's org and a kind, with its version. */
  policy(actor: Actor, kind: string): Promise<{ policy: Policy; version: number }>;
  /** A task's audit events and whether the chain verifies (for those who may see the task). */
  auditTrail(actor: Actor, taskId: string): Promise<TaskAuditTrail>;
  /** Merges two graph entities of the actor's org, through governance. */
  mergeEntities(
    actor: Actor,
    input: { survivorId: string; mergedId: string; reason: string },
  ): Promise<GovernedOutcome>;
}

const MergeInput = z
  .object({ survivorId: NameSchema, mergedId: NameSchema, reason: z.string().trim().min(1).max(2000) })
  .strict();

/** Creates `host.governance` over the host's context. */
export function createGovernanceApi(ctx: HostContext): GovernanceApi {
  const { governance, graph, owner } = ctx;
  // Governance answers another org's task exactly like a missing one (NOT_FOUND): its id tells nothing.
  const inOrg = async (raw: unknown, taskIdInput: unknown): Promise<[Actor, string]> => [
    actorOf(raw),
    parseInput(NameSchema, taskIdInput, 'taskId'),
  ];
  return {
    // Never with the owner token: the host's own kinds are refused here (FORBIDDEN).
    request: async (actor, input) => governance.request(actorOf(actor), input),
    approve: async (actor, id, input) => governance.approve(...(await inOrg(actor, id)), input),
    deny: async (actor, id, input) => governance.deny(...(await inOrg(actor, id)), input),
    appeal: async (actor, id, input) => governance.appeal(...(await inOrg(actor, id)), input),
    withdraw: async (actor, id, input) => governance.withdraw(...(await inOrg(actor, id)), input),
    retryApply: async (actor, id) => governance.retryApply(...(await inOrg(actor, id))),
    get: async (actor, id) => governance.get(...(await inOrg(actor, id))),
    queue: async (actor, input) => governance.queue(actorOf(actor), input),
    policy: async (actor, kind) => governance.policy(actorOf(actor), kind),
    evidence: async (actor, id, sha256) => governance.evidence(...(await inOrg(actor, id)), sha256),
    auditTrail: async (actor, id) => {
      const [who, taskId] = await inOrg(actor, id);
      return governance.auditTrail(taskId, who);
    },
    mergeEntities: async (actorInput, raw) => {
      const actor = actorOf(actorInput);
      const input = parseInput(MergeInput, raw, 'merge');
      const payload = parseInput(
        HOST_OWNED_KINDS.entityMerge.payload,
        { survivorId: input.survivorId, mergedId: input.mergedId },
        'merge',
      );
      const orgGraph = graph.forOrg(actor.orgId);
      for (const id of [payload.survivorId, payload.mergedId]) {
        if (!(await orgGraph.getEntity(id))) throw new IntelGraphError('NOT_FOUND', `no entity ${id}`);
      }
      const task = await governance.request(
        actor,
        { kind: HOST_REVIEW_KINDS.entityMerge, reason: input.reason, payload },
        { owner },
      );
      return governed(task);
    },
  };
}
