export type { ContractGates, ContractRef } from './contract-gates.js';
export type { MigrationRuleRequest } from './contract-versions.js';
export type { EdgeRecordResult, EdgeResult } from './edges.js';
export type { AuditApi } from './facade/audit.js';
export type { ContractsApi } from './facade/contracts.js';
export type { FinOpsApi } from './facade/finops.js';
export type { GovernanceApi } from './facade/governance.js';
export type { GraphApi } from './facade/graph.js';
export type { CatalogStats, PluginsApi } from './facade/plugins.js';
export type {
  ExtensionHost,
  ExtensionHostOptions,
  GovernedOutcome,
  HealthReport,
  HostInternals,
  InstallOutcome,
} from './host.js';
export { createExtensionHost, DEFAULT_SANDBOX_POOL_SIZE } from './host.js';
export type { InstallRequestView, InstallStatus } from './install-requests.js';
export { createPlatformHostApi } from './platform-api.js';
export type { PluginRunError, PluginRunResult, RunBudgets } from './plugin-run.js';
export { defaultPolicies, HOST_REVIEW_KINDS } from './policies.js';
export type { ReplayDivergence, ReplayResult } from './replay.js';
export type { ReplayEnabled, ReplayPolicyOptions } from './replay-recorder.js';
export { createMemoryReplayStore } from './replay-store.js';
export type { HostKindPayload, HostOwnedKind } from './review-kinds.js';
export { HOST_OWNED_KIND_NAMES, HOST_OWNED_KINDS } from './review-kinds.js';
export type { HostDatabase, HostStores } from './stores.js';
export type { HostLogger } from './tracing.js';
export { hostTracer, TRACER_NAME } from './tracing.js';
export type {
  ContractVersionView,
  ContractView,
  DashboardView,
  KillSwitchView,
  PluginUsageView,
  QuotaView,
} from './views.js';
