export type { Actor } from './actor.js';
export {
  ActorSchema,
  canonicalActor,
  canonicalUserId,
  OrgIdSchema,
  parseOrgId,
  sameIdentity,
} from './actor.js';
export type {
  AuditActor,
  AuditBreakReason,
  AuditEvent,
  AuditEventInput,
  AuditVerification,
  VerifyAuditChainOptions,
} from './audit.js';
export {
  assertAuditChain,
  GENESIS_HASH,
  hashAuditEvent,
  linkAuditEvent,
  serializeAuditEvent,
  verifyAuditChain,
} from './audit.js';
export type {
  AuditExport,
  AuditExportFailure,
  AuditExportReport,
  VerifyAuditExportInput,
} from './audit-export.js';
export { checkpointExportLine, parseAuditExport, verifyAuditExport } from './audit-export.js';
export type { AuditCheckpointPolicy, AuditRecord, AuditTrail } from './audit-trail.js';
export { createAuditTrail, createMemoryAuditStore, isAuditLogStore } from './audit-trail.js';
export type { Authorizer, AuthorizerOptions, Permission, PermissionRule } from './authorizer.js';
export { createAuthorizer, DEFAULT_PERMISSIONS, PERMISSIONS } from './authorizer.js';
export type { AuditCheckpoint, AuditPublicKey, AuditWitness, SignedAuditCheckpoint } from './checkpoint.js';
export {
  auditKeyId,
  checkpointSigningBytes,
  signCheckpoint,
  verifyCheckpointSignature,
} from './checkpoint.js';
export type { AuditCheckpointer, AuditCheckpointerOptions, AuditInclusionProof } from './checkpointer.js';
export { createAuditCheckpointer } from './checkpointer.js';
export type { Clock, ManualClock } from './clock.js';
export { createManualClock, systemClock } from './clock.js';
export type { ErrorCode, IntelGraphErrorOptions } from './errors.js';
export {
  ERROR_CODES,
  HTTP_STATUS_BY_CODE,
  IntelGraphError,
  isIntelGraphError,
  toIntelGraphError,
} from './errors.js';
export type { IdSource } from './ids.js';
export { randomIds, sequentialIds } from './ids.js';
export type { JsonValue } from './json.js';
export { canonicalJson, digestJson, sha256Hex } from './json.js';
export type { Logger, LogLevel } from './logger.js';
export {
  inBackgroundSpan,
  logEvent,
  logFailure,
  noopLogger,
  packageTracer,
  reportBackgroundFailure,
  traceLogFields,
} from './logger.js';
export type { ManifestBudgets, PluginManifest, PluginManifestInput } from './manifest.js';
export {
  NetworkCapabilitySchema,
  PluginManifestSchema,
  parseManifest,
  SCOPE_PATTERN,
  validateManifest,
} from './manifest.js';
export type { MerkleNode, MerkleNodeReader, MerkleNodeRef, MerkleRange } from './merkle.js';
export {
  consistencyProof,
  consistencyProofRanges,
  createMerkleNodeReader,
  EMPTY_TREE_ROOT,
  inclusionProof,
  inclusionProofRanges,
  leafHash,
  merkleAppend,
  nodeHash,
  perfectSubtrees,
  rootHash,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';
export type { ParsedCaseUpdate } from './ports/cases-input.js';
export {
  caseNotFound,
  checkCaseNote,
  checkCaseUpdate,
  parseCaseCreate,
  parseCaseList,
  parseCaseNote,
  parseCaseRef,
  parseCaseUpdate,
} from './ports/cases-input.js';
export type { ParsedGraphNeighbors, ParsedGraphSearch, ParsedGraphUpsert } from './ports/graph-input.js';
export {
  compareCodePoints,
  decodeGraphCursor,
  graphEntityWords,
  graphRelationshipKey,
  graphSearchTerms,
  mergeGraphEntities,
  nextGraphCursor,
  parseGraphEntityId,
  parseGraphMerge,
  parseGraphNeighbors,
  parseGraphSearch,
  parseGraphUpsert,
} from './ports/graph-input.js';
export type * from './ports/index.js';
export type { WindowFrame } from './ports/quota-keys.js';
export {
  alertWindowStart,
  fixedWindowFrame,
  fixedWindowFrames,
  killSwitchKey,
  killSwitchKeysFor,
  quotaRuleKey,
  SLIDING_BUCKETS,
  SLIDING_WINDOW_MS,
} from './ports/quota-keys.js';
export type { ReviewCursor } from './ports/review-cursor.js';
export { decodeReviewCursor, encodeReviewCursor, REVIEW_NO_DUE_KEY } from './ports/review-cursor.js';
export type {
  Cost,
  HostCallRecord,
  PluginIdentity,
  Provenance,
  RunDeterminism,
  Usage,
} from './provenance.js';
export { emptyUsage } from './provenance.js';
export type { BackoffOptions, RetryDecision, RetryOptions } from './retry.js';
export { backoffDelay, retry } from './retry.js';
export type { ValidationIssue, ValidationResult } from './validation.js';
export { findDangerousKeys, issuesFromZod, parseInput, validateWith } from './validation.js';
export type { ContractVersionSpec, VersionRange } from './version-range.js';
export { acceptsContractVersion, parseVersionRange, versionInRange } from './version-range.js';
export type { WebhookDelivery, WebhookResult, WebhookSender, WebhookSenderOptions } from './webhook.js';
export { createWebhookSender, parseRetryAfter } from './webhook.js';
