import type { ReviewTaskView } from '@intelgraph/governance';

/**
 * GraphQL SDL of the governance API: `ReviewTask`, `requestPolicyChange`, `reviewApprove`
 * and `reviewDeny`, plus `reviewAppeal`, `reviewWithdraw`, `reviewRetryApply` and the queue queries.
 * Resolvers live beside it in `@intelgraph/server/graphql`, which maps each field to a `host.governance` method. `DateTime` is ISO-8601; `JSON` is any JSON value.
 *
 * @example
 * ```ts
 * import { governanceTypeDefs } from '@intelgraph/server/graphql';
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

/** The shape of a `ReviewTask` GraphQL object, as {@link reviewTaskToGraphQL} builds it. */
export interface GraphQLReviewTask {
  id: string;
  kind: string;
  status: ReviewTaskView['state'];
  createdAt: string;
  dueAt: string | null;
  expiresAt: string | null;
  overdue: boolean;
  requester: { id: string };
  approvers: { id: string }[];
  evidence: string[];
  attachments: ReviewTaskView['evidence'];
  reason: string | null;
  payload: ReviewTaskView['payload'];
  reviewers: string[];
  escalationLevel: number;
  quorum: ReviewTaskView['quorum'];
  decisions: {
    id: string;
    outcome: string;
    actor: { id: string } | null;
    at: string;
    note: string | null;
    evidence: ReviewTaskView['evidence'];
  }[];
  apply: {
    status: string;
    idempotencyKey: string;
    attempts: number;
    errorCode: string | null;
    errorMessage: string | null;
    result: ReviewTaskView['payload'];
  } | null;
  appealOf: string | null;
  appealTask: string | null;
}

/**
 * Maps a {@link ReviewTaskView} to the `ReviewTask` object of {@link governanceTypeDefs}, so resolvers
 * stay one-liners and the mapping lives next to the schema.
 *
 * @example
 * ```ts
 * import { reviewTaskToGraphQL } from '@intelgraph/governance';
 * const resolvers = { Mutation: { reviewApprove: async (_: unknown, a: { id: string; note?: string }, ctx: Ctx) =>
 *   reviewTaskToGraphQL(await ctx.gov.approve(ctx.actor, a.id, { note: a.note })) } };
 * ```
 */
export function reviewTaskToGraphQL(view: ReviewTaskView): GraphQLReviewTask {
  return {
    id: view.id,
    kind: view.kind,
    status: view.state,
    createdAt: view.createdAt,
    dueAt: view.dueAt,
    expiresAt: view.expiresAt,
    overdue: view.overdue,
    requester: { id: view.requester.userId },
    approvers: view.decisions.flatMap((d) =>
      d.outcome === 'approve' && d.actor ? [{ id: d.actor.userId }] : [],
    ),
    evidence: view.evidence.map((e) => e.sha256),
    attachments: view.evidence,
    reason: view.reason,
    payload: view.payload,
    reviewers: view.reviewers,
    escalationLevel: view.escalationLevel,
    quorum: view.quorum,
    decisions: view.decisions.map((d) => ({
      id: d.id,
      outcome: d.outcome,
      actor: d.actor ? { id: d.actor.userId } : null,
      at: d.at,
      note: d.note,
      evidence: d.evidence,
    })),
    apply: view.apply
      ? {
          status: view.apply.status,
          idempotencyKey: view.apply.idempotencyKey,
          attempts: view.apply.attempts,
          errorCode: view.apply.error?.code ?? null,
          errorMessage: view.apply.error?.message ?? null,
          result: view.apply.result,
        }
      : null,
    appealOf: view.appealOf,
    appealTask: view.appealTaskId,
  };
}
