import { governanceTypeDefs } from '@intelgraph/governance';
import { moderationTypeDefs } from './moderation.js';
import { replayTypeDefs } from './replay.js';

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
"How much a capability scope (or a version's set of scopes) could do with an org's data."
enum RiskLevel {
  "read-only scopes over non-sensitive data"
  low
  "scopes that read sensitive data or write non-sensitive data"
  medium
  "scopes that write cases, export data or reach the network; installing needs a review"
  high
}

"The schema language of a data contract."
enum SchemaFormat {
  "JSON Schema (draft 2020-12)"
  json
  "Apache Avro"
  avro
}

"Which schema changes a contract subject accepts (Confluent Schema Registry semantics)."
enum CompatibilityMode {
  "any change"
  NONE
  "new readers read data written with the previous version"
  BACKWARD
  "new readers read data written with every earlier version"
  BACKWARD_TRANSITIVE
  "previous readers read data written with the new version"
  FORWARD
  "every earlier reader reads data written with the new version"
  FORWARD_TRANSITIVE
  "BACKWARD and FORWARD against the previous version"
  FULL
  "BACKWARD and FORWARD against every earlier version"
  FULL_TRANSITIVE
}

"What a contract gate does with a record that does not conform."
enum GateMode {
  "reject the batch; nothing is written"
  enforce
  "accept, and record the violation"
  warn
  "do not check"
  off
}

"Where a contract is checked."
enum ContractEdge {
  "data coming into the graph"
  ingest
  "data leaving it"
  export
}

"What a quota counts."
enum QuotaResource {
  "plugin runs"
  calls
  "CPU milliseconds of plugin runs"
  cpuMs
  "rows read or written through host calls"
  rows
}

"The window a quota's counter resets after."
enum QuotaWindow {
  "a calendar minute"
  minute
  "a calendar hour"
  hour
  "a calendar day (UTC)"
  day
  "a calendar month (UTC)"
  month
}

"What happens when a quota is used up."
enum QuotaMode {
  "refuse further runs with QUOTA_EXCEEDED"
  hard
  "allow them, and alert"
  soft
}

"What a kill switch stops."
enum KillSwitchScope {
  "every plugin run on this host"
  global
  "every run of the caller's org"
  org
  "every run of one plugin"
  plugin
}

"The signed-in user, as the host's auth hook resolved them."
type Actor {
  "the user's id"
  userId: ID!
  "the org the user acts for; every read and write is scoped to it"
  orgId: ID!
  "the user's roles in that org (e.g. admin, steward)"
  roles: [String!]!
}

"A capability scope a plugin asks for."
type Capability {
  "the scope, e.g. graph:read"
  scope: String!
  "required or optional"
  kind: String!
  "how much the scope could do"
  risk: RiskLevel!
  "the plugin's stated reason for asking"
  reason: String
}

"One published version of a plugin."
type PluginVersion {
  "semantic version"
  version: String!
  "when it was published"
  publishedAt: DateTime!
  "true when the publisher withdrew it: no new install or range resolves to it"
  yanked: Boolean!
  "the risk of its capability set"
  risk: RiskLevel!
  "SHA-256 of the signed package (manifest, signature and files)"
  codeSha256: String!
  "the capabilities this version asks for"
  capabilities: [Capability!]!
}

"A user's rating of a plugin."
type Rating {
  "the rated plugin"
  pluginId: ID!
  "who rated it"
  userId: ID!
  "1 to 5"
  stars: Int!
  "the review text, if any"
  review: String
  "when the rating was last changed"
  updatedAt: DateTime!
}

