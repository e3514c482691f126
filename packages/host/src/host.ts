import { CapabilityBroker, type HostApi } from '@intelgraph/capabilities';
import { auditTrailHook, createMigrationRules, createSchemaRegistry } from '@intelgraph/contracts';
import {
  type AuditCheckpointPolicy,
  type AuditTrail,
  type Authorizer,
  type AuthorizerOptions,
  type Clock,
  type CustomerMapping,
  createAuditTrail,
  createAuthorizer,
  type GraphStore,
  type IdSource,
  IntelGraphError,
  type JsonValue,
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
} from '@intelgraph/governance';
import { createMarketplace, type KeyInput, type Marketplace } from '@intelgraph/marketplace';
import { createSandbox, type Sandbox, type SandboxOptions } from '@intelgraph/sandbox';
import type { Tracer, TracerProvider } from '@opentelemetry/api';
import { Registry, type RegistryContentType } from 'prom-client';
import { createHostAppliers, type ExportSink } from './appliers.js';
import { type ContractGates, createContractGates } from './contract-gates.js';
import {
  type ContractVersioning,
  createContractVersioning,
  createRunContractVersions,
  withRenegotiatedUpdates,
} from './contract-versions.js';
import { type AuditApi, createAuditApi } from './facade/audit.js';
import type { HostContext, HostInternals } from './facade/context.js';
import { type ContractsApi, createContractsApi } from './facade/contracts.js';
import { createFinOpsApi, type FinOpsApi } from './facade/finops.js';
import { createGovernanceApi, type GovernanceApi } from './facade/governance.js';
import { createGraphApi, type GraphApi } from './facade/graph.js';
import { createPluginsApi, type PluginsApi } from './facade/plugins.js';
import { createInstallRequests } from './install-requests.js';
import { highRiskInstallHook } from './install-review.js';
import { createPlatformHostApi } from './platform-api.js';
import { defaultPolicies } from './policies.js';
import { type ReplayPolicyOptions, resolveReplayPolicy } from './replay-recorder.js';
import { HOST_OWNED_KIND_NAMES, HOST_OWNED_KINDS } from './review-kinds.js';
import { createRunGuards, type RunGuards } from './run-guard.js';
import { type HostDatabase, type HostStores, type ResolvedStores, resolveStores } from './stores.js';
import {
  type HostLogger,
  hostTracer,
  logBackgroundFailure,
  traceAppliers,
  traceGovernance,
} from './tracing.js';
import { createViews } from './views.js';

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
   * Who may do what: role overrides per permission (`roles`, see `DEFAULT_PERMISSIONS`) and the orgs
   * whose members' platform-wide roles count (`platformOrgs`: the global kill switch, moderation,
   * publisher keys, changes to the shared contracts). Default: the permission table as is, every org a
   * platform org, which suits a host whose roles all come from one operator. A multi-tenant host whose
   * tenants' admins assign roles names its operator org in `platformOrgs`, so a tenant cannot grant
   * itself a platform role. `host.authorizer` is the result.
   */
  authorization?: AuthorizerOptions;
  /** Price table for run costs and billing events. */
  prices?: PriceBook;
  /** Org → Stripe customer; runs of unmapped orgs are not billed. */
  customers?: CustomerMapping;
  /** Publisher keys to trust. */
  trust?: readonly { publisher: string; publicKey: KeyInput }[];
  /** Receives governance notifications (default: none; they are still audited). */
  notifier?: ReviewNotifier;
  /** Sign Merkle checkpoints of the audit log with the host's ed25519 key (default: off; chain only). */
  auditCheckpoints?: AuditCheckpointPolicy;
  /** Where approved exports go (default: recorded in the audit trail only). */
  exportSink?: ExportSink;
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
   * Which runs are recorded for replay (`host.plugins.replay`), the size cap per run and the retention.
   * Who may replay is the `runs.replay` permission (`authorization.roles`). Default: nothing is recorded.
   */
  replay?: ReplayPolicyOptions;
}

export type { GovernedOutcome, HostInternals, InstallOutcome } from './facade/context.js';

/** Liveness of each backend, for `/readyz`. */
export interface HealthReport {
  ok: boolean;
  checks: Record<string, { ok: boolean; error?: string }>;
}

