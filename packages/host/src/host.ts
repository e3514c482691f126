import { CapabilityBroker, type HostApi } from '@intelgraph/capabilities';
import {
  auditTrailHook,
  type CompatibilityMode,
  createMigrationRules,
  createSchemaRegistry,
  type GateEdge,
  type GateMode,
  type MigrationRules,
  type SchemaRegistry,
} from '@intelgraph/contracts';
import type { CustomerMapping } from '@intelgraph/core';
import {
  type Actor,
  ActorSchema,
  type AuditTrail,
  type CaseStore,
  type Clock,
  createAuditTrail,
  createAuthorizer,
  digestJson,
  type GraphStore,
  type IdSource,
  IntelGraphError,
  type JsonValue,
  parseInput,
  randomIds,
  systemClock,
} from '@intelgraph/core';
import { createFinOps, type FinOps, type PriceBook } from '@intelgraph/finops';
import {
  type Applier,
  createGovernance,
  createGovernanceOwner,
  type Governance,
  type PolicyInput,
  type ReviewNotifier,
  type ReviewTaskView,
} from '@intelgraph/governance';
import {
  createMarketplace,
  type HighRiskDecision,
  type InstallationView,
  type KeyInput,
  type Marketplace,
} from '@intelgraph/marketplace';
import { createSandbox, type Sandbox, type SandboxOptions } from '@intelgraph/sandbox';
import type { Attributes, Span, TracerProvider } from '@opentelemetry/api';
import { Registry, type RegistryContentType } from 'prom-client';
import { z } from 'zod';
import { type ContractGates, createContractGates } from './contract-gates.js';
import {
  type ContractVersioning,
  createContractVersioning,
  createRunContractVersions,
  DeprecateVersionInput,
  type MigrationRuleRequest,
  MigrationRuleRequestInput,
  migrateBatch,
  negotiatedInstall,
  withRenegotiatedUpdates,
} from './contract-versions.js';
import { type EdgeResult, runEdge } from './edges.js';
import { NameSchema } from './inputs.js';
import { createInstallRequests, type InstallStatus } from './install-requests.js';
import { createPlatformHostApi } from './platform-api.js';
import { type PluginRunResult, runPlugin } from './plugin-run.js';
import { defaultPolicies, HOST_REVIEW_KINDS } from './policies.js';
import { type ReplayResult, replayRun } from './replay.js';
import { type ReplayPolicyOptions, resolveReplayPolicy } from './replay-recorder.js';
import {
  HOST_OWNED_KIND_NAMES,
  HOST_OWNED_KINDS,
  type HostKindPayload,
  type HostOwnedKind,
  parseOwnedPayload,
} from './review-kinds.js';
import { createRunGuards, type RunGuards } from './run-guard.js';
import { type HostDatabase, type HostStores, type ResolvedStores, resolveStores } from './stores.js';
import {
  type HostLogger,
  hostTracer,
  inSpan,
  logBackgroundFailure,
  stringField,
  traceAppliers,
  traceGovernance,
} from './tracing.js';
import { createViews, type HostViews } from './views.js';

/**
 * Isolates in the sandbox a host creates, unless `sandbox.poolSize` says otherwise. A run holds its
 * isolate while it awaits host API calls (database, graph), which is most of a host's run time, so the
 * pool is sized for concurrent runs, not for cores: with a pool of 2, twenty concurrent requests queue
 * behind two runs' database round trips (the load benchmark measured p95 4.4 s against 0.29 s with 20).
 * Isolates are created on demand, so a quiet host keeps few.
 *
 * @example
 * ```ts
 * const host = await createExtensionHost({ sandbox: { poolSize: DEFAULT_SANDBOX_POOL_SIZE * 2 } });
 * ```
 */
export const DEFAULT_SANDBOX_POOL_SIZE = 16;

/** Options of {@link createExtensionHost}; every one has a default. */
export interface ExtensionHostOptions {
  /** Where durable ports live (default: embedded PGlite under `dataDir`). */
  database?: HostDatabase;
  /** Folder of the embedded database (default `./.intelgraph`). */
  dataDir?: string;
  /** Individual ports to use instead of the defaults (for example Redis quotas, Neo4j graph). */
  stores?: Partial<HostStores>;
  /**
   * A sandbox, or options for the one the host creates (and closes). The host's own sandbox keeps
   * {@link DEFAULT_SANDBOX_POOL_SIZE} isolates unless `poolSize` says otherwise.
   */
  sandbox?: Sandbox | SandboxOptions;
  /** The API plugins see; default: graph and cases over the stores (see `createPlatformHostApi`). */
  hostApi?: HostApi;
  /** Governance policies; each replaces the default policy of its kind (see `defaultPolicies`). */
  policies?: PolicyInput[];
  /**
   * Appliers for review kinds of your own (each with a policy in `policies`). The host's own kinds
   * (`HOST_OWNED_KINDS`) keep the host's appliers: naming one here is `INVALID_INPUT`.
   */
  appliers?: Record<string, Applier>;
  /**
   * How stale (ms) a run's view of its kill switches, installation and grants may get before a host
   * call re-checks it (default 200). Changes made through this host reach its runs at once; this
   * bounds how long a change made by another host sharing the stores takes to stop a run.
   */
  runRecheckMs?: number;
  /**
   * Orgs whose members' platform-wide roles count (`platform-admin`, needed for the global kill
   * switch; the marketplace's `moderator` and `marketplace-admin`, which hide, restore and yank versions
   * and trust publisher keys for every org; `admin`/`steward` for the shared contracts: registering
   * versions and migration rules, deprecating versions, requesting enforcement changes). Default: every org, which suits a host whose roles all come from one operator. A
   * multi-tenant host whose tenants' admins assign roles themselves names its operator org here, so a
   * tenant cannot grant itself a platform role.
   */
  platformOrgs?: readonly string[];
  /** Price table for run costs and billing events. */
  prices?: PriceBook;
  /** Org → Stripe customer; runs of unmapped orgs are not billed. */
  customers?: CustomerMapping;
  /** Publisher keys to trust. */
  trust?: readonly { publisher: string; publicKey: KeyInput }[];
  /** Receives governance notifications (default: none; they are still audited). */
  notifier?: ReviewNotifier;
  /** Sign Merkle checkpoints of the audit log with the host's ed25519 key (default: off; chain only). */
  auditCheckpoints?: import('@intelgraph/core').AuditCheckpointPolicy;
  /** Where approved exports go (default: recorded in the audit trail only). */
  exportSink?: (batch: {
    orgId: string;
    subject: string;
    destination: string | null;
    records: unknown[];
  }) => Promise<void> | void;
  /** Where accepted ingests go (default: records with `id` and `name` become graph entities of type `subject`). */
  ingestSink?: (batch: { orgId: string; subject: string; records: unknown[] }) => Promise<void> | void;
  /** prom-client registry for every meter (default: a fresh one; never the global registry). */
  registry?: Registry<RegistryContentType>;
  clock?: Clock;
  ids?: IdSource;
  /**
   * Logger for background failures (default: none): pino-compatible (`error(fields, message)`) or
   * plain (`error(message, fields)`, e.g. `console`). Lines carry `trace_id` and `span_id` when a span
   * context is active. The host passes it to what it creates: FinOps (quota alerts), governance
   * (notifications) and the PostgreSQL pool of `database: { connectionString }` (idle client errors).
   */
  logger?: HostLogger;
  /**
   * Where the host's spans go (default: the global OpenTelemetry provider, a no-op until the
   * application registers an SDK). The host depends on `@opentelemetry/api` only.
   */
  tracerProvider?: TracerProvider;
  /**
   * Which runs are recorded for replay (`host.replay`), the size cap per run, the retention and the
   * roles that may replay. Default: nothing is recorded.
   */
  replay?: ReplayPolicyOptions;
}