"A plugin of the marketplace catalog."
type Plugin {
  "the plugin's name, unique in the marketplace"
  id: ID!
  "display name"
  name: String!
  "what the plugin does"
  description: String
  "the publisher id that owns the name"
  publisher: String!
  "search tags"
  tags: [String!]!
  "the newest installable version"
  latestVersion: String!
  "the risk of the latest version's capabilities"
  risk: RiskLevel!
  "the latest version's capabilities"
  capabilities: [Capability!]!
  "published versions, newest first (first: default 20, at most 100)"
  versions(first: Int = 20): [PluginVersion!]!
  "Bayesian weighted average (see the marketplace guide for the prior)"
  weightedRating: Float!
  "how many ratings it has"
  ratingCount: Int!
  "how many orgs have it installed"
  installCount: Int!
  "the JSON Schema of the plugin's input contract, when it declares one"
  inputSchema: JSON
  "ratings, newest first (first: default 20, at most 100)"
  reviews(first: Int = 20): [Rating!]!
}

"A search result."
type SearchHit {
  "the matching plugin"
  plugin: Plugin!
  "relevance, higher is better"
  score: Float!
}

"A plugin installed in the caller's org."
type Installation {
  "the installed plugin"
  pluginId: ID!
  "the version it runs"
  version: String!
  "true when pinned to that exact version (no automatic updates)"
  pinned: Boolean!
  "enabled, or disabled until the org re-consents to new required capabilities"
  status: String!
  "every scope the installation holds"
  grantedScopes: [String!]!
  "the granted scopes the plugin requires"
  requiredScopes: [String!]!
  "the optional scopes the org opted into"
  optionalScopes: [String!]!
  "when it was installed"
  installedAt: DateTime!
  "who installed it"
  installedBy: ID!
  "the contract versions negotiated at install, per edge whose manifest names a version, list or range"
  contracts: [NegotiatedContract!]!
}

"The contract version an installed plugin is served (input) or writes (output)."
type NegotiatedContract {
  "input or output"
  edge: String!
  "the contract subject"
  subject: String!
  "the version negotiated for the plugin"
  version: Int!
  "the subject's current version (records are migrated between the two)"
  currentVersion: Int!
  "the end of the deprecation window of the negotiated version, null when it is not deprecated"
  deprecatedUntil: DateTime
  "true when the negotiated version is deprecated and its window ends within 30 days (or has ended)"
  windowClosing: Boolean!
}

"The outcome of pluginInstall and pluginGrant."
type InstallResult {
  "installed, or pending_review when governance must approve a high-risk install"
  status: String!
  "the installation, when installed"
  installation: Installation
  "the review to wait for, when pending_review"
  reviewTask: ReviewTask
}

"The outcome of a governed change."
type GovernedResult {
  "applied, or pending_review when the change waits for approval"
  status: String!
  "the review to wait for, when pending_review"
  reviewTask: ReviewTask
}

"An abuse report filed against a plugin version."
type AbuseReport {
  "the report's id"
  id: ID!
  "the reported plugin"
  pluginId: ID!
  "the reported version"
  version: String
  "the report's category (e.g. malware, data_exfiltration, spam)"
  category: String!
  "when it was filed"
  createdAt: DateTime!
  "true when the version is now hidden from search pending review"
  hidden: Boolean!
}

"A line a plugin logged during a run."
type LogLine {
  "debug, info, warn or error"
  level: String!
  "when it was logged"
  at: DateTime!
  "the text (truncated to the run's log budget)"
  message: String!
}

"What a plugin run used."
type RunUsage {
  "wall-clock milliseconds"
  wallMs: Float!
  "CPU milliseconds"
  cpuMs: Float!
  "peak heap bytes"
  heapBytes: Float!
  "rows read or written through host calls"
  rows: Int!
  "bytes of the returned value"
  outputBytes: Int!
  "bytes logged"
  logBytes: Int!
}

"The budgets a plugin run was held to (from its manifest)."
type RunBudgets {
  "wall-clock milliseconds"
  wallMs: Float
  "CPU milliseconds"
  cpuMs: Float
  "memory in MB"
  memoryMB: Float
  "rows through host calls"
  rows: Int
  "returned value in KB"
  outputKB: Int
}

"One host API call a plugin made during a run."
type HostCall {
  "the capability scope the call used"
  scope: String!
  "the host API method"
  method: String!
  "rows it read or wrote"
  rows: Int!
  "how long it took"
  ms: Float!
  "false when it failed (e.g. CAPABILITY_DENIED)"
  ok: Boolean!
}