/**
 * The host: one object over every package, grouped by what a caller does. Every method that acts for
 * someone takes the actor first, parses its input (`INVALID_INPUT`) and checks the actor's permission
 * with {@link ExtensionHost.authorizer} (`FORBIDDEN`); reads are scoped to the actor's org.
 *
 * @example
 * ```ts
 * const host = await createExtensionHost();
 * await host.plugins.install(admin, { pluginId: 'sample-enricher' });
 * const r = await host.plugins.run(analyst, 'sample-enricher', { q: 'acme' });
 * const board = await host.finops.dashboard(admin);
 * ```
 */
export interface ExtensionHost {
  /** The catalog, installations, runs and replays, moderation and publisher keys. */
  readonly plugins: PluginsApi;
  /** Data contracts: registration, the ingest and export edges, enforcement, migrations, reads. */
  readonly contracts: ContractsApi;
  /** Governed requests and their reviews; entity merges. */
  readonly governance: GovernanceApi;
  /** Quotas, budget hints, kill switches and the dashboard of the actor's org. */
  readonly finops: FinOpsApi;
  /** The actor's org's slice of the audit trail. */
  readonly audit: AuditApi;
  /** Reads of the actor's org's graph and cases. */
  readonly graph: GraphApi;
  /** The prom-client registry of every meter (expose it on `/metrics`). */
  readonly metrics: Registry<RegistryContentType>;
  /** The host's one authorizer (from the `authorization` option): who may do what. */
  readonly authorizer: Authorizer;
  /**
   * The raw services, unchecked: for tests and advanced embedding (seeding data, custom transports).
   * Nothing here checks who calls, so request handlers must never use it; they use the namespaces above.
   */
  readonly internals: HostInternals;
  /** Liveness of each backend, for `/readyz`. */
  health(): Promise<HealthReport>;
  /** Closes the sandbox the host created and the stores it opened. */
  close(): Promise<void>;
}

/** Replays the enforcement modes from the audit chain, so a restart keeps them. */
async function restoreEnforcement(audit: AuditTrail, gates: ContractGates): Promise<void> {
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
}

/** The default ingest sink: records with `id` and `name` become entities of the org's graph. */
function graphIngestSink(graph: GraphStore) {
  return async ({ orgId, subject, records }: { orgId: string; subject: string; records: unknown[] }) => {
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
  };
}

function refuseOwnedAppliers(appliers: Record<string, Applier> | undefined): void {
  for (const kind of Object.keys(appliers ?? {}))
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
}

/** The services every other part of the host builds on: stores, audit, sandbox, FinOps, contracts. */
async function createFoundation(
  options: ExtensionHostOptions,
  clock: Clock,
  ids: IdSource,
  registry: Registry<RegistryContentType>,
) {
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
  const schemas = createSchemaRegistry({ store: stores.contracts, clock, audit: auditTrailHook(audit) });
  const gates = createContractGates({ registry: schemas, audit, finops });
  const migrations = createMigrationRules({ registry: schemas, store: stores.migrationRules, clock });
  const versioning: ContractVersioning = createContractVersioning({ registry: schemas, migrations, clock });
  const runVersions = createRunContractVersions({ versioning, migrations, finops });
  return { stores, audit, sandbox, ownsSandbox, finops, schemas, gates, migrations, versioning, runVersions };
}

type Foundation = Awaited<ReturnType<typeof createFoundation>>;

/**
 * The marketplace, governance (with the host's appliers) and the run guards over the foundation. They
 * refer to each other (a high-risk install opens a review whose applier installs), so services created
 * later are reached through getters.
 */