/** Result of an install that may wait for governance. */
export type InstallOutcome =
  | { status: 'installed'; installation: InstallationView }
  | { status: 'pending_review'; reviewTask: ReviewTaskView };

/** Result of an operation routed through governance (enforcement changes, merges). */
export type GovernedOutcome =
  | { status: 'applied'; reviewTask: ReviewTaskView }
  | { status: 'pending_review'; reviewTask: ReviewTaskView };

/** Liveness of each backend, for `/readyz`. */
export interface HealthReport {
  ok: boolean;
  checks: Record<string, { ok: boolean; error?: string }>;
}

/** The host facade: one object over every package, composed over the chosen stores. */
export interface ExtensionHost {
  readonly registry: Registry<RegistryContentType>;
  readonly audit: AuditTrail;
  readonly marketplace: Marketplace;
  readonly broker: CapabilityBroker;
  readonly governance: Governance;
  readonly finops: FinOps;
  readonly contracts: SchemaRegistry;
  readonly gates: ContractGates;
  /** Migration rules between contract versions, and version deprecations (read side; writes are governed). */
  readonly migrations: MigrationRules;
  readonly sandbox: Sandbox;
  /** The knowledge graph, partitioned by org: `host.graph.forOrg(actor.orgId)` is that org's graph. */
  readonly graph: GraphStore;
  /** Cases; every call names its org (`orgId`), and a case links entities of its org's graph only. */
  readonly cases: CaseStore;
  readonly clock: Clock;

