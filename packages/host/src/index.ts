export type { ContractGates, ContractRef } from './contract-gates.js';
export { createContractGates } from './contract-gates.js';
export type { MigrationRuleRequest } from './contract-versions.js';
export { DeprecateVersionInput, MigrationRuleRequestInput } from './contract-versions.js';
export type { EdgeDeps, EdgeRecordResult, EdgeResult } from './edges.js';
export { runEdge } from './edges.js';
export type {
  ExtensionHost,
  ExtensionHostOptions,
  GovernedOutcome,
  HealthReport,
  InstallOutcome,
} from './host.js';
export { createExtensionHost, DEFAULT_SANDBOX_POOL_SIZE } from './host.js';
export type { InstallRequestView, InstallStatus } from './install-requests.js';
export { createPlatformHostApi } from './platform-api.js';
export type { PluginRunDeps, PluginRunError, PluginRunResult, RunBudgets } from './plugin-run.js';
export { runPlugin } from './plugin-run.js';
export { defaultPolicies, HOST_REVIEW_KINDS } from './policies.js';
export type { ReplayDeps, ReplayDivergence, ReplayResult } from './replay.js';
export { replayRun } from './replay.js';
export type { ReplayEnabled, ReplayPolicy, ReplayPolicyOptions } from './replay-recorder.js';
export { DEFAULT_REPLAY_ROLES } from './replay-recorder.js';
export { createMemoryReplayStore } from './replay-store.js';
export type { HostKindPayload, HostOwnedKind } from './review-kinds.js';
export { HOST_OWNED_KIND_NAMES, HOST_OWNED_KINDS } from './review-kinds.js';
export type { RunGuard, RunGuardOptions, RunGuards } from './run-guard.js';
export { createRunGuards } from './run-guard.js';
export type { HostDatabase, HostStores, ResolvedStores } from './stores.js';
export { resolveStores } from './stores.js';
export type { HostLogger } from './tracing.js';
export { hostTracer, TRACER_NAME } from './tracing.js';
export type {
  ContractVersionView,
  ContractView,
  DashboardView,
  HostViews,
  KillSwitchView,
  PluginUsageView,
  QuotaView,
} from './views.js';
export { createViews } from './views.js';
