// Result shapes of the operations in ./operations, mirroring the SDL of @intelgraph/server/graphql
// and @intelgraph/governance for the fields this app selects.

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type RiskLevel = 'low' | 'medium' | 'high';
export type GateMode = 'enforce' | 'warn' | 'off';
export type ContractEdge = 'ingest' | 'export';
export type KillSwitchScope = 'global' | 'org' | 'plugin';
export type ReviewState =
  | 'pending'
  | 'approved'
  | 'applied'
  | 'denied'
  | 'appealed'
  | 'expired'
  | 'withdrawn';

export interface Capability {
  scope: string;
  kind: string;
  risk: RiskLevel;
  reason: string | null;
}

export interface PluginVersion {
  version: string;
  publishedAt: string;
  yanked: boolean;
  risk: RiskLevel;
  codeSha256: string;
  capabilities: Capability[];
}

export interface Rating {
  userId: string;
  stars: number;
  review: string | null;
  updatedAt: string;
}

export interface PluginSummary {
  id: string;
  name: string;
  description: string | null;
  publisher: string;
  tags: string[];
  latestVersion: string;
  risk: RiskLevel;
  weightedRating: number;
  ratingCount: number;
  installCount: number;
  capabilities: Capability[];
}

export interface PluginDetail extends PluginSummary {
  versions: PluginVersion[];
  inputSchema: JsonValue | null;
  reviews: Rating[];
}

export interface Installation {
  pluginId: string;
  version: string;
  pinned: boolean;
  status: string;
  grantedScopes: string[];
  requiredScopes: string[];
  optionalScopes: string[];
  installedAt: string;
  installedBy: string;
}

/**
 * The contract version the host negotiated for one edge of an installation: the version the plugin is
 * served (`version`) beside the subject's current one, and the deprecation of the served version.
 */
export interface NegotiatedContract {
  edge: string;
  subject: string;
  version: number;
  currentVersion: number;
  deprecatedUntil: string | null;
  /** The served version's deprecation window ends soon (the server decides how soon). */
  windowClosing: boolean;
}

/** An installation with its negotiated contract versions (the installed list). */
export interface InstalledPlugin extends Installation {
  contracts: NegotiatedContract[];
}

export interface User {
  id: string;
}

export interface QuorumRule {
  selectors: string[];
  count: number;
  filled: number;
}

export interface ReviewDecision {
  id: string;
  outcome: string;
  actor: User | null;
  at: string;
  note: string | null;
}

export interface ReviewTask {
  id: string;
  kind: string;
  status: ReviewState;
  createdAt: string;
  dueAt: string | null;
  overdue: boolean;
  requester: User;
  approvers: User[];
  reason: string | null;
  payload: JsonValue;
  reviewers: string[];
  escalationLevel: number;
  quorum: { met: boolean; approvals: number; denials: number; denyThreshold: number; rules: QuorumRule[] };
  decisions: ReviewDecision[];
  apply: { status: string; errorCode: string | null; errorMessage: string | null } | null;
  appealOf: string | null;
  appealTask: string | null;
}

export interface InstallResult {
  status: string;
  installation: Installation | null;
  reviewTask: Pick<ReviewTask, 'id' | 'status'> | null;
}

export interface GovernedResult {
  status: string;
  reviewTask: Pick<ReviewTask, 'id' | 'status'> | null;
}

export interface AbuseReport {
  id: string;
  category: string;
  hidden: boolean;
}

export interface LogLine {
  level: string;
  at: string;
  message: string;
}

export interface RunUsage {
  wallMs: number;
  cpuMs: number;
  heapBytes: number;
  rows: number;
  outputBytes: number;
  logBytes: number;
}

export interface RunBudgets {
  wallMs: number | null;
  cpuMs: number | null;
  memoryMB: number | null;
  rows: number | null;
  outputKB: number | null;
}

export interface CostLine {
  resource: string;
  quantity: number;
  unitPrice: number;
  amount: number;
}

export interface Cost {
  currency: string;
  amount: number;
  lines: CostLine[];
}

export interface HostCall {
  scope: string;
  method: string;
  rows: number;
  ms: number;
  ok: boolean;
}

export interface Provenance {
  runId: string;
  plugin: { id: string; version: string; manifestSha256: string; codeSha256: string };
  grantedScopes: string[];
  inputSha256: string;
  hostCalls: HostCall[];
  entities: string[];
  outcome: string;
  startedAt: string;
  endedAt: string;
}

/** The answer of pluginRunReplay: identical, or where the replay first departed from the recorded run. */
export interface PluginRunReplay {
  runId: string;
  replayable: boolean;
  identical: boolean;
  outputSha256: string | null;
  recordedOutputSha256: string;
  reason: string | null;
  divergence: {
    kind: string;
    reason: string;
    index: number | null;
    path: string | null;
    recordedPath: string | null;
    outputPath: string | null;
  } | null;
}

