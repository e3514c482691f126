import { CapabilityBroker, type HostApi } from '@intelgraph/capabilities';
import {
  auditTrailHook,
  type CompatibilityMode,
  createSchemaRegistry,
  type GateEdge,
  type GateMode,
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
import { Registry } from 'prom-client';
import { z } from 'zod';
import { type ContractGates, createContractGates } from './contract-gates.js';
import { type EdgeResult, runEdge } from './edges.js';
import { NameSchema } from './inputs.js';
import { createPlatformHostApi } from './platform-api.js';
import { type PluginRunResult, runPlugin } from './plugin-run.js';
import { defaultPolicies, HOST_REVIEW_KINDS } from './policies.js';
import { type HostDatabase, type HostStores, type ResolvedStores, resolveStores } from './stores.js';
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
  /** Extra appliers for the host's own review kinds. */
  appliers?: Record<string, Applier>;
  /** Price table for run costs and billing events. */
  prices?: PriceBook;
  /** Org → Stripe customer; runs of unmapped orgs are not billed. */
  customers?: CustomerMapping;
  /** Publisher keys to trust. */
  trust?: readonly { publisher: string; publicKey: KeyInput }[];
  /** Receives governance notifications (default: none; they are still audited). */
  notifier?: ReviewNotifier;
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
  registry?: Registry;
  clock?: Clock;
  ids?: IdSource;
  /** Structured logger for background failures (default: none). */
  logger?: { warn(message: string, details?: Record<string, unknown>): void };
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
  readonly registry: Registry;
  readonly audit: AuditTrail;
  readonly marketplace: Marketplace;
  readonly broker: CapabilityBroker;
  readonly governance: Governance;
  readonly finops: FinOps;
  readonly contracts: SchemaRegistry;
  readonly gates: ContractGates;
  readonly sandbox: Sandbox;
  readonly graph: GraphStore;
  readonly cases: CaseStore;
  readonly clock: Clock;

  /** Publishes a signed plugin package (the publisher's key must be trusted). */
  publish(actor: Actor | null, pkg: unknown): ReturnType<Marketplace['publish']>;
  /** Installs with the required scopes and the chosen optional ones; high-risk installs wait for review. */
  install(
    actor: Actor,
    input: { pluginId: string; version?: string; grant?: string[]; approvalRef?: string },
  ): Promise<InstallOutcome>;
  uninstall(actor: Actor, pluginId: string): Promise<{ revoked: string[] }>;
  /** Sets the optional scopes the org grants (adding may need review when it makes the plugin high-risk). */
  setOptionalScopes(actor: Actor, pluginId: string, scopes: string[]): Promise<InstallOutcome>;
  /** The hot path: kill switch, installation, quota, contracts, sandbox, settle, audit. */
  runPlugin(actor: Actor, pluginId: string, input: unknown): Promise<PluginRunResult>;
  registerContract(
    actor: Actor,
    input: { subject: string; format: 'json' | 'avro'; schema: unknown; compatibility?: CompatibilityMode },
  ): ReturnType<SchemaRegistry['register']>;
  /** Checks records against a contract without writing anything (the contract test runner). */
  testContract(
    actor: Actor,
    input: { subject: string; version?: number; records: unknown[] },
  ): Promise<EdgeResult>;
  /** Ingest under the subject's contract: a failing batch is rejected whole, with patches suggested. */
  ingest(actor: Actor, subject: string, batch: unknown[]): Promise<EdgeResult>;
  /** Export under the subject's contract; exports over the policy threshold wait for approval. */
  export(
    actor: Actor,
    subject: string,
    batch: unknown[],
    options?: { destination?: string; reason?: string },
  ): Promise<EdgeResult>;
  /** Changes a contract's enforcement mode on an edge, through governance. */
  setEnforcement(
    actor: Actor,
    input: { subject: string; edge: GateEdge; mode: GateMode; reason: string },
  ): Promise<GovernedOutcome>;
  /** Merges two graph entities, through governance. */
  mergeEntities(
    actor: Actor,
    input: { survivorId: string; mergedId: string; reason: string },
  ): Promise<GovernedOutcome>;
  request: Governance['request'];
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

const actorOf = (input: unknown): Actor => parseInput(ActorSchema, input, 'actor');

const EnforcementInput = z
  .object({
    subject: NameSchema,
    edge: z.enum(['ingest', 'export']),
    mode: z.enum(['enforce', 'warn', 'off']),
    reason: z.string().min(1).max(2000),
  })
  .strict();

const StoredActor = z.object({ userId: z.string(), orgId: z.string(), roles: z.array(z.string()) }).strict();

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
  const registry = options.registry ?? new Registry();
  const stores: ResolvedStores = await resolveStores({
    ...(options.database === undefined ? {} : { database: options.database }),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.stores === undefined ? {} : { stores: options.stores }),
    clock,
    ids,
  });
  const audit = createAuditTrail({ store: stores.audit, clock, ids });
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
  });
  const broker = new CapabilityBroker({ store: stores.grants, audit, clock });
  const contracts = createSchemaRegistry({ store: stores.contracts, clock, audit: auditTrailHook(audit) });
  const gates = createContractGates({ registry: contracts, audit, finops });

  // Governance is created after the marketplace hook below refers to it; a holder breaks the cycle.
  let governance!: Governance;
  const marketplace = createMarketplace({
    store: stores.marketplace,
    broker,
    audit,
    clock,
    ids,
    ...(options.trust ? { trust: options.trust } : {}),
    evict: (sha) => sandbox.evict(sha),
    onHighRiskInstall: async (req): Promise<HighRiskDecision> => {
      if (req.approvalRef) {
        const task = await governance.get(req.actor, req.approvalRef);
        const p = task.payload as { pluginId?: string; scopes?: string[] };
        const covers =
          task.kind === HOST_REVIEW_KINDS.pluginInstall &&
          p.pluginId === req.pluginId &&
          req.adding.every((s) => p.scopes?.includes(s));
        if (covers && (task.state === 'approved' || task.state === 'applied'))
          return { status: 'approved', ref: task.id };
        if (covers && task.state === 'pending') return { status: 'pending', ref: task.id };
        return {
          status: 'denied',
          reason: `review ${task.id} does not approve this change (state ${task.state})`,
        };
      }
      const task = await governance.request(req.actor, {
        kind: HOST_REVIEW_KINDS.pluginInstall,
        reason: `${req.action} ${req.pluginId}@${req.version} adds high-risk scopes: ${req.adding.join(', ')}`,
        payload: {
          action: req.action,
          pluginId: req.pluginId,
          version: req.version,
          scopes: req.scopes,
          adding: req.adding,
          actor: { userId: req.actor.userId, orgId: req.actor.orgId, roles: [...req.actor.roles] },
        },
      });
      return task.state === 'pending'
        ? { status: 'pending', ref: task.id }
        : { status: 'approved', ref: task.id };
    },
  });

  const graph = stores.graph;
  const hostApi = options.hostApi ?? createPlatformHostApi({ graph, cases: stores.cases });

  const ingestSink =
    options.ingestSink ??
    (async ({ subject, records }) => {
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
      if (entities.length > 0) await graph.upsert({ entities });
    });

  const requesterOf = (task: ReviewTaskView): Actor => {
    const p = task.payload as { actor?: unknown };
    const parsed = StoredActor.safeParse(p.actor);
    if (!parsed.success) throw new IntelGraphError('INVALID_INPUT', `review ${task.id} carries no requester`);
    return parsed.data;
  };

  const appliers: Record<string, Applier> = {
    [HOST_REVIEW_KINDS.pluginInstall]: async (task) => {
      const p = task.payload as { action: string; pluginId: string; version: string; scopes: string[] };
      const actor = requesterOf(task);
      if (p.action === 'install') {
        // The review covers every scope; the install call takes only the optional ones the org chose.
        const version = (await marketplace.detail(p.pluginId)).versions.find((v) => v.version === p.version);
        const optional = p.scopes.filter((s) => version?.optionalScopes.includes(s));
        return marketplace.install(actor, {
          pluginId: p.pluginId,
          version: p.version,
          grant: optional,
          approvalRef: task.id,
        });
      }
      if (p.action === 'consent') return marketplace.consent(actor, p.pluginId, { approvalRef: task.id });
      return marketplace.setOptionalScopes(actor, p.pluginId, { scopes: p.scopes, approvalRef: task.id });
    },
    [HOST_REVIEW_KINDS.entityMerge]: async (task) => {
      const p = task.payload as { survivorId: string; mergedId: string };
      const r = await graph.merge({ survivorId: p.survivorId, mergedId: p.mergedId });
      return { survivorId: r.entity.id, relationshipsMoved: r.relationshipsMoved };
    },
    [HOST_REVIEW_KINDS.contractEnforcement]: async (task) => {
      const p = task.payload as { subject: string; edge: GateEdge; mode: GateMode };
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
    [HOST_REVIEW_KINDS.export]: async (task) => {
      const p = task.payload as {
        subject: string;
        records: number;
        destination: string | null;
        digest: string;
      };
      const actor = requesterOf(task);
      const batchRef = task.evidence.find((e) => e.name === 'export-batch.json');
      if (!batchRef) throw new IntelGraphError('NOT_FOUND', `review ${task.id} has no export batch attached`);
      const { bytes } = await governance.evidence(actor, task.id, batchRef.sha256);
      const records = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown[];
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
        data: { reviewId: task.id, records: records.length, digest: p.digest, destination: p.destination },
      });
      return { delivered: records.length };
    },
    ...(options.appliers ?? {}),
  };

  const policies = new Map<string, PolicyInput>(defaultPolicies().map((p) => [p.kind, p]));
  for (const p of options.policies ?? []) policies.set(p.kind, p);
  governance = createGovernance({
    policies: [...policies.values()],
    appliers,
    store: stores.reviews,
    clock,
    ids,
    audit,
    ...(options.notifier ? { notifier: options.notifier } : {}),
    auditorRoles: ['admin', 'auditor'],
  });

  // Enforcement modes are replayed from the audit chain, so a restart keeps them.
  for (let after: number | undefined; ; ) {
    const page = await audit.list({
      type: 'contract.enforcement.set',
      limit: 1000,
      ...(after === undefined ? {} : { afterSeq: after }),
    });
    for (const e of page) {
      const d = e.data as { subject: string; edge: GateEdge; mode: GateMode };
      gates.setMode(d.subject, d.edge, d.mode);
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
        return { status: 'pending_review', reviewTask: await governance.get(actor, ref) };
      }
      throw err;
    }
  };

  const edgeDeps = { gates, audit, governance, ingestSink, clock };
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
    marketplace,
    broker,
    governance,
    finops,
    contracts,
    gates,
    sandbox,
    graph,
    cases: stores.cases,
    clock,
    publish: async (actor, pkg) => marketplace.publish(pkg, actor ? { actor: actorOf(actor) } : {}),
    install: async (actorInput, input) => {
      const actor = actorOf(actorInput);
      return installOutcome(actor, () => marketplace.install(actor, input));
    },
    uninstall: async (actor, pluginId) => marketplace.uninstall(actorOf(actor), pluginId),
    setOptionalScopes: async (actorInput, pluginId, scopes) => {
      const actor = actorOf(actorInput);
      return installOutcome(actor, () => marketplace.setOptionalScopes(actor, pluginId, { scopes }));
    },
    runPlugin: async (actor, pluginId, input) =>
      runPlugin(
        { marketplace, finops, sandbox, gates, hostApi, audit, ids },
        actorOf(actor),
        parseInput(NameSchema, pluginId, 'pluginId'),
        input,
      ),
    registerContract: async (actorInput, input) => {
      const actor = actorOf(actorInput);
      requireRole(actor, [...ADMIN_ROLES, 'steward'], 'registering a contract');
      const r = await contracts.register(input.subject, { format: input.format, schema: input.schema });
      finops.meters.guard.register('subject', input.subject);
      if (input.compatibility) await contracts.setCompatibility(input.compatibility, input.subject);
      gates.refresh(input.subject);
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
    ingest: async (actor, subject, batch) =>
      runEdge(edgeDeps, actorOf(actor), { edge: 'ingest', subject, records: batch }),
    export: async (actor, subject, batch, opts = {}) =>
      runEdge(edgeDeps, actorOf(actor), {
        edge: 'export',
        subject,
        records: batch,
        destination: opts.destination ?? null,
        reason: opts.reason,
      }),
    setEnforcement: async (actorInput, raw) => {
      const actor = actorOf(actorInput);
      const input = parseInput(EnforcementInput, raw, 'enforcement');
      const task = await governance.request(actor, {
        kind: HOST_REVIEW_KINDS.contractEnforcement,
        reason: input.reason,
        payload: { subject: input.subject, edge: input.edge, mode: input.mode },
      });
      return governed(task);
    },
    mergeEntities: async (actorInput, input) => {
      const actor = actorOf(actorInput);
      for (const id of [input.survivorId, input.mergedId]) {
        if (!(await graph.getEntity(id))) throw new IntelGraphError('NOT_FOUND', `no entity ${id}`);
      }
      const task = await governance.request(actor, {
        kind: HOST_REVIEW_KINDS.entityMerge,
        reason: input.reason,
        payload: { survivorId: input.survivorId, mergedId: input.mergedId },
      });
      return governed(task);
    },
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
    killSwitch: async (actorInput, input) => {
      const actor = actorOf(actorInput);
      requireRole(actor, ADMIN_ROLES, 'the kill switch');
      if (input.scope === 'global' && !actor.roles.includes('platform-admin')) {
        throw new IntelGraphError('FORBIDDEN', 'the global kill switch needs the platform-admin role');
      }
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
      await probe('graph', () => graph.search({ q: 'healthcheck', limit: 1 }));
      return { ok: Object.values(checks).every((c) => c.ok), checks };
    },
    async close() {
      if (ownsSandbox) await sandbox.close();
      await stores.close();
    },
  };
  return host;
}
