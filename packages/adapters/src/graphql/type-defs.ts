import { governanceTypeDefs } from '@intelgraph/governance';
import { moderationTypeDefs } from './moderation.js';

/**
 * The GraphQL SDL of the extension platform beyond governance: catalog and search, install and consent,
 * plugin runs with provenance and cost, contracts, FinOps and audit. Governance's own SDL
 * (`governanceTypeDefs`) supplies `ReviewTask`, the review mutations and the `DateTime`/`JSON` scalars.
 * Every argument is a variable; the acting user always comes from the server's context.
 *
 * @example
 * ```ts
 * import { typeDefs } from '@intelgraph/adapters/graphql';
 * console.log(typeDefs.join('\n')); // the full SDL, e.g. for codegen
 * ```
 */
export const platformTypeDefs = /* GraphQL */ `
enum RiskLevel {
  low
  medium
  high
}

enum SchemaFormat {
  json
  avro
}

enum CompatibilityMode {
  NONE
  BACKWARD
  BACKWARD_TRANSITIVE
  FORWARD
  FORWARD_TRANSITIVE
  FULL
  FULL_TRANSITIVE
}

enum GateMode {
  enforce
  warn
  off
}

enum ContractEdge {
  ingest
  export
}

enum QuotaResource {
  calls
  cpuMs
  rows
}

enum QuotaWindow {
  minute
  hour
  day
  month
}

enum QuotaMode {
  hard
  soft
}

enum KillSwitchScope {
  global
  org
  plugin
}

type Actor {
  userId: ID!
  orgId: ID!
  roles: [String!]!
}

type Capability {
  scope: String!
  "required or optional"
  kind: String!
  risk: RiskLevel!
  "the plugin's stated reason for asking"
  reason: String
}

type PluginVersion {
  version: String!
  publishedAt: DateTime!
  yanked: Boolean!
  risk: RiskLevel!
  codeSha256: String!
  capabilities: [Capability!]!
}

type Rating {
  pluginId: ID!
  userId: ID!
  stars: Int!
  review: String
  updatedAt: DateTime!
}

type Plugin {
  id: ID!
  name: String!
  description: String
  publisher: String!
  tags: [String!]!
  latestVersion: String!
  risk: RiskLevel!
  capabilities: [Capability!]!
  versions: [PluginVersion!]!
  "Bayesian weighted average (see the marketplace guide for the prior)"
  weightedRating: Float!
  ratingCount: Int!
  installCount: Int!
  inputSchema: JSON
  reviews(first: Int = 20): [Rating!]!
}

type SearchHit {
  plugin: Plugin!
  score: Float!
}

type Installation {
  pluginId: ID!
  version: String!
  pinned: Boolean!
  "disabled until the org re-consents to new required capabilities"
  status: String!
  grantedScopes: [String!]!
  requiredScopes: [String!]!
  optionalScopes: [String!]!
  installedAt: DateTime!
  installedBy: ID!
}

type InstallResult {
  "installed, or pending_review when governance must approve a high-risk install"
  status: String!
  installation: Installation
  reviewTask: ReviewTask
}

type GovernedResult {
  "applied, or pending_review when the change waits for approval"
  status: String!
  reviewTask: ReviewTask
}

type AbuseReport {
  id: ID!
  pluginId: ID!
  version: String
  category: String!
  createdAt: DateTime!
  "true when the version is now hidden from search pending review"
  hidden: Boolean!
}

type LogLine {
  level: String!
  at: DateTime!
  message: String!
}

type RunUsage {
  wallMs: Float!
  cpuMs: Float!
  heapBytes: Float!
  rows: Int!
  outputBytes: Int!
  logBytes: Int!
}

type RunBudgets {
  wallMs: Float
  cpuMs: Float
  memoryMB: Float
  rows: Int
  outputKB: Int
}

type HostCall {
  scope: String!
  method: String!
  rows: Int!
  ms: Float!
  ok: Boolean!
}

type PluginRef {
  id: ID!
  version: String!
  manifestSha256: String!
  codeSha256: String!
}

type Provenance {
  runId: ID!
  plugin: PluginRef!
  grantedScopes: [String!]!
  inputSha256: String!
  hostCalls: [HostCall!]!
  "graph entity ids the run touched through host calls"
  entities: [ID!]!
  outcome: String!
  startedAt: DateTime!
  endedAt: DateTime!
}

type CostLine {
  resource: String!
  quantity: Float!
  unitPrice: Float!
  amount: Float!
}

type Cost {
  currency: String!
  "in minor units (micro-dollars for USD)"
  amount: Float!
  lines: [CostLine!]!
}

type RunError {
  code: String!
  message: String!
  details: JSON
}

type PluginRunResult {
  ok: Boolean!
  value: JSON
  error: RunError
  logs: [LogLine!]!
  usage: RunUsage
  budgets: RunBudgets
  cost: Cost
  provenance: Provenance
}

type ContractIssue {
  code: String!
  path: String!
  message: String!
}

type ContractVersion {
  subject: String!
  version: Int!
  format: SchemaFormat!
  schema: JSON!
  fingerprint: String!
  createdAt: DateTime!
  deleted: Boolean!
}

type ContractEnforcement {
  edge: ContractEdge!
  mode: GateMode!
}

type ContractSubject {
  subject: String!
  format: SchemaFormat!
  compatibility: CompatibilityMode!
  latest: ContractVersion!
  versions: [ContractVersion!]!
  enforcement: [ContractEnforcement!]!
}

type SchemaChange {
  kind: String!
  path: String!
  message: String!
  "true when the change breaks the subject's compatibility mode"
  breaking: Boolean!
}

type ContractDiff {
  subject: String!
  from: ContractVersion!
  to: ContractVersion!
  changes: [SchemaChange!]!
  compatible: Boolean!
  issues: [ContractIssue!]!
}

type PatchOperation {
  op: String!
  path: String!
  from: String
  value: JSON
  reason: String!
  confidence: Float!
}

type RecordResult {
  index: Int!
  ok: Boolean!
  errors: [ContractIssue!]!
  warnings: [ContractIssue!]!
  patch: [PatchOperation!]!
  "the record with the patch applied, when a patch was suggested"
  patched: JSON
  "true when the patched record validates"
  patchValid: Boolean
}

type ContractTestResult {
  subject: String!
  version: Int!
  ok: Boolean!
  records: [RecordResult!]!
}

type IngestResult {
  "accepted, rejected, or pending_review (exports over the policy threshold)"
  status: String!
  accepted: Int!
  rejected: Int!
  records: [RecordResult!]!
  reviewTask: ReviewTask
}

type BudgetHint {
  pluginId: ID!
  runs: Int!
  cpuMsP50: Float
  cpuMsP95: Float
  rowsP50: Float
  rowsP95: Float
  "wall-clock time of this org's past runs that executed (refusals excluded)"
  wallMsP50: Float
  wallMsP95: Float
  expectedCost: Cost
  remaining: [QuotaRemaining!]!
}

type QuotaRemaining {
  resource: QuotaResource!
  window: QuotaWindow!
  limit: Float!
  used: Float!
  remaining: Float!
  resetAt: DateTime!
}

type Quota {
  id: ID!
  orgId: ID!
  pluginId: ID
  resource: QuotaResource!
  limit: Float!
  window: QuotaWindow!
  mode: QuotaMode!
  used: Float!
  resetAt: DateTime
}

type KillSwitch {
  scope: KillSwitchScope!
  target: String
  on: Boolean!
  reason: String
  actor: ID
  at: DateTime
}

type PluginUsage {
  pluginId: ID!
  "runs whose code executed (the basis of latency and cost)"
  runs: Int!
  "executed runs that failed"
  errors: Int!
  "runs refused before executing: kill switch, quota, not installed, input contract"
  denied: Int!
  p50Ms: Float
  p95Ms: Float
  cpuMs: Float!
  rows: Int!
  cost: Float!
}

type SeriesPoint {
  at: DateTime!
  value: Float!
}

type PluginSeries {
  pluginId: ID!
  points: [SeriesPoint!]!
}

type ContractCheckCount {
  subject: String!
  edge: ContractEdge!
  passed: Int!
  failed: Int!
}

type ApprovalSla {
  open: Int!
  overdue: Int!
  decided: Int!
  medianDecisionSeconds: Float
}

type FinOpsDashboard {
  currency: String!
  plugins: [PluginUsage!]!
  p95Series: [PluginSeries!]!
  quotas: [Quota!]!
  contractChecks: [ContractCheckCount!]!
  approvals: ApprovalSla!
  killSwitches: [KillSwitch!]!
}

type AuditTrailView {
  subject: String!
  events: [AuditEventEntry!]!
  verified: Boolean!
}

input CatalogFilter {
  capability: String
  risk: RiskLevel
  publisher: String
}

input QuotaInput {
  pluginId: ID
  resource: QuotaResource!
  limit: Float!
  window: QuotaWindow!
  mode: QuotaMode = hard
}

input PatchOperationInput {
  op: String!
  path: String!
  from: String
  value: JSON
}

extend type Query {
  me: Actor!
  "a trivial field, the floor for latency comparisons"
  ping: Boolean!
  catalog(filter: CatalogFilter): [Plugin!]!
  search(query: String!, filter: CatalogFilter, limit: Int = 20): [SearchHit!]!
  plugin(id: ID!): Plugin
  installations: [Installation!]!
  auditTrail(subject: String!, first: Int = 200): AuditTrailView!
  contracts: [ContractSubject!]!
  contract(subject: String!): ContractSubject
  contractDiff(subject: String!, from: Int!, to: Int!): ContractDiff!
  contractTest(subject: String!, version: Int, records: [JSON!]!): ContractTestResult!
  contractApplyPatch(subject: String!, version: Int, record: JSON!, patch: [PatchOperationInput!]!): RecordResult!
  usage: [PluginUsage!]!
  hint(pluginId: ID!): BudgetHint!
  quotas: [Quota!]!
  killSwitches: [KillSwitch!]!
  finopsDashboard: FinOpsDashboard!
}

extend type Mutation {
  pluginInstall(id: ID!, version: String, grant: [String!]): InstallResult!
  pluginGrant(id: ID!, scopes: [String!]!, reason: String): Installation!
  pluginRevoke(id: ID!, scopes: [String!]!, reason: String): Installation!
  pluginUninstall(id: ID!): Boolean!
  pluginRun(id: ID!, input: JSON!): PluginRunResult!
  pluginRate(id: ID!, stars: Int!, review: String): Rating!
  pluginReport(id: ID!, version: String, category: String!, reason: String!): AbuseReport!
  contractRegister(subject: String!, format: SchemaFormat!, schema: JSON!, compatibility: CompatibilityMode): ContractVersion!
  contractSetEnforcement(subject: String!, edge: ContractEdge!, mode: GateMode!, reason: String!): GovernedResult!
  ingest(subject: String!, batch: [JSON!]!): IngestResult!
  export(subject: String!, batch: [JSON!]!, destination: String): IngestResult!
  quotaSet(input: QuotaInput!): Quota!
  killSwitchSet(scope: KillSwitchScope!, target: String, on: Boolean!, reason: String!): KillSwitch!
}
`;

/** The complete SDL: governance's types followed by the platform's (moderation included). */
export const typeDefs: string[] = [governanceTypeDefs, platformTypeDefs, moderationTypeDefs];