export interface PluginRunResult {
  ok: boolean;
  value: JsonValue | null;
  error: { code: string; message: string; details: JsonValue | null } | null;
  logs: LogLine[];
  usage: RunUsage | null;
  budgets: RunBudgets | null;
  cost: Cost | null;
  provenance: Provenance | null;
}

export interface QuotaRemaining {
  resource: string;
  window: string;
  limit: number;
  used: number;
  remaining: number;
  resetAt: string;
}

export interface BudgetHint {
  pluginId: string;
  runs: number;
  cpuMsP50: number | null;
  cpuMsP95: number | null;
  rowsP50: number | null;
  rowsP95: number | null;
  wallMsP50: number | null;
  wallMsP95: number | null;
  expectedCost: Cost | null;
  remaining: QuotaRemaining[];
}

export interface ContractIssue {
  code: string;
  path: string;
  message: string;
}

export interface ContractVersion {
  subject: string;
  version: number;
  format: string;
  schema: JsonValue;
  fingerprint: string;
  createdAt: string;
  deleted: boolean;
  /** End of the version's deprecation window; null when it is not deprecated. */
  deprecatedUntil: string | null;
}

/**
 * A declarative transform between two adjacent versions of a subject: an upgrade (`to = from + 1`) or a
 * downgrade (`to = from - 1`), as JSON Patch operations applied where their source exists.
 */
export interface ContractMigrationRule {
  from: number;
  to: number;
  direction: string;
  description: string | null;
  operations: JsonValue;
}

export interface ContractSubject {
  subject: string;
  format: string;
  compatibility: string;
  latest: Pick<ContractVersion, 'version' | 'createdAt'>;
  versions: ContractVersion[];
  enforcement: { edge: ContractEdge; mode: GateMode }[];
  migrationRules: ContractMigrationRule[];
}

export interface SchemaChange {
  kind: string;
  path: string;
  message: string;
  breaking: boolean;
}

export interface ContractDiff {
  subject: string;
  from: ContractVersion;
  to: ContractVersion;
  changes: SchemaChange[];
  compatible: boolean;
  issues: ContractIssue[];
}

export interface PatchOperation {
  op: string;
  path: string;
  from: string | null;
  value: JsonValue | null;
  reason: string;
  confidence: number;
}

export interface RecordResult {
  index: number;
  ok: boolean;
  errors: ContractIssue[];
  warnings: ContractIssue[];
  patch: PatchOperation[];
  patched: JsonValue | null;
  patchValid: boolean | null;
}

export interface ContractTestResult {
  subject: string;
  version: number;
  ok: boolean;
  records: RecordResult[];
}

export interface IngestResult {
  status: string;
  accepted: number;
  rejected: number;
  records: RecordResult[];
  reviewTask: Pick<ReviewTask, 'id' | 'status'> | null;
}

export interface Quota {
  id: string;
  orgId: string;
  pluginId: string | null;
  resource: string;
  limit: number;
  window: string;
  mode: string;
  used: number;
  resetAt: string | null;
}

export interface KillSwitch {
  scope: KillSwitchScope;
  target: string | null;
  on: boolean;
  reason: string | null;
  actor: string | null;
  at: string | null;
}

export interface PluginUsage {
  pluginId: string;
  /** Runs that executed (the basis of latency and cost). */
  runs: number;
  /** Executed runs that failed. */
  errors: number;
  /** Runs refused before executing (kill switch, quota, input contract). */
  denied: number;
  p50Ms: number | null;
  p95Ms: number | null;
  cpuMs: number;
  rows: number;
  cost: number;
}

export interface FinOpsDashboard {
  currency: string;
  plugins: PluginUsage[];
  p95Series: { pluginId: string; points: { at: string; value: number }[] }[];
  quotas: Quota[];
  contractChecks: { subject: string; edge: ContractEdge; passed: number; failed: number }[];
  approvals: { open: number; overdue: number; decided: number; medianDecisionSeconds: number | null };
  killSwitches: KillSwitch[];
}

export interface AuditEventEntry {
  seq: number;
  at: string;
  type: string;
  actor: User | null;
  data: JsonValue | null;
  hash: string;
}

/** A subject's audit events (oldest first) and whether the whole hash chain verifies. */
export interface AuditTrailView {
  subject: string;
  events: AuditEventEntry[];
  verified: boolean;
}

export interface ModerationReport {
  id: string;
  category: string;
  details: string;
  reporterId: string;
  orgId: string;
  status: 'open' | 'upheld' | 'dismissed';
  createdAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

export interface ModerationItem {
  pluginId: string;
  version: string;
  hidden: boolean;
  hiddenReason: string | null;
  openReports: number;
  reportingOrgs: number;
  lastReportedAt: string | null;
  categories: { category: string; count: number }[];
  reports: ModerationReport[];
}

export interface ModerationResolution {
  pluginId: string;
  version: string;
  outcome: 'upheld' | 'dismissed';
  reason: string;
  reports: string[];
  moderator: string;
  at: string;
}

export interface ModerationQueue {
  items: ModerationItem[];
  recent: ModerationResolution[];
}
