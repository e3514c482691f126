export type {
  CompatibilityMode,
  SchemaFormat,
  SchemaRegistryStore,
  SchemaVersionRecord,
} from '@intelgraph/core';
export type { ContractAuditEvent, ContractAuditHook } from './audit-hook.js';
export { auditTrailHook } from './audit-hook.js';
export type { CliIo } from './cli-program.js';
export { runContractsCli } from './cli-program.js';
export type { CompatibilityOptions, CompatibilityResult } from './compatibility.js';
export {
  COMPATIBILITY_MODES,
  checkCompatibility,
  checkCompatibilityWithHistory,
  isTransitive,
} from './compatibility.js';
export type { CompiledContract, ContractCache } from './compiled-contract.js';
export { compileContract, createContractCache } from './compiled-contract.js';
export type { DeprecatedField } from './deprecation.js';
export type { DiffOptions } from './diff.js';
export { diffSchemas } from './diff.js';
export { schemaFingerprint } from './fingerprint.js';
export type {
  ContractGate,
  ContractGateOptions,
  DecisionSummary,
  GateDecision,
  GateEdge,
  GateMode,
  RecordFinding,
} from './gate.js';
export { AUDIT_PATH_CHARS, auditPath, createContractGate, decisionSummary } from './gate.js';
export type { ContractIssue, ContractResult } from './issue.js';
export { toJsonPointer } from './issue.js';
export { CONTRACT_LIMITS } from './limits.js';
export type { MappingPatchOperation, MappingPatchSuggestion, PatchTarget } from './mapping-patch.js';
export { applyMappingPatch, nameSimilarity, suggestMappingPatch } from './mapping-patch.js';
export { createMemoryMigrationRuleStore, createMemorySchemaStore } from './memory-store.js';
export type {
  MigrationOperation,
  MigrationResult,
  MigrationRule,
  MigrationRuleInput,
  MigrationRules,
  MigrationRulesOptions,
  MigrationStep,
} from './migration-rules.js';
export { applyMigrationOperations, createMigrationRules } from './migration-rules.js';
export type { RecordDecision } from './record-decision.js';
export { decideRecord, suggestRecordPatch } from './record-decision.js';
export type {
  RegisteredSchema,
  RegistrationResult,
  ResolvedContract,
  SchemaDefinition,
  SchemaRegistry,
  SchemaRegistryOptions,
} from './registry.js';
export { createSchemaRegistry } from './registry.js';
export type { SchemaChange, SchemaChangeKind } from './schema-change.js';
