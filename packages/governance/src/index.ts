export type {
  EvidenceRef,
  ReviewApplyRecord,
  ReviewChange,
  ReviewDecisionRecord,
  ReviewNotification,
  ReviewNotificationType,
  ReviewNotifier,
  ReviewPolicyRecord,
  ReviewSnapshot,
  ReviewState,
  ReviewStore,
  ReviewTaskPage,
  ReviewTaskQuery,
  ReviewTaskRecord,
} from '@intelgraph/core';
export type { Condition, ConditionOperator } from './condition.js';
export { ConditionSchema, evaluateCondition } from './condition.js';
export type { ReviewCursor } from './cursor.js';
export { decodeReviewCursor, encodeReviewCursor } from './cursor.js';
export type { EvidenceInput, PreparedEvidence } from './evidence.js';
export { DEFAULT_EVIDENCE_MAX_BYTES, EvidenceInputSchema, prepareEvidence } from './evidence.js';
export type {
  Applier,
  ApplyContext,
  ApproveInput,
  Governance,
  GovernanceOptions,
  GovernanceOwner,
  QueueInput,
  QueuePage,
  ReasonInput,
  RequestInput,
  RequestOptions,
  TaskAuditTrail,
  TickReport,
} from './governance.js';
export { createGovernance, createGovernanceOwner } from './governance.js';
export type { MemoryNotifier } from './memory-notifier.js';
export { createMemoryNotifier } from './memory-notifier.js';
export { createMemoryReviewStore } from './memory-review-store.js';
export type { ApprovalRule, Policy, PolicyInput, ReviewerSelector } from './policy.js';
export { definePolicy, PolicySchema, validatePolicy } from './policy.js';
export type { PolicyChangePayload } from './policy-change.js';
export {
  POLICY_CHANGE_KIND,
  PolicyChangePayloadSchema,
  policyParamsSchema,
  proposePolicyChange,
} from './policy-change.js';
export type { QuorumTally } from './quorum.js';
export { tallyQuorum } from './quorum.js';
export type { ReviewApplyView, ReviewDecisionView, ReviewTaskView } from './task-view.js';
export { toTaskView } from './task-view.js';
export { LEGAL_TRANSITIONS } from './transitions.js';
export type { WebhookNotifierOptions } from './webhook-notifier.js';
export { createWebhookNotifier } from './webhook-notifier.js';