  /** Publishes a signed plugin package (the publisher's key must be trusted). */
  publish(actor: Actor | null, pkg: unknown): ReturnType<Marketplace['publish']>;
  /**
   * Installs with the required scopes and the chosen optional ones; a high-risk install opens a review
   * and returns `pending_review` (as data, never an error). A second request for the same plugin and
   * version while one is open is `CONFLICT` (`details.reason: 'duplicate_request'`).
   */
  install(
    actor: Actor,
    input: { pluginId: string; version?: string; grant?: string[] },
  ): Promise<InstallOutcome>;
  /** Installed, pending review or not installed in the actor's org, with the open requests. */
  installStatus(actor: Actor, pluginId: string): Promise<InstallStatus>;
  uninstall(actor: Actor, pluginId: string): Promise<{ revoked: string[] }>;
  /** Sets the optional scopes the org grants (adding may need review when it makes the plugin high-risk). */
  setOptionalScopes(actor: Actor, pluginId: string, scopes: string[]): Promise<InstallOutcome>;
  /**
   * The hot path: kill switch, installation, quota, contracts, sandbox, settle, audit. `T` is the
   * plugin's output type as the caller expects it (not checked at runtime: use an output contract).
   */
  runPlugin<T = unknown>(actor: Actor, pluginId: string, input: unknown): Promise<PluginRunResult<T>>;
  /**
   * Re-executes a recorded run (pinned code, input, seed, clock, recorded host responses; no live
   * data; the same budgets) and says whether it is identical, or where it first diverged. Only the
   * run's org, with a role of the replay policy (default `auditor` or `admin`). Audited.
   */
  replay(actor: Actor, runId: string): Promise<ReplayResult>;
  registerContract(
    actor: Actor,
    input: { subject: string; format: 'json' | 'avro'; schema: unknown; compatibility?: CompatibilityMode },
  ): ReturnType<SchemaRegistry['register']>;
  /** Checks records against a contract without writing anything (the contract test runner). */
  testContract(
    actor: Actor,
    input: { subject: string; version?: number; records: unknown[] },
  ): Promise<EdgeResult>;
  /**
   * Ingest under the subject's contract: a failing batch is rejected whole, with patches suggested. With
   * `version`, the batch is written under that version and migrated up to the current one before the gate.
   */
  ingest(
    actor: Actor,
    subject: string,
    batch: unknown[],
    options?: { version?: number },
  ): Promise<EdgeResult>;
  /**
   * Export under the subject's contract; exports over the policy threshold wait for approval. With
   * `version`, the checked batch is delivered migrated down to that version (a path must exist).
   */
  export(
    actor: Actor,
    subject: string,
    batch: unknown[],
    options?: { destination?: string; reason?: string; version?: number },
  ): Promise<EdgeResult>;
  /** Changes a contract's enforcement mode on an edge, through governance. */
  setEnforcement(
    actor: Actor,
    input: { subject: string; edge: GateEdge; mode: GateMode; reason: string },
  ): Promise<GovernedOutcome>;
  /**
   * Registers or replaces a migration rule between two adjacent versions, through governance (every
   * rule counts as relaxing). Its contract test runs over the golden samples now (a failing rule opens
   * no review: `SCHEMA_INCOMPATIBLE`) and again when the approved rule is applied, exactly once.
   */
  registerMigrationRule(actor: Actor, input: MigrationRuleRequest): Promise<GovernedOutcome>;
  /**
   * Deprecates a contract version until the end of a window (`until: null` lifts it); stewards and
   * admins. Past the window the version stops negotiating. Audited.
   */
  deprecateContractVersion(
    actor: Actor,
    input: { subject: string; version: number; until: string | null; reason: string },
  ): Promise<void>;
  /** Merges two graph entities, through governance. */
  mergeEntities(
    actor: Actor,
    input: { survivorId: string; mergedId: string; reason: string },
  ): Promise<GovernedOutcome>;
  /**
   * Opens a governed request of a kind the host does not own (`policy_change`, your own kinds). The
   * host's own kinds (`HOST_OWNED_KINDS`) are opened only by their operations: `FORBIDDEN` here.
   */
  request(actor: Actor, input: Parameters<Governance['request']>[1]): Promise<ReviewTaskView>;
  approve: Governance['approve'];
  deny: Governance['deny'];
  appeal: Governance['appeal'];
  /** Quota usage of the actor's org (optionally one plugin). */
  usage(actor: Actor, pluginId?: string): ReturnType<FinOps['quotas']['usage']>;
  /** The budget preview of a plugin for the actor's org. */
  hint(actor: Actor, pluginId: string): ReturnType<FinOps['hint']>;
  /** Engages or releases a kill switch (admins only; audited with actor and reason). */
  killSwitch(
    actor: Actor,
    input: { scope: 'global' | 'org' | 'plugin'; target?: string; on: boolean; reason: string },
  ): Promise<void>;
  /** Sets a quota for the actor's org (admins only). */
  setQuota(
    actor: Actor,
    input: Omit<Parameters<FinOps['quotas']['set']>[0], 'scope'> & { pluginId?: string },
  ): ReturnType<FinOps['quotas']['set']>;
  /** Install count and ratings (newest first) of a plugin. */
  catalogStats: HostViews['catalogStats'];
  /** The actor's org's audit events about a subject, and whether the whole chain verifies. */
  auditTrail: HostViews['auditTrail'];
  /** Contract subjects with versions, compatibility mode and enforcement per edge. */
  contractViews: HostViews['contractViews'];
  /** A typed change list between two versions of a subject, with compatibility issues. */
  contractDiff: HostViews['contractDiff'];
  /** Applies a mapping patch to a record and re-validates it (one call). */
  applyPatch: HostViews['applyPatch'];
  /** The budget preview of a plugin, shaped for display. */
  hintView: HostViews['hintView'];
  quotaViews: HostViews['quotaViews'];
  killSwitchViews: HostViews['killSwitchViews'];
  /** The FinOps dashboard of the actor's org: run p95 and costs, quotas, contract checks, approval SLA. */
  dashboard: HostViews['dashboard'];
  health(): Promise<HealthReport>;
  close(): Promise<void>;
}

const ADMIN_ROLES = ['admin'];

function requireRole(actor: Actor, roles: readonly string[], what: string): void {
  if (!actor.roles.some((r) => roles.includes(r))) {
    throw new IntelGraphError('FORBIDDEN', `${what} needs one of the roles: ${roles.join(', ')}`, {
      details: { roles },
    });
  }
}

const RunIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.:-]+$/);

const actorOf = (input: unknown): Actor => parseInput(ActorSchema, input, 'actor');

const EnforcementInput = z
  .object({
    subject: NameSchema,
    edge: z.enum(['ingest', 'export']),
    mode: z.enum(['enforce', 'warn', 'off']),
    reason: z.string().min(1).max(2000),
  })
  .strict();

const InstallInput = z
  .object({
    pluginId: NameSchema,
    version: z.string().min(1).max(100).optional(),
    grant: z.array(z.string().min(1).max(200)).max(128).optional(),
  })
  .strict();

const MergeInput = z
  .object({ survivorId: NameSchema, mergedId: NameSchema, reason: z.string().trim().min(1).max(2000) })
  .strict();

const KillSwitchInput = z
  .object({
    scope: z.enum(['global', 'org', 'plugin']),
    target: NameSchema.optional(),
    on: z.boolean(),
    reason: z.string().trim().min(3).max(500),
  })
  .strict();

/** The requester of a task, as governance authenticated it: never anything from the payload. */
const requesterOf = (task: ReviewTaskView): Actor => ({
  userId: task.requester.userId,
  orgId: task.orgId,
  roles: [...task.requester.roles],
});

function edgeAttributes(actor: unknown, subject: unknown): Attributes {
  const org = stringField(actor, 'orgId');
  return {
    ...(org === undefined ? {} : { 'intelgraph.org': org }),
    ...(typeof subject === 'string' ? { 'intelgraph.contract.subject': subject.slice(0, 200) } : {}),
  };
}

function edgeOutcome<R extends { status: string }>(span: Span, r: R): R {
  if (span.isRecording()) span.setAttribute('intelgraph.edge.status', r.status);
  return r;
}