"The exact plugin code a run executed."
type PluginRef {
  "the plugin"
  id: ID!
  "its version"
  version: String!
  "SHA-256 of its canonical manifest"
  manifestSha256: String!
  "SHA-256 of its entry file"
  codeSha256: String!
}

"Where a run's result came from: what ran, with which grants, on what, and what it touched."
type Provenance {
  "the run's id (also in the audit log)"
  runId: ID!
  "the code that ran"
  plugin: PluginRef!
  "the scopes the run held"
  grantedScopes: [String!]!
  "SHA-256 of the canonical input"
  inputSha256: String!
  "every host call, in order"
  hostCalls: [HostCall!]!
  "graph entity ids the run touched through host calls"
  entities: [ID!]!
  "ok, or the error code the run ended with"
  outcome: String!
  "when the run started"
  startedAt: DateTime!
  "when it ended"
  endedAt: DateTime!
}

"One line of a run's cost."
type CostLine {
  "calls, cpuMs or rows"
  resource: String!
  "how much was used"
  quantity: Float!
  "price per unit, in minor units"
  unitPrice: Float!
  "quantity times unit price"
  amount: Float!
}

"What something cost."
type Cost {
  "the currency of the amounts (e.g. usd_micros)"
  currency: String!
  "in minor units (micro-dollars for USD)"
  amount: Float!
  "the amount by resource"
  lines: [CostLine!]!
}

"Why a plugin run failed."
type RunError {
  "a stable error code (see the error-code table), e.g. BUDGET_EXCEEDED"
  code: String!
  "a human explanation"
  message: String!
  "structured facts, e.g. { resource, limit, observed }"
  details: JSON
}

"The result of pluginRun: the value, or the typed failure, with logs, usage, cost and provenance."
type PluginRunResult {
  "true when the plugin returned a value"
  ok: Boolean!
  "the plugin's output, when ok"
  value: JSON
  "the failure, when not ok"
  error: RunError
  "what the plugin logged"
  logs: [LogLine!]!
  "what the run used"
  usage: RunUsage
  "the budgets it was held to"
  budgets: RunBudgets
  "what it cost the org"
  cost: Cost
  "what ran, on what, with which grants"
  provenance: Provenance
}

"One problem found by a contract check."
type ContractIssue {
  "a stable issue code, e.g. invalid_type or deprecated_field_expired"
  code: String!
  "JSON Pointer to the offending value"
  path: String!
  "a human explanation"
  message: String!
}

"One version of a contract subject's schema."
type ContractVersion {
  "the subject"
  subject: String!
  "the version number, from 1"
  version: Int!
  "the schema language"
  format: SchemaFormat!
  "the schema itself"
  schema: JSON!
  "SHA-256 of the canonical schema"
  fingerprint: String!
  "when it was registered"
  createdAt: DateTime!
  "true when soft-deleted"
  deleted: Boolean!
  "the end of the version's deprecation window (it stops negotiating after it), null when not deprecated"
  deprecatedUntil: DateTime
}

"A migration rule between two adjacent versions of a subject (JSON Patch operations)."
type ContractMigrationRule {
  "the version records are migrated from"
  from: Int!
  "the version records are migrated to (from + 1 or from - 1)"
  to: Int!
  "upgrade or downgrade"
  direction: String!
  "what the rule does, as its author wrote it"
  description: String
  "the JSON Patch operations (an operation whose source is absent is skipped; add fills defaults)"
  operations: JSON!
}

"The gate mode of one edge of a subject."
type ContractEnforcement {
  "ingest or export"
  edge: ContractEdge!
  "enforce, warn or off"
  mode: GateMode!
}

