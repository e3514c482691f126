import type {
  RequestPolicyChangeMutation,
  RequestPolicyChangeMutationVariables,
  ReviewAppealMutation,
  ReviewAppealMutationVariables,
  ReviewApproveMutation,
  ReviewApproveMutationVariables,
  ReviewAuditTrailQuery,
  ReviewAuditTrailQueryVariables,
  ReviewDenyMutation,
  ReviewDenyMutationVariables,
  ReviewQueueQuery,
  ReviewQueueQueryVariables,
  ReviewWithdrawMutation,
  ReviewWithdrawMutationVariables,
} from '../../generated/graphql.js';
import { operation } from '../client.js';

const TASK = /* GraphQL */ `
  fragment ReviewTaskFields on ReviewTask {
    id kind status createdAt dueAt overdue
    requester { id } approvers { id } reason payload reviewers escalationLevel
    quorum { met approvals denials denyThreshold rules { selectors count filled } }
    decisions { id outcome actor { id } at note }
    apply { status errorCode errorMessage }
    appealOf appealTask
  }
`;

export const REVIEW_QUEUE = operation<ReviewQueueQuery, ReviewQueueQueryVariables>(/* GraphQL */ `
  query ReviewQueue($scope: ReviewQueueScope, $first: Int, $order: ReviewQueueOrder = due) {
    reviewQueue(scope: $scope, first: $first, order: $order) { items { ...ReviewTaskFields } nextCursor }
  }
  ${TASK}
`);

export const REVIEW_AUDIT_TRAIL = operation<ReviewAuditTrailQuery, ReviewAuditTrailQueryVariables>(
  /* GraphQL */ `
  query ReviewAuditTrail($id: ID!) {
    reviewAuditTrail(id: $id) { verified events { seq at type actor { id } data hash } }
  }
`,
);

export const REQUEST_POLICY_CHANGE = operation<
  RequestPolicyChangeMutation,
  RequestPolicyChangeMutationVariables
>(/* GraphQL */ `
  mutation RequestPolicyChange($kind: String!, $payload: JSON!, $reason: String!, $evidence: [EvidenceInput!]) {
    requestPolicyChange(kind: $kind, payload: $payload, reason: $reason, evidence: $evidence) {
      ...ReviewTaskFields
    }
  }
  ${TASK}
`);

export const REVIEW_APPROVE = operation<ReviewApproveMutation, ReviewApproveMutationVariables>(
  /* GraphQL */ `
  mutation ReviewApprove($id: ID!, $note: String) { reviewApprove(id: $id, note: $note) { ...ReviewTaskFields } }
  ${TASK}
`,
);

export const REVIEW_DENY = operation<ReviewDenyMutation, ReviewDenyMutationVariables>(/* GraphQL */ `
  mutation ReviewDeny($id: ID!, $reason: String!) { reviewDeny(id: $id, reason: $reason) { ...ReviewTaskFields } }
  ${TASK}
`);

export const REVIEW_APPEAL = operation<ReviewAppealMutation, ReviewAppealMutationVariables>(/* GraphQL */ `
  mutation ReviewAppeal($id: ID!, $reason: String!) {
    reviewAppeal(id: $id, reason: $reason) { ...ReviewTaskFields }
  }
  ${TASK}
`);

export const REVIEW_WITHDRAW = operation<ReviewWithdrawMutation, ReviewWithdrawMutationVariables>(
  /* GraphQL */ `
  mutation ReviewWithdraw($id: ID!, $reason: String) {
    reviewWithdraw(id: $id, reason: $reason) { ...ReviewTaskFields }
  }
  ${TASK}
`,
);

/** Whose review tasks the queue lists. */
/** An attachment, sent as base64 (or plain UTF-8 text without `encoding`). */
export type { EvidenceInput, ReviewQueueScope as QueueScope } from '../../generated/graphql.js';