/** Typed appliers of the host's own kinds: each gets its payload parsed with the table's schema. */
type OwnedAppliers = {
  [K in HostOwnedKind]: (
    task: ReviewTaskView,
    payload: HostKindPayload<K>,
    context: Parameters<Applier>[1],
  ) => Promise<unknown>;
};

function ownedAppliers(impl: OwnedAppliers): Record<string, Applier> {
  const out: Record<string, Applier> = {};
  for (const row of Object.keys(HOST_OWNED_KINDS) as HostOwnedKind[]) {
    const apply = impl[row] as (t: ReviewTaskView, p: unknown, c: Parameters<Applier>[1]) => Promise<unknown>;
    out[HOST_OWNED_KINDS[row].kind] = (task, context) => apply(task, parseOwnedPayload(row, task), context);
  }
  return out;
}

/**
 * Composes every package over the chosen stores. With no options it runs on embedded defaults:
 * PGlite in `./.intelgraph` for everything durable, the graph and cases included (data survives
 * restarts), memory for quotas and kill switches.
 *
 * @example
 * ```ts
 * import { createExtensionHost } from '@intelgraph/host';
 * const host = await createExtensionHost();
 * await host.publish(null, signedPackage);
 * await host.install(admin, { pluginId: 'sample-enricher' });
 * const r = await host.runPlugin(analyst, 'sample-enricher', { q: 'acme' });
 * console.log(r.ok, r.cost, r.provenance);
 * await host.close();
 * ```
 */