"A data contract: a subject with versioned schemas and gates."
type ContractSubject {
  "the subject's name, e.g. person"
  subject: String!
  "the schema language"
  format: SchemaFormat!
  "which changes new versions may make"
  compatibility: CompatibilityMode!
  "the newest version"
  latest: ContractVersion!
  "every version, oldest first"
  versions: [ContractVersion!]!
  "the gate mode of each edge"
  enforcement: [ContractEnforcement!]!
  "the migration rules between its versions, by from then to"
  migrationRules: [ContractMigrationRule!]!
}

"One difference between two schema versions."
type SchemaChange {
  "what changed, e.g. field_added or type_changed"
  kind: String!
  "JSON Pointer into the schema"
  path: String!
  "a human explanation"
  message: String!
  "true when the change breaks the subject's compatibility mode"
  breaking: Boolean!
}

"The differences between two versions of a subject."
type ContractDiff {
  "the subject"
  subject: String!
  "the older version"
  from: ContractVersion!
  "the newer version"
  to: ContractVersion!
  "every change"
  changes: [SchemaChange!]!
  "true when no change breaks the compatibility mode"
  compatible: Boolean!
  "the compatibility problems"
  issues: [ContractIssue!]!
}

"One RFC 6902 JSON Patch operation, suggested to make a record conform."
type PatchOperation {
  "add, remove, replace, move, copy or test"
  op: String!
  "JSON Pointer to the target"
  path: String!
  "the source pointer, for move and copy"
  from: String
  "the value, for add, replace and test"
  value: JSON
  "why the patch suggests it"
  reason: String!
  "0 to 1: how sure the suggestion is"
  confidence: Float!
}

"The contract check of one record."
type RecordResult {
  "the record's position in the batch"
  index: Int!
  "true when it conforms"
  ok: Boolean!
  "the problems that reject it"
  errors: [ContractIssue!]!
  "problems that do not (warn mode, deprecations)"
  warnings: [ContractIssue!]!
  "a suggested fix"
  patch: [PatchOperation!]!
  "the record with the patch applied, when a patch was suggested"
  patched: JSON
  "true when the patched record validates"
  patchValid: Boolean
}

"The result of contractTest: records checked without writing anything."
type ContractTestResult {
  "the subject"
  subject: String!
  "the version checked against"
  version: Int!
  "true when every record conforms"
  ok: Boolean!
  "one result per record"
  records: [RecordResult!]!
}

"The result of ingest or export under a contract."
type IngestResult {
  "accepted, rejected, or pending_review (exports over the policy threshold)"
  status: String!
  "records written or sent"
  accepted: Int!
  "records refused"
  rejected: Int!
  "one result per record"
  records: [RecordResult!]!
  "the review to wait for, when pending_review"
  reviewTask: ReviewTask
}

"What a plugin run is expected to cost, from the org's recent runs."
type BudgetHint {
  "the plugin"
  pluginId: ID!
  "how many runs the estimate rests on"
  runs: Int!
  "median CPU milliseconds"
  cpuMsP50: Float
  "95th percentile CPU milliseconds"
  cpuMsP95: Float
  "median rows"
  rowsP50: Float
  "95th percentile rows"
  rowsP95: Float
  "median wall-clock milliseconds of this org's past runs that executed (refusals excluded)"
  wallMsP50: Float
  "95th percentile wall-clock milliseconds of this org's past runs that executed (refusals excluded)"
  wallMsP95: Float
  "the expected cost of one run"
  expectedCost: Cost
  "what is left of each quota that applies"
  remaining: [QuotaRemaining!]!
}

"What is left of one quota."
type QuotaRemaining {
  "what it counts"
  resource: QuotaResource!
  "its window"
  window: QuotaWindow!
  "the limit"
  limit: Float!
  "used in the current window"
  used: Float!
  "limit minus used"
  remaining: Float!
  "when the window resets"
  resetAt: DateTime!
}

"A quota of the caller's org."
type Quota {
  "the quota's id"
  id: ID!
  "the org"
  orgId: ID!
  "the plugin it applies to; null for every plugin"
  pluginId: ID
  "what it counts"
  resource: QuotaResource!
  "the limit per window"
  limit: Float!
  "the window"
  window: QuotaWindow!
  "hard or soft"
  mode: QuotaMode!
  "used in the current window"
  used: Float!
  "when the current window resets"
  resetAt: DateTime
}

