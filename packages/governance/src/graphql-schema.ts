/**
 * GraphQL SDL of the governance API: the seed's `ReviewTask`, `requestPolicyChange`, `reviewApprove`
 * and `reviewDeny`, plus `reviewAppeal`, `reviewWithdraw`, `reviewRetryApply` and the queue queries.
 * Resolvers live in `@intelgraph/adapters/graphql`, which maps each field to a {@link Governance} method
 * (so imports keep pointing inward). `DateTime` is ISO-8601; `JSON` is any JSON value.
 *
 * @example
 * ```ts
 * import { governanceTypeDefs } from '@intelgraph/governance';
 * import { makeExecutableSchema } from '@graphql-tools/schema';
 * const schema = makeExecutableSchema({ typeDefs: [governanceTypeDefs], resolvers });
 * ```
 */
export const governanceTypeDefs = /* GraphQL */ `
scalar DateTime
scalar JSON

enum ReviewState {
  pending
  approved
  applied
  denied
  appealed
  expired
  withdrawn
}

enum ReviewQueueScope {
  reviewable
  requested
  org
}

enum ReviewQueueOrder {
  due
  created
}

type User {
  id: ID!
}

type Evidence {
  sha256: String!
  name: String!
  mediaType: String!
  size: Int!
}

input EvidenceInput {
  name: String!
  mediaType: String!
  "UTF-8 text, or base64 when encoding is base64"
  content: String!
  encoding: String
}

type ReviewDecision {
  id: ID!
  outcome: String!
  "null when the policy decided by itself"
  actor: User
  at: DateTime!
  note: String
  evidence: [Evidence!]!
}

type QuorumRule {
  selectors: [String!]!
  count: Int!
  filled: Int!
}

type Quorum {
  met: Boolean!
  rules: [QuorumRule!]!
  approvals: Int!
  denials: Int!
  denyThreshold: Int!
}

type ReviewApply {
  status: String!
  idempotencyKey: String!
  attempts: Int!
  errorCode: String
  errorMessage: String
  result: JSON
}

type ReviewTask {
  id: ID!
  kind: String!
  status: ReviewState!
  createdAt: DateTime!
  dueAt: DateTime
  expiresAt: DateTime
  overdue: Boolean!
  requester: User!
  "users who approved so far"
  approvers: [User!]!
  "SHA-256 of each attachment"
  evidence: [String!]!
  attachments: [Evidence!]!
  reason: String
  payload: JSON!
  reviewers: [String!]!
  escalationLevel: Int!
  quorum: Quorum!
  decisions: [ReviewDecision!]!
  apply: ReviewApply
  appealOf: ID
  appealTask: ID
}

type ReviewTaskPage {
  items: [ReviewTask!]!
  nextCursor: String
}

type AuditEventEntry {
  seq: Int!
  at: DateTime!
  type: String!
  actor: User
  data: JSON
  hash: String!
}

type ReviewAuditTrail {
  events: [AuditEventEntry!]!
  verified: Boolean!
}

type Query {
  reviewTask(id: ID!): ReviewTask
  reviewQueue(
    scope: ReviewQueueScope = reviewable
    states: [ReviewState!]
    kinds: [String!]
    dueBefore: DateTime
    overdue: Boolean
    order: ReviewQueueOrder
    first: Int = 50
    after: String
  ): ReviewTaskPage!
  reviewAuditTrail(id: ID!): ReviewAuditTrail!
}

type Mutation {
  requestPolicyChange(kind: String!, payload: JSON!, reason: String!, evidence: [EvidenceInput!]): ReviewTask!
  reviewApprove(id: ID!, note: String, evidence: [EvidenceInput!]): ReviewTask!
  reviewDeny(id: ID!, reason: String!, evidence: [EvidenceInput!]): ReviewTask!
  reviewAppeal(id: ID!, reason: String!, evidence: [EvidenceInput!]): ReviewTask!
  reviewWithdraw(id: ID!, reason: String): ReviewTask!
  reviewRetryApply(id: ID!): ReviewTask!
}
`;