export async function createExtensionHost(options: ExtensionHostOptions = {}): Promise<ExtensionHost> {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const replayPolicy = resolveReplayPolicy(options.replay);
  const registry = options.registry ?? new Registry();
  const tracer = hostTracer(options.tracerProvider);
  const stores: ResolvedStores = await resolveStores({
    ...(options.database === undefined ? {} : { database: options.database }),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.stores === undefined ? {} : { stores: options.stores }),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.tracerProvider ? { tracerProvider: options.tracerProvider } : {}),
    clock,
    ids,
  });
  const audit = createAuditTrail({
    store: stores.audit,
    clock,
    ids,
    ...(options.auditCheckpoints ? { checkpoints: options.auditCheckpoints } : {}),
  });
  // Recordings past their retention go at start; a long-lived host also schedules `purgeExpired`.
  if (options.replay) await stores.replays.purgeExpired(new Date(clock.now()).toISOString());
  const ownsSandbox = !(options.sandbox && 'run' in options.sandbox);
  const sandbox: Sandbox =
    options.sandbox && 'run' in options.sandbox
      ? options.sandbox
      : createSandbox({ poolSize: DEFAULT_SANDBOX_POOL_SIZE, ...(options.sandbox ?? {}), clock, ids });
  const finops = createFinOps({
    quotaStore: stores.quotas,
    killSwitchStore: stores.killSwitches,
    outbox: stores.outbox,
    registry,
    clock,
    ids,
    audit,
    ...(options.prices ? { prices: options.prices } : {}),
    ...(options.customers ? { customers: options.customers } : {}),
    onError: (error: unknown) => logBackgroundFailure(options.logger, 'quota alert delivery failed', error),
  });
  for (const kind of Object.keys(options.appliers ?? {}))
    if (HOST_OWNED_KIND_NAMES.includes(kind))
      throw new IntelGraphError(
        'INVALID_INPUT',
        `the host's own review kind ${kind} keeps the host's applier`,
        {
          details: {
            issues: [{ code: 'owned_kind', path: ['appliers', kind], message: 'owned by the host' }],
          },
        },
      );
  // Only the host's own operations hold this token, so only they can open tasks of the host's kinds.
  const owner = createGovernanceOwner('@intelgraph/host');
  const authorizer = createAuthorizer(options.platformOrgs ? { platformOrgs: options.platformOrgs } : {});
  const platformOrgs = options.platformOrgs ? new Set(options.platformOrgs) : null;
  const isPlatformOrg = (orgId: string) => platformOrgs === null || platformOrgs.has(orgId);
  // The schema registry, its migration rules, deprecations and gates are shared by every org: a change
  // there needs its role in a platform org when the host names them (a tenant admin cannot break another
  // org's contracts).
  const requirePlatformContractRole = (actor: Actor, what: string): void => {
    requireRole(actor, [...ADMIN_ROLES, 'steward'], what);
    if (!isPlatformOrg(actor.orgId))
      throw new IntelGraphError(
        'FORBIDDEN',
        `${what} is platform-wide: it needs the role in a platform org`,
        {
          details: { roles: [...ADMIN_ROLES, 'steward'] },
        },
      );
  };
  // Runs in flight re-check their kill switches, installation and grants; created once finops and the
  // marketplace exist (the broker's change listener refers to it before then).
  let guards: RunGuards | undefined;
  const broker = new CapabilityBroker({
    store: stores.grants,
    audit,
    clock,
    onChange: (change) => {
      void guards?.invalidate({ org: change.orgId, plugin: change.pluginId });
    },
  });
  const contracts = createSchemaRegistry({ store: stores.contracts, clock, audit: auditTrailHook(audit) });
  const gates = createContractGates({ registry: contracts, audit, finops });
  const migrations = createMigrationRules({ registry: contracts, store: stores.migrationRules, clock });
  const versioning: ContractVersioning = createContractVersioning({ registry: contracts, migrations, clock });
  const runVersions = createRunContractVersions({ versioning, migrations, finops });
  const versionDeps = { versioning, migrations, finops };

  // Governance is created after the marketplace hook below refers to it; a holder breaks the cycle.
  let governance!: Governance;
  const installRequests = createInstallRequests(stores.reviews);
  const marketplace = createMarketplace({
    store: stores.marketplace,
    broker,
    audit,
    clock,
    ids,
    ...(options.trust ? { trust: options.trust } : {}),
    authorizer,
    evict: (sha) => sandbox.evict(sha),
    onHighRiskInstall: async (req): Promise<HighRiskDecision> => {
      if (req.approvalRef) {
        // Only the applier of an approved review passes a ref (the public install takes none): it must
        // be that review, for this very change, and approved now (an applied one is not reused).
        const task = await governance.get(req.actor, req.approvalRef);
        const p =
          task.kind === HOST_REVIEW_KINDS.pluginInstall ? parseOwnedPayload('pluginInstall', task) : null;
        const covers =
          p !== null &&
          p.action === req.action &&
          p.pluginId === req.pluginId &&
          p.version === req.version &&
          req.adding.every((s) => p.scopes.includes(s));
        if (covers && task.state === 'approved') return { status: 'approved', ref: task.id };
        return {
          status: 'denied',
          reason: `review ${task.id} does not approve this change (state ${task.state})`,
        };
      }
      return installRequests.exclusive(req.orgId, req.pluginId, req.version, async () => {
        const open = await installRequests.open(req.orgId, req.pluginId);
        const same = open.find((r) => r.version === req.version);
        if (same)
          throw new IntelGraphError(
            'CONFLICT',
            `a request for ${req.pluginId}@${req.version} is already open (review ${same.taskId})`,
            { details: { reason: 'duplicate_request', reviewTaskId: same.taskId, state: same.state } },
          );
        const offered = (await marketplace.detail(req.pluginId)).versions.find(
          (v) => v.version === req.version,
        );
        const optional = req.scopes.filter((s) => offered?.optionalScopes.includes(s) === true);
        const common = {
          pluginId: req.pluginId,
          version: req.version,
          scopes: [...req.scopes],
          adding: [...req.adding],
        };
        const payload: HostKindPayload<'pluginInstall'> =
          req.action === 'consent'
            ? { action: 'consent', ...common }
            : { action: req.action, ...common, optional };
        const task = await governance.request(
          req.actor,
          {
            kind: HOST_REVIEW_KINDS.pluginInstall,
            reason: `${req.action} ${req.pluginId}@${req.version} adds high-risk scopes: ${req.adding.join(', ')}`,
            payload,
          },
          { owner },
        );
        // Pending, or approved by the policy itself and already applied by the host's applier (which
        // made the change): either way this call stops here and the host answers from the review.
        return { status: 'pending', ref: task.id };
      });
    },
  });

  const negotiation = { versioning, marketplace, store: stores.marketplace };
  const graph = stores.graph;
  const hostApi = options.hostApi ?? createPlatformHostApi({ graph, cases: stores.cases });

  const ingestSink =
    options.ingestSink ??
    (async ({ orgId, subject, records }) => {
      const entities = records
        .filter(
          (r): r is Record<string, JsonValue> =>
            typeof r === 'object' && r !== null && 'id' in r && 'name' in r,
        )
        .map((r) => ({
          id: String(r.id),
          // Graph entity types are PascalCase: subject `person` → type `Person`, `case-export` → `CaseExport`.
          type: subject
            .split(/[^A-Za-z0-9]+/)
            .filter(Boolean)
            .map((w) => w[0]!.toUpperCase() + w.slice(1))
            .join(''),
          name: String(r.name),
          properties: Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'id' && k !== 'name')),
        }));
      if (entities.length > 0) await graph.forOrg(orgId).upsert({ entities });
    });

  const appliers: Record<string, Applier> = {
    ...(options.appliers ?? {}),
    ...ownedAppliers({
      pluginInstall: async (task, p) => {
        const actor = requesterOf(task);
        if (p.action === 'install')
          // The review covers every scope; the install call takes only the optional ones the org chose.
          return negotiatedInstall(negotiation, actor, p, () =>
            marketplace.install(actor, {
              pluginId: p.pluginId,
              version: p.version,
              grant: p.optional,
              approvalRef: task.id,
            }),
          );
        if (p.action === 'consent') return marketplace.consent(actor, p.pluginId, { approvalRef: task.id });
        return marketplace.setOptionalScopes(actor, p.pluginId, { scopes: p.optional, approvalRef: task.id });
      },
      entityMerge: async (task, p) => {
        // The requester's org, never the payload's: a merge reaches that org's entities only.
        const r = await graph.forOrg(task.orgId).merge({ survivorId: p.survivorId, mergedId: p.mergedId });
        return { survivorId: r.entity.id, relationshipsMoved: r.relationshipsMoved };
      },
      contractEnforcement: async (task, p) => {
        gates.setMode(p.subject, p.edge, p.mode);
        await audit.record({
          type: 'contract.enforcement.set',
          actor: { userId: task.requester.userId, orgId: task.orgId },
          subject: `contract:${p.subject}`,
          orgId: task.orgId,
          data: { subject: p.subject, edge: p.edge, mode: p.mode, reviewId: task.id },
        });
        return { subject: p.subject, edge: p.edge, mode: p.mode };
      },
      contractMigrationRule: async (task, p) => {
        // The contract test runs again here, over the samples of the request, against today's versions.
        const rule = await migrations.register(
          p.subject,
          {
            from: p.from,
            to: p.to,
            operations: p.operations as MigrationRuleRequest['operations'],
            ...(p.description === null ? {} : { description: p.description }),
          },
          { samples: p.samples },
        );
        await audit.record({
          type: 'contract.migration_rule.registered',
          actor: { userId: task.requester.userId, orgId: task.orgId },
          subject: `contract:${p.subject}`,
          orgId: task.orgId,
          data: { subject: p.subject, from: p.from, to: p.to, direction: rule.direction, reviewId: task.id },
        });
        return { subject: p.subject, from: p.from, to: p.to, direction: rule.direction };
      },
      export: async (task, p) => {
        const actor = requesterOf(task);
        // The batch is the attachment whose content address the host put in the payload.
        const batchRef = task.evidence.find((e) => e.sha256 === p.digest);
        if (!batchRef)
          throw new IntelGraphError('NOT_FOUND', `review ${task.id} has no export batch attached`);
        const { bytes } = await governance.evidence(actor, task.id, batchRef.sha256);
        const parsed = z.array(z.json()).safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
        if (!parsed.success)
          throw new IntelGraphError(
            'INVALID_INPUT',
            `review ${task.id}: the export batch is not a list of records`,
          );
        const batch = parsed.data;
        // Counts come from the attachment itself: the payload's count (which the policy's threshold was
        // evaluated on) must be the attachment's.
        if (batch.length !== p.records || digestJson(batch) !== p.digest)
          throw new IntelGraphError(
            'CONFLICT',
            `review ${task.id}: the export batch does not match the request`,
            {
              details: { declared: p.records, attached: batch.length },
            },
          );
        // The contract is checked again at apply time, on the attached records (the subject may have a
        // new version or stricter enforcement since the request).
        const decision = await gates.check('export', { subject: p.subject }, batch, actor);
        if (!decision.ok) throw gates.violation(decision, `export ${task.id}`);
        // Migrated down to the version the consumer asked for, after the gate.
        const records =
          p.version === undefined
            ? decision.values
            : (
                await migrateBatch(versionDeps, p.subject, decision.values, {
                  from: decision.version ?? 'current',
                  to: p.version,
                })
              ).records;
        if (options.exportSink)
          await options.exportSink({
            orgId: task.orgId,
            subject: p.subject,
            destination: p.destination,
            records,
          });
        await audit.record({
          type: 'export.delivered',
          actor: { userId: actor.userId, orgId: actor.orgId },
          subject: `contract:${p.subject}`,
          orgId: task.orgId,
          data: {
            reviewId: task.id,
            records: records.length,
            digest: p.digest,
            destination: p.destination,
            ...(p.version === undefined ? {} : { version: p.version, from: decision.version }),
          },
        });
        return { delivered: records.length };
      },
    }),
  };

  const policies = new Map<string, PolicyInput>(defaultPolicies().map((p) => [p.kind, p]));
  for (const p of options.policies ?? []) policies.set(p.kind, p);
  governance = traceGovernance(
    tracer,
    createGovernance({
      policies: [...policies.values()],
      appliers: traceAppliers(tracer, appliers),
      store: stores.reviews,
      clock,
      ids,
      audit,
      ...(options.notifier ? { notifier: options.notifier } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      authorizer,
      ownedKinds: { kinds: HOST_OWNED_KIND_NAMES, owner },
    }),
  );
  guards = createRunGuards({
    clock,
    recheckMs: options.runRecheckMs ?? 200,
    validate: async (org, plugin) => {
      await finops.killSwitch.check({ org, plugin });
      return (await marketplace.installation(org, plugin)).installation.grants;
    },
  });
  const runGuards: RunGuards = guards;

  // Enforcement modes are replayed from the audit chain, so a restart keeps them.
  for (let after: number | undefined; ; ) {
    const page = await audit.list({
      type: 'contract.enforcement.set',
      limit: 1000,
      ...(after === undefined ? {} : { afterSeq: after }),
    });
    for (const e of page) {
      // Only the host's own enforcement events count, in the shape its applier writes.
      const d = HOST_OWNED_KINDS.contractEnforcement.payload.safeParse(
        typeof e.data === 'object' && e.data !== null && !Array.isArray(e.data)
          ? { subject: e.data.subject, edge: e.data.edge, mode: e.data.mode }
          : null,
      );
      if (d.success) gates.setMode(d.data.subject, d.data.edge, d.data.mode);
    }
    if (page.length < 1000) break;
    after = page.at(-1)?.seq;
  }

  // Contract subjects label the contract-check meter; they are registered by stewards, so bounded.
  for (const subject of await contracts.listSubjects()) finops.meters.guard.register('subject', subject);

  const governed = (task: ReviewTaskView): GovernedOutcome =>
    task.state === 'pending'
      ? { status: 'pending_review', reviewTask: task }
      : { status: 'applied', reviewTask: task };

  // A high-risk change comes back from the marketplace as APPROVAL_REQUIRED naming the review it opened.
  const installOutcome = async (
    actor: Actor,
    fn: () => Promise<InstallationView>,
  ): Promise<InstallOutcome> => {
    try {
      return { status: 'installed', installation: await fn() };
    } catch (err) {
      const ref = err instanceof IntelGraphError ? err.details.ref : undefined;
      if (err instanceof IntelGraphError && err.code === 'APPROVAL_REQUIRED' && typeof ref === 'string') {
        const reviewTask = await governance.get(actor, ref);
        if (reviewTask.state === 'applied') {
          const p = parseOwnedPayload('pluginInstall', reviewTask);
          const installation = (await marketplace.installations(actor.orgId)).find(
            (i) => i.pluginId === p.pluginId,
          );
          if (installation) return { status: 'installed', installation };
        }
        return { status: 'pending_review', reviewTask };
      }
      throw err;
    }
  };

  const edgeDeps = { gates, audit, governance, owner, ingestSink, clock };
  const views = createViews({
    audit,
    finops,
    governance,
    contracts,
    gates,
    marketplaceStore: stores.marketplace,
  });
  const withActor =
    <A extends unknown[], R>(fn: (actor: Actor, ...rest: A) => R) =>
    (actor: Actor, ...rest: A): R =>
      fn(actorOf(actor), ...rest);

  const host: ExtensionHost = {
    registry,
    audit,
    marketplace: withRenegotiatedUpdates(marketplace, negotiation),
    broker,
    governance,
    finops,
    contracts,
    gates,
    migrations,
    sandbox,
    graph,
    cases: stores.cases,
    clock,
    publish: async (actor, pkg) =>
      inSpan(tracer, 'intelgraph.marketplace.publish', undefined, () =>
        marketplace.publish(pkg, actor ? { actor: actorOf(actor) } : {}),
      ),
    install: async (actorInput, raw) =>
      inSpan(tracer, 'intelgraph.marketplace.install', undefined, async () => {
        const actor = actorOf(actorInput);
        // No `approvalRef` from callers: only the applier of an approved review passes one.
        const input = parseInput(InstallInput, raw, 'install');
        return installOutcome(actor, () =>
          negotiatedInstall(negotiation, actor, input, () => marketplace.install(actor, input)),
        );
      }),
    installStatus: async (actorInput, pluginIdInput) => {
      const actor = actorOf(actorInput);
      const pluginId = parseInput(NameSchema, pluginIdInput, 'pluginId');
      const [installations, pendingRequests] = await Promise.all([
        marketplace.installations(actor.orgId),
        installRequests.open(actor.orgId, pluginId),
      ]);
      const installation = installations.find((i) => i.pluginId === pluginId) ?? null;
      return {
        status: installation ? 'installed' : pendingRequests.length > 0 ? 'pending_review' : 'not_installed',
        installation,
        pendingRequests,
      };
    },
    uninstall: async (actorInput, pluginId) => {
      const actor = actorOf(actorInput);
      const r = await marketplace.uninstall(actor, pluginId);
      // Runs in flight are ended before this returns.
      await runGuards.invalidate({ org: actor.orgId, plugin: pluginId });
      return r;
    },
    setOptionalScopes: async (actorInput, pluginId, scopes) => {
      const actor = actorOf(actorInput);
      const outcome = await installOutcome(actor, () =>
        marketplace.setOptionalScopes(actor, pluginId, { scopes }),
      );
      await runGuards.invalidate({ org: actor.orgId, plugin: pluginId });
      return outcome;
    },
    runPlugin: async <T = unknown>(actor: Actor, pluginId: string, input: unknown) =>
      runPlugin<T>(
        {
          marketplace,
          finops,
          sandbox,
          gates,
          hostApi,
          audit,
          ids,
          guards: runGuards,
          versions: runVersions,
          tracer,
          ...(options.logger ? { logger: options.logger } : {}),
          replay: { policy: replayPolicy, store: stores.replays, now: () => clock.now() },
        },
        actorOf(actor),
        parseInput(NameSchema, pluginId, 'pluginId'),
        input,
      ),
    replay: async (actorInput, runId) =>
      replayRun(
        { store: stores.replays, sandbox, audit, policy: replayPolicy, now: () => clock.now() },
        actorOf(actorInput),
        parseInput(RunIdSchema, runId, 'runId'),
      ),
    registerContract: async (actorInput, input) => {
      const actor = actorOf(actorInput);
      requirePlatformContractRole(actor, 'registering a contract');
      const r = await contracts.register(input.subject, { format: input.format, schema: input.schema });
      finops.meters.guard.register('subject', input.subject);
      if (input.compatibility) await contracts.setCompatibility(input.compatibility, input.subject);
      gates.refresh(input.subject);
      versioning.refresh(input.subject);
      return r;
    },
    testContract: async (actor, input) =>
      runEdge(edgeDeps, actorOf(actor), {
        edge: 'ingest',
        subject: input.subject,
        version: input.version,
        records: input.records,
        dryRun: true,
      }),
    ingest: async (actor, subject, batch, opts = {}) =>
      inSpan(
        tracer,
        'intelgraph.edge.ingest',
        () => edgeAttributes(actor, subject),
        async (span) => {
          const who = actorOf(actor);
          // Written under an older (or newer) version: migrated up to the current one before the gate.
          const records =
            opts.version === undefined
              ? batch
              : (
                  await migrateBatch(versionDeps, parseInput(NameSchema, subject, 'subject'), batch, {
                    from: opts.version,
                    to: 'current',
                  })
                ).records;
          return edgeOutcome(span, await runEdge(edgeDeps, who, { edge: 'ingest', subject, records }));
        },
      ),
    export: async (actor, subject, batch, opts = {}) =>
      inSpan(
        tracer,
        'intelgraph.edge.export',
        () => edgeAttributes(actor, subject),
        async (span) =>
          edgeOutcome(
            span,
            await runEdge(edgeDeps, actorOf(actor), {
              edge: 'export',
              subject,
              records: batch,
              destination: opts.destination ?? null,
              reason: opts.reason,
              // Refused before any review when no path leads down to the asked version.
              ...(opts.version === undefined
                ? {}
                : {
                    deliver: {
                      version: opts.version,
                      check: () =>
                        versioning
                          .current(parseInput(NameSchema, subject, 'subject'))
                          .then((c) => migrations.path(subject, c, opts.version as number)),
                    },
                  }),
            }),
          ),
      ),
    setEnforcement: async (actorInput, raw) => {
      const actor = actorOf(actorInput);
      const input = parseInput(EnforcementInput, raw, 'enforcement');
      if (!isPlatformOrg(actor.orgId))
        throw new IntelGraphError(
          'FORBIDDEN',
          'contract enforcement is platform-wide: request it from a platform org',
          {
            details: { subject: input.subject },
          },
        );
      const payload: HostKindPayload<'contractEnforcement'> = {
        subject: input.subject,
        edge: input.edge,
        mode: input.mode,
      };
      const task = await governance.request(
        actor,
        { kind: HOST_REVIEW_KINDS.contractEnforcement, reason: input.reason, payload },
        { owner },
      );
      return governed(task);
    },
    registerMigrationRule: async (actorInput, raw) => {
      const actor = actorOf(actorInput);
      requirePlatformContractRole(actor, 'registering a migration rule');
      const input = parseInput(MigrationRuleRequestInput, raw, 'migration rule');
      const rule = {
        from: input.from,
        to: input.to,
        // Parsed in full (JSON Patch) by the contract test below, before anything is requested.
        operations: input.operations as MigrationRuleRequest['operations'],
        ...(input.description === undefined ? {} : { description: input.description }),
      };
      // A rule that fails its contract test opens no review.
      await migrations.test(input.subject, rule, { samples: input.samples });
      const payload = parseInput(
        HOST_OWNED_KINDS.contractMigrationRule.payload,
        { ...rule, subject: input.subject, description: input.description ?? null, samples: input.samples },
        'migration rule',
      );
      const task = await governance.request(
        actor,
        { kind: HOST_REVIEW_KINDS.contractMigrationRule, reason: input.reason, payload },
        { owner },
      );
      return governed(task);
    },
    deprecateContractVersion: async (actorInput, raw) => {
      const actor = actorOf(actorInput);
      requirePlatformContractRole(actor, 'deprecating a contract version');
      const input = parseInput(DeprecateVersionInput, raw, 'deprecation');
      await migrations.deprecate(input.subject, input.version, input.until);
      await audit.record({
        type: 'contract.version.deprecated',
        actor: { userId: actor.userId, orgId: actor.orgId },
        subject: `contract:${input.subject}`,
        orgId: actor.orgId,
        data: { subject: input.subject, version: input.version, until: input.until, reason: input.reason },
      });
    },
    mergeEntities: async (actorInput, raw) => {
      const actor = actorOf(actorInput);
      const input = parseInput(MergeInput, raw, 'merge');
      const payload = parseInput(
        HOST_OWNED_KINDS.entityMerge.payload,
        { survivorId: input.survivorId, mergedId: input.mergedId },
        'merge',
      );
      const orgGraph = graph.forOrg(actor.orgId);
      for (const id of [payload.survivorId, payload.mergedId]) {
        if (!(await orgGraph.getEntity(id))) throw new IntelGraphError('NOT_FOUND', `no entity ${id}`);
      }
      const task = await governance.request(
        actor,
        { kind: HOST_REVIEW_KINDS.entityMerge, reason: input.reason, payload },
        { owner },
      );
      return governed(task);
    },
    // Never with the owner token: the host's own kinds are refused here (FORBIDDEN).
    request: async (actor, input) => governance.request(actor, input),
    approve: async (actor, id, input) => governance.approve(actor, id, input),
    deny: async (actor, id, input) => governance.deny(actor, id, input),
    appeal: async (actor, id, input) => governance.appeal(actor, id, input),
    usage: async (actorInput, pluginId) => {
      const actor = actorOf(actorInput);
      return finops.quotas.usage({
        org: actor.orgId,
        ...(pluginId === undefined ? {} : { plugin: pluginId }),
      });
    },
    hint: async (actorInput, pluginId) => finops.hint({ org: actorOf(actorInput).orgId, plugin: pluginId }),
    killSwitch: async (actorInput, raw) => {
      const actor = actorOf(actorInput);
      requireRole(actor, ADMIN_ROLES, 'the kill switch');
      // Read the input once into plain data: the check below and the parse must see the same scope
      // (a getter or Proxy answering 'org' to the check and 'global' to zod would switch every org off).
      const sent: unknown = raw !== null && typeof raw === 'object' ? { ...raw } : raw;
      // Who may act is decided before what they sent is looked at.
      if (
        (sent as { scope?: unknown } | null)?.scope === 'global' &&
        !(actor.roles.includes('platform-admin') && isPlatformOrg(actor.orgId))
      ) {
        throw new IntelGraphError(
          'FORBIDDEN',
          'the global kill switch needs the platform-admin role in a platform org',
        );
      }
      const input = parseInput(KillSwitchInput, sent, 'kill switch');
      // An org admin switches their own org, or one plugin within it; only platform admins go global.
      const target =
        input.scope === 'global'
          ? {}
          : input.scope === 'org'
            ? { org: actor.orgId }
            : { org: actor.orgId, plugin: parseInput(z.string().min(1).max(64), input.target, 'target') };
      const change = { target, actor: { userId: actor.userId, orgId: actor.orgId }, reason: input.reason };
      if (input.on) await finops.killSwitch.engage(change);
      else await finops.killSwitch.release(change);
      // Runs in flight under the switch are ended before this returns (other hosts: on their next
      // host call after at most `runRecheckMs`).
      await runGuards.invalidate(target);
    },
    setQuota: async (actorInput, input) => {
      const actor = actorOf(actorInput);
      requireRole(actor, ADMIN_ROLES, 'setting quotas');
      const { pluginId, ...rest } = input;
      return finops.quotas.set({
        ...rest,
        scope: { org: actor.orgId, ...(pluginId ? { plugin: pluginId } : {}) },
      } as Parameters<FinOps['quotas']['set']>[0]);
    },
    catalogStats: async (pluginId) => views.catalogStats(parseInput(NameSchema, pluginId, 'pluginId')),
    auditTrail: async (actor, subject, first) =>
      views.auditTrail(
        actorOf(actor),
        parseInput(NameSchema, subject, 'subject'),
        parseInput(z.number().int().min(1), first, 'first'),
      ),
    contractViews: withActor(views.contractViews),
    contractDiff: withActor(views.contractDiff),
    applyPatch: withActor(views.applyPatch),
    hintView: withActor(views.hintView),
    quotaViews: withActor(views.quotaViews),
    killSwitchViews: withActor(views.killSwitchViews),
    dashboard: withActor(views.dashboard),
    async health() {
      const checks: HealthReport['checks'] = {};
      const probe = async (name: string, fn: () => Promise<unknown>) => {
        try {
          await fn();
          checks[name] = { ok: true };
        } catch (err) {
          checks[name] = { ok: false, error: err instanceof Error ? err.message : String(err) };
        }
      };
      if (stores.database) await probe('database', () => stores.database!.ping());
      await probe('audit', () => stores.audit.head());
      await probe('quotas', () => finops.quotas.list('__health__'));
      await probe('graph', () => graph.forOrg('__health__').search({ q: 'healthcheck', limit: 1 }));
      return { ok: Object.values(checks).every((c) => c.ok), checks };
    },
    async close() {
      if (ownsSandbox) await sandbox.close();
      await stores.close();
    },
  };
  return host;
}
