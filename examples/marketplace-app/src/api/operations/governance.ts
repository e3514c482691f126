import { operation } from '../client.js';
import type { AuditEventEntry, JsonValue, ReviewTask } from '../types.js';

const TASK = `id kind status createdAt dueAt overdue
  requester { id } approvers { id } reason payload reviewers escalationLevel
  quorum { met approvals denials denyThreshold rules { selectors count filled } }
  decisions { id outcome actor { id } at note }
  apply { status errorCode errorMessage }
  appealOf appealTask`;

export type QueueScope = 'reviewable' | 'requested' | 'org';

export const REVIEW_QUEUE = operation<
  { reviewQueue: { items: ReviewTask[]; nextCursor: string | null } },
  { scope: QueueScope; first: number }
>(/* GraphQL */ `
  query ReviewQueue($scope: ReviewQueueScope, $first: Int, $order: ReviewQueueOrder = due) {
    reviewQueue(scope: $scope, first: $first, order: $order) { items { ${TASK} } nextCursor }
  }
`);

export const REVIEW_AUDIT_TRAIL = operation<
  { reviewAuditTrail: { verified: boolean; events: AuditEventEntry[] } },
  { id: string }
>(/* GraphQL */ `
  query ReviewAuditTrail($id: ID!) {
    reviewAuditTrail(id: $id) { verified events { seq at type actor { id } data hash } }
  }
`);

/** An attachment, sent as base64 (or plain UTF-8 text without `encoding`). */
export interface EvidenceInput {
  name: string;
  mediaType: string;
  content: string;
  encoding?: 'base64';
}

export const REQUEST_POLICY_CHANGE = operation<
  { requestPolicyChange: ReviewTask },
  { kind: string; payload: JsonValue; reason: string; evidence: EvidenceInput[] | null }
>(/* GraphQL */ `
  mutation RequestPolicyChange($kind: String!, $payload: JSON!, $reason: String!, $evidence: [EvidenceInput!]) {
    requestPolicyChange(kind: $kind, payload: $payload, reason: $reason, evidence: $evidence) { ${TASK} }
  }
`);

export const REVIEW_APPROVE = operation<{ reviewApprove: ReviewTask }, { id: string; note: string | null }>(
  /* GraphQL */ `
  mutation ReviewApprove($id: ID!, $note: String) { reviewApprove(id: $id, note: $note) { ${TASK} } }
`,
);

export const REVIEW_DENY = operation<{ reviewDeny: ReviewTask }, { id: string; reason: string }>(
  /* GraphQL */ `
  mutation ReviewDeny($id: ID!, $reason: String!) { reviewDeny(id: $id, reason: $reason) { ${TASK} } }
`,
);

export const REVIEW_APPEAL = operation<{ reviewAppeal: ReviewTask }, { id: string; reason: string }>(
  /* GraphQL */ `
  mutation ReviewAppeal($id: ID!, $reason: String!) { reviewAppeal(id: $id, reason: $reason) { ${TASK} } }
`,
);

export const REVIEW_WITHDRAW = operation<
  { reviewWithdraw: ReviewTask },
  { id: string; reason: string | null }
>(
  /* GraphQL */ `
  mutation ReviewWithdraw($id: ID!, $reason: String) { reviewWithdraw(id: $id, reason: $reason) { ${TASK} } }
`,
);
