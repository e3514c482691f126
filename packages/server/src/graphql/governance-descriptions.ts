import type { GraphQLNamedType, GraphQLSchema } from 'graphql';

// Descriptions for the governance SDL (`governanceTypeDefs` in @intelgraph/governance), which has few of
// its own. Applied only where governance gives none, so its own descriptions win once it has them.
const DESCRIPTIONS: Readonly<Record<string, string>> = {
  DateTime: 'ISO-8601 date-time, e.g. 2026-01-31T12:00:00.000Z',
  JSON: 'Any JSON value',
  ReviewState: 'Where a review task is in its life.',
  'ReviewState.pending': 'waiting for decisions',
  'ReviewState.approved': 'quorum met; the change is being applied',
  'ReviewState.applied': 'approved and applied exactly once',
  'ReviewState.denied': 'denied (with a reason); may be appealed',
  'ReviewState.appealed': 'denied, then appealed to fresh reviewers (see appealTask)',
  'ReviewState.expired': 'no decision before it expired',
  'ReviewState.withdrawn': 'withdrawn by its requester',
  ReviewQueueScope: 'Which tasks reviewQueue lists.',
  'ReviewQueueScope.reviewable': 'tasks the caller may decide',
  'ReviewQueueScope.requested': "the caller's own requests",
  'ReviewQueueScope.org': "every task of the caller's org",
  ReviewQueueOrder: 'The order of reviewQueue.',
  'ReviewQueueOrder.due': 'soonest due first',
  'ReviewQueueOrder.created': 'newest first',
  User: 'A user, by id.',
  'User.id': "the user's id",
  Evidence: 'A file attached to a review.',
  'Evidence.sha256': 'SHA-256 of the content',
  'Evidence.name': 'file name',
  'Evidence.mediaType': 'media type, e.g. application/pdf',
  'Evidence.size': 'size in bytes',
  EvidenceInput: 'A file to attach to a review.',
  'EvidenceInput.name': 'file name',
  'EvidenceInput.mediaType': 'media type',
  'EvidenceInput.encoding': 'utf8 (default) or base64',
  ReviewDecision: 'One decision on a review task.',
  'ReviewDecision.id': "the decision's id",
  'ReviewDecision.outcome': 'approve, deny, or a policy outcome',
  'ReviewDecision.at': 'when it was made',
  'ReviewDecision.note': "the approver's note or the denial's reason",
  'ReviewDecision.evidence': 'files attached with the decision',
  QuorumRule: 'One rule of a quorum: how many approvals from which reviewers.',
  'QuorumRule.selectors': 'who may fill it: role:<name> or user:<id>',
  'QuorumRule.count': 'approvals needed',
  'QuorumRule.filled': 'approvals so far',
  Quorum: "A review task's quorum and where it stands.",
  'Quorum.met': 'true when every rule is filled',
  'Quorum.rules': 'the rules',
  'Quorum.approvals': 'approvals so far',
  'Quorum.denials': 'denials so far',
  'Quorum.denyThreshold': 'denials that deny the task',
  ReviewApply: 'How applying an approved change went.',
  'ReviewApply.status': 'pending, applied or failed',
  'ReviewApply.idempotencyKey': 'the key that makes the apply happen exactly once',
  'ReviewApply.attempts': 'attempts so far',
  'ReviewApply.errorCode': 'the error code of the last failed attempt',
  'ReviewApply.errorMessage': 'its message',
  'ReviewApply.result': 'what the apply returned',
  ReviewTask: 'A governed change waiting for (or past) its approvals.',
  'ReviewTask.id': "the task's id",
  'ReviewTask.kind': 'what it changes, e.g. policy_change, plugin_install, export',
  'ReviewTask.status': 'where it is in its life',
  'ReviewTask.createdAt': 'when it was requested',
  'ReviewTask.dueAt': 'when its SLA is due',
  'ReviewTask.expiresAt': 'when it expires undecided',
  'ReviewTask.overdue': 'true when past dueAt and still pending',
  'ReviewTask.requester': 'who requested it',
  'ReviewTask.attachments': 'the evidence files',
  'ReviewTask.reason': "the requester's reason",
  'ReviewTask.payload': 'the change itself',
  'ReviewTask.reviewers': 'who may decide it (role:<name> or user:<id>)',
  'ReviewTask.escalationLevel': 'how many times it escalated to backup approvers',
  'ReviewTask.quorum': 'its quorum and where it stands',
  'ReviewTask.decisions': 'every decision, oldest first',
  'ReviewTask.apply': 'how applying it went, once approved',
  'ReviewTask.appealOf': 'the denied task this one appeals',
  'ReviewTask.appealTask': 'the appeal filed against this task',
  ReviewTaskPage: 'A page of review tasks.',
  'ReviewTaskPage.items': 'the tasks',
  'ReviewTaskPage.nextCursor': 'pass as after for the next page; null on the last',
  AuditEventEntry: 'One event of the hash-chained audit log.',
  'AuditEventEntry.seq': 'its position in the chain',
  'AuditEventEntry.at': 'when it happened',
  'AuditEventEntry.type': 'what happened, e.g. plugin.installed',
  'AuditEventEntry.actor': 'who did it; null for the system',
  'AuditEventEntry.data': "the event's facts",
  'AuditEventEntry.hash': 'SHA-256 linking it to the previous event',
  ReviewAuditTrail: "A review task's audit events, with the hash chain checked.",
  'ReviewAuditTrail.events': 'the events, oldest first',
  'ReviewAuditTrail.verified': 'true when the hash chain verifies',
  Query: 'Reads. Every field needs a signed-in actor and is scoped to its org.',
  'Query.reviewTask': 'one review task; null when unknown or of another org',
  'Query.reviewQueue': 'review tasks, filtered (first: default 50, at most 200)',
  'Query.reviewAuditTrail': "a review task's audit events",
  Mutation: 'Writes. Every field needs a signed-in actor; the actor never comes from arguments.',
  'Mutation.requestPolicyChange': 'asks to change a policy (its params, or the whole policy)',
  'Mutation.reviewApprove': 'approves a task (never your own request)',
  'Mutation.reviewDeny': 'denies a task, with a reason',
  'Mutation.reviewAppeal': 'appeals a denial to fresh reviewers',
  'Mutation.reviewWithdraw': 'withdraws your own pending request',
  'Mutation.reviewRetryApply': 'retries a failed apply of an approved task',
};

interface Describable {
  description?: string | null | undefined;
}

// By shape, not `instanceof`: the schema may come from another copy of graphql-js.
function memberOf(type: GraphQLNamedType, name: string): Describable | null | undefined {
  if ('getFields' in type) return type.getFields()[name];
  if ('getValue' in type) return type.getValue(name);
  return undefined;
}

/** Fills in the governance SDL's missing descriptions on a built schema (in place). */
export function describeGovernanceTypes(schema: GraphQLSchema): GraphQLSchema {
  for (const [key, text] of Object.entries(DESCRIPTIONS)) {
    const [typeName, member] = key.split('.');
    const type = typeName === undefined ? undefined : schema.getType(typeName);
    if (!type) continue;
    const target: Describable | null | undefined = member === undefined ? type : memberOf(type, member);
    if (target && !target.description) target.description = text;
  }
  return schema;
}