function createGoverned(
  options: ExtensionHostOptions,
  f: Foundation,
  wiring: { authorizer: Authorizer; tracer: Tracer; clock: Clock; ids: IdSource },
) {
  const { stores, audit, finops, gates, migrations, versioning } = f;
  const { authorizer, tracer, clock, ids } = wiring;
  // Only the host's own operations hold this token, so only they can open tasks of the host's kinds.
  const owner = createGovernanceOwner('@intelgraph/host');
  // Runs in flight re-check their kill switches, installation and grants; the guards are created once
  // the marketplace exists (the broker's change listener refers to them before then).
  let guards: RunGuards | undefined;
  const broker = new CapabilityBroker({
    store: stores.grants,
    audit,
    clock,
    onChange: (change) => {
      void guards?.invalidate({ org: change.orgId, plugin: change.pluginId });
    },
  });
  let governance: Governance | undefined;
  const governanceOf = (): Governance => {
    if (!governance) throw new IntelGraphError('UNAVAILABLE', 'the host is still starting');
    return governance;
  };
  const installRequests = createInstallRequests(stores.reviews);
  const marketplace: Marketplace = createMarketplace({
    store: stores.marketplace,
    broker,
    audit,
    clock,
    ids,
    ...(options.trust ? { trust: options.trust } : {}),
    authorizer,
    evict: (sha) => f.sandbox.evict(sha),
    onHighRiskInstall: highRiskInstallHook({
      governance: governanceOf,
      marketplace: () => marketplace,
      installRequests,
      owner,
    }),
  });
  const negotiation = { versioning, marketplace, store: stores.marketplace };
  const appliers: Record<string, Applier> = {
    ...(options.appliers ?? {}),
    ...createHostAppliers({
      marketplace,
      negotiation,
      graph: stores.graph,
      gates,
      migrations,
      versions: { versioning, migrations, finops },
      audit,
      governance: governanceOf,
      exportSink: options.exportSink,
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
  return { owner, broker, marketplace, negotiation, installRequests, governance, runGuards: guards };
}

/** Liveness of each backend (never the error's details to anyone but operators: see the server). */
async function healthOf(stores: ResolvedStores, finops: FinOps): Promise<HealthReport> {
  const checks: HealthReport['checks'] = {};
  const probe = async (name: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      checks[name] = { ok: true };
    } catch (err) {
      checks[name] = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  };
  const database = stores.database;
  if (database) await probe('database', () => database.ping());
  await probe('audit', () => stores.audit.head());
  await probe('quotas', () => finops.quotas.list('__health__'));
  await probe('graph', () => stores.graph.forOrg('__health__').search({ q: 'healthcheck', limit: 1 }));
  return { ok: Object.values(checks).every((c) => c.ok), checks };
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
 * await host.plugins.publish(null, signedPackage);
 * await host.plugins.install(admin, { pluginId: 'sample-enricher' });
 * const r = await host.plugins.run(analyst, 'sample-enricher', { q: 'acme' });
 * console.log(r.ok, r.cost, r.provenance);
 * await host.close();
 * ```
 */
export async function createExtensionHost(options: ExtensionHostOptions = {}): Promise<ExtensionHost> {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const authorizer = createAuthorizer(options.authorization);
  const replayPolicy = resolveReplayPolicy(options.replay);
  const registry = options.registry ?? new Registry();
  const tracer = hostTracer(options.tracerProvider);
  refuseOwnedAppliers(options.appliers);
  const f = await createFoundation(options, clock, ids, registry);
  const { stores, audit, sandbox, finops, schemas, gates, migrations } = f;
  const g = createGoverned(options, f, { authorizer, tracer, clock, ids });
  const graph = stores.graph;

  await restoreEnforcement(audit, gates);
  // Contract subjects label the contract-check meter; they are registered by stewards, so bounded.
  for (const subject of await schemas.listSubjects()) finops.meters.guard.register('subject', subject);

  const ctx: HostContext = {
    authorizer,
    stores,
    audit,
    marketplace: g.marketplace,
    governance: g.governance,
    finops,
    schemas,
    gates,
    migrations,
    versioning: f.versioning,
    negotiation: g.negotiation,
    sandbox,
    graph,
    cases: stores.cases,
    clock,
    ids,
    hostApi: options.hostApi ?? createPlatformHostApi({ graph, cases: stores.cases }),
    tracer,
    logger: options.logger,
    owner: g.owner,
    installRequests: g.installRequests,
    runGuards: g.runGuards,
    runVersions: f.runVersions,
    replayPolicy,
    views: createViews({
      audit,
      finops,
      governance: g.governance,
      contracts: schemas,
      gates,
      marketplaceStore: stores.marketplace,
      authorizer,
    }),
    edges: {
      gates,
      audit,
      governance: g.governance,
      owner: g.owner,
      ingestSink: options.ingestSink ?? graphIngestSink(graph),
      clock,
    },
  };

  return {
    plugins: createPluginsApi(ctx),
    contracts: createContractsApi(ctx),
    governance: createGovernanceApi(ctx),
    finops: createFinOpsApi(ctx),
    audit: createAuditApi(ctx),
    graph: createGraphApi(ctx),
    metrics: registry,
    authorizer,
    internals: Object.freeze({
      registry,
      audit,
      marketplace: withRenegotiatedUpdates(g.marketplace, g.negotiation),
      broker: g.broker,
      governance: g.governance,
      finops,
      schemas,
      gates,
      migrations,
      sandbox,
      graph,
      cases: stores.cases,
      clock,
    }),
    health: () => healthOf(stores, finops),
    async close() {
      if (f.ownsSandbox) await sandbox.close();
      await stores.close();
    },
  };
}
