// The app's names for the result types it uses. Every shape comes from src/generated/graphql.ts, which
// `pnpm codegen` writes from the platform SDL (packages/server/schema.graphql) and the operations in
// ./operations; nothing here is typed by hand.
import type {
  AuditTrailQuery,
  ContractsQuery,
  FinOpsDashboardQuery,
  HintQuery,
  InstalledPluginsQuery,
  ModerationQueueQuery,
  PluginQuery,
  PluginRunMutation,
  PluginRunReplayMutation,
} from '../generated/graphql.js';

export type {
  CapabilityFieldsFragment as Capability,
  ContractEdge,
  ContractIssueFieldsFragment as ContractIssue,
  ContractVersionFieldsFragment as ContractVersion,
  GateMode,
  InstallationFieldsFragment as Installation,
  InstallResultFieldsFragment as InstallResult,
  KillSwitchFieldsFragment as KillSwitch,
  KillSwitchScope,
  ModerationItemFieldsFragment as ModerationItem,
  PluginSummaryFieldsFragment as PluginSummary,
  RecordResultFieldsFragment as RecordResult,
  ReviewState,
  ReviewTaskFieldsFragment as ReviewTask,
  RiskLevel,
} from '../generated/graphql.js';
export type { JsonValue } from './json.js';

export type PluginDetail = NonNullable<PluginQuery['plugin']>;
export type PluginVersion = PluginDetail['versions'][number];
export type InstalledPlugin = InstalledPluginsQuery['installations'][number];
/** The contract version the host negotiated for one edge of an installation. */
export type NegotiatedContract = InstalledPlugin['contracts'][number];
export type PluginRunResult = PluginRunMutation['pluginRun'];
/** The answer of pluginRunReplay: identical, or where the replay first departed from the recorded run. */
export type PluginRunReplay = PluginRunReplayMutation['pluginRunReplay'];
export type BudgetHint = HintQuery['hint'];
/** A subject's audit events (oldest first) and whether the whole hash chain verifies. */
export type AuditTrailView = AuditTrailQuery['auditTrail'];
export type AuditEventEntry = AuditTrailView['events'][number];
export type ContractSubject = ContractsQuery['contracts'][number];
export type ContractMigrationRule = ContractSubject['migrationRules'][number];
export type FinOpsDashboard = FinOpsDashboardQuery['finopsDashboard'];
export type ModerationResolution = ModerationQueueQuery['moderationQueue']['recent'][number];