"A kill switch's state."
type KillSwitch {
  "what it stops"
  scope: KillSwitchScope!
  "the org or plugin it stops; null for global"
  target: String
  "true while it stops runs"
  on: Boolean!
  "why it was set"
  reason: String
  "who set it"
  actor: ID
  "when"
  at: DateTime
}

"One plugin's usage in the caller's org."
type PluginUsage {
  "the plugin"
  pluginId: ID!
  "runs whose code executed (the basis of latency and cost)"
  runs: Int!
  "executed runs that failed"
  errors: Int!
  "runs refused before executing: kill switch, quota, not installed, input contract"
  denied: Int!
  "median wall milliseconds"
  p50Ms: Float
  "95th percentile wall milliseconds"
  p95Ms: Float
  "CPU milliseconds"
  cpuMs: Float!
  "rows"
  rows: Int!
  "cost, in minor units"
  cost: Float!
}

"One point of a time series."
type SeriesPoint {
  "the bucket's start"
  at: DateTime!
  "the value"
  value: Float!
}

"A plugin's p95 latency over time."
type PluginSeries {
  "the plugin"
  pluginId: ID!
  "the points, oldest first"
  points: [SeriesPoint!]!
}

"Contract checks of one subject and edge."
type ContractCheckCount {
  "the subject"
  subject: String!
  "the edge"
  edge: ContractEdge!
  "records that conformed"
  passed: Int!
  "records that did not"
  failed: Int!
}

"How approvals keep to their SLA."
type ApprovalSla {
  "open reviews"
  open: Int!
  "open reviews past their due time"
  overdue: Int!
  "decided reviews"
  decided: Int!
  "median seconds from request to decision"
  medianDecisionSeconds: Float
}

"The FinOps dashboard of the caller's org."
type FinOpsDashboard {
  "the currency of the costs"
  currency: String!
  "usage by plugin"
  plugins: [PluginUsage!]!
  "p95 latency over time by plugin"
  p95Series: [PluginSeries!]!
  "the org's quotas"
  quotas: [Quota!]!
  "contract checks by subject and edge"
  contractChecks: [ContractCheckCount!]!
  "approval SLA figures"
  approvals: ApprovalSla!
  "kill switches that apply to the org"
  killSwitches: [KillSwitch!]!
}

"The audit events of one subject, with the hash chain checked."
type AuditTrailView {
  "the subject, e.g. plugin:sample-enricher"
  subject: String!
  "the events, oldest first"
  events: [AuditEventEntry!]!
  "true when the hash chain verifies"
  verified: Boolean!
}

"Narrows catalog and search results."
input CatalogFilter {
  "only plugins asking for this scope"
  capability: String
  "only plugins of this risk"
  risk: RiskLevel
  "only this publisher's plugins"
  publisher: String
}

"A quota to set."
input QuotaInput {
  "the plugin; omit for every plugin of the org"
  pluginId: ID
  "what it counts"
  resource: QuotaResource!
  "the limit per window"
  limit: Float!
  "the window"
  window: QuotaWindow!
  "hard (default) or soft"
  mode: QuotaMode = hard
}

"A JSON Patch operation to apply."
input PatchOperationInput {
  "add, remove, replace, move, copy or test"
  op: String!
  "JSON Pointer to the target"
  path: String!
  "the source pointer, for move and copy"
  from: String
  "the value, for add, replace and test"
  value: JSON
}

extend type Query {
  "the signed-in user"
  me: Actor!
  "a trivial field, the floor for latency comparisons"
  ping: Boolean!
  "the catalog, by weighted rating (first: default 20, at most 100)"
  catalog(filter: CatalogFilter, first: Int = 20): [Plugin!]!
  "full-text search of the catalog (limit: default 20, at most 100)"
  search(query: String!, filter: CatalogFilter, limit: Int = 20): [SearchHit!]!
  "one plugin; null when unknown"
  plugin(id: ID!): Plugin
  "the org's installations (first: default 50, at most 100)"
  installations(first: Int = 50): [Installation!]!
  "the audit events of a subject, hash chain verified (first: default 200, at most 1000)"
  auditTrail(subject: String!, first: Int = 200): AuditTrailView!
  "the data contracts (first: default 50, at most 100)"
  contracts(first: Int = 50): [ContractSubject!]!
  "one contract; null when unknown"
  contract(subject: String!): ContractSubject
  "the differences between two versions of a subject"
  contractDiff(subject: String!, from: Int!, to: Int!): ContractDiff!
  "checks records against a version (default: the latest) without writing"
  contractTest(subject: String!, version: Int, records: [JSON!]!): ContractTestResult!
  "applies a JSON Patch to a record and checks the result, without writing"
  contractApplyPatch(subject: String!, version: Int, record: JSON!, patch: [PatchOperationInput!]!): RecordResult!
  "the org's usage by plugin (first: default 50, at most 100)"
  usage(first: Int = 50): [PluginUsage!]!
  "what a run of a plugin is expected to cost"
  hint(pluginId: ID!): BudgetHint!
  "the org's quotas (first: default 50, at most 100)"
  quotas(first: Int = 50): [Quota!]!
  "the kill switches that apply to the org (first: default 50, at most 100)"
  killSwitches(first: Int = 50): [KillSwitch!]!
  "the org's FinOps dashboard"
  finopsDashboard: FinOpsDashboard!
}

extend type Mutation {
  "installs a plugin with its required scopes and the optional ones in grant; high-risk installs wait for a review"
  pluginInstall(id: ID!, version: String, grant: [String!]): InstallResult!
  "opts the installation into optional scopes; one that makes the plugin high-risk waits for a review (status pending_review)"
  pluginGrant(id: ID!, scopes: [String!]!, reason: String): InstallResult!
  "withdraws optional scopes (required ones go by uninstalling)"
  pluginRevoke(id: ID!, scopes: [String!]!, reason: String): Installation!
  "uninstalls a plugin from the org"
  pluginUninstall(id: ID!): Boolean!
  "runs an installed plugin in the sandbox on an input"
  pluginRun(id: ID!, input: JSON!): PluginRunResult!
  "rates a plugin (one rating per user, replaced on change)"
  pluginRate(id: ID!, stars: Int!, review: String): Rating!
  "reports a plugin version for abuse"
  pluginReport(id: ID!, version: String, category: String!, reason: String!): AbuseReport!
  "registers a new schema version of a subject (admin or steward)"
  contractRegister(subject: String!, format: SchemaFormat!, schema: JSON!, compatibility: CompatibilityMode): ContractVersion!
  "changes a gate mode; loosening it waits for a review"
  contractSetEnforcement(subject: String!, edge: ContractEdge!, mode: GateMode!, reason: String!): GovernedResult!
  "registers or replaces a migration rule, through governance, after its contract test over the golden samples"
  contractRegisterMigrationRule(subject: String!, from: Int!, to: Int!, operations: [JSON!]!, description: String, samples: [JSON!]!, reason: String!): GovernedResult!
  "ingests a batch into the graph under the subject's contract"
  ingest(subject: String!, batch: [JSON!]!): IngestResult!
  "exports a batch under the subject's contract; large exports wait for a review"
  export(subject: String!, batch: [JSON!]!, destination: String): IngestResult!
  "sets a quota of the org (admin)"
  quotaSet(input: QuotaInput!): Quota!
  "turns a kill switch on or off (admin)"
  killSwitchSet(scope: KillSwitchScope!, target: String, on: Boolean!, reason: String!): KillSwitch!
}
`;

/** The complete SDL: governance's types followed by the platform's (moderation and replay included). */
export const typeDefs: string[] = [governanceTypeDefs, platformTypeDefs, moderationTypeDefs, replayTypeDefs];
