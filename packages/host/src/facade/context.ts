import type { CapabilityBroker, HostApi } from '@intelgraph/capabilities';
import type { MigrationRules, SchemaRegistry } from '@intelgraph/contracts';
import {
  type Actor,
  ActorSchema,
  type AuditTrail,
  type Authorizer,
  type CaseStore,
  type Clock,
  type GraphStore,
  type IdSource,
  parseInput,
} from '@intelgraph/core';
import type { FinOps } from '@intelgraph/finops';
import type { Governance, GovernanceOwner, ReviewTaskView } from '@intelgraph/governance';
import type { InstallationView, Marketplace } from '@intelgraph/marketplace';
import type { Sandbox } from '@intelgraph/sandbox';
import type { Tracer } from '@opentelemetry/api';
import type { Registry, RegistryContentType } from 'prom-client';
import type { ContractGates } from '../contract-gates.js';
import type { ContractVersioning, NegotiatedInstallDeps, RunContractVersions } from '../contract-versions.js';
import type { EdgeDeps } from '../edges.js';
import type { InstallRequests } from '../install-requests.js';
import type { ReplayPolicy } from '../replay-recorder.js';
import type { RunGuards } from '../run-guard.js';
import type { ResolvedStores } from '../stores.js';
import type { HostLogger } from '../tracing.js';
import type { HostViews } from '../views.js';

/**
 * Result of an install that may wait for governance.
 *
 * @example
 * ```ts
 * const o = await host.plugins.install(admin, { pluginId: 'tagger' });
 * if (o.status === 'pending_review') console.log('waiting for review', o.reviewTask.id);
 * ```
 */
export type InstallOutcome =
  | { status: 'installed'; installation: InstallationView }
  | { status: 'pending_review'; reviewTask: ReviewTaskView };

/**
 * Result of an operation routed through governance (enforcement changes, merges, migration rules).
 *
 * @example
 * ```ts
 * const o = await host.governance.mergeEntities(analyst, { survivorId: 'p-1', mergedId: 'p-2', reason: 'same person' });
 * console.log(o.status); // 'pending_review' until a steward approves
 * ```
 */
export type GovernedOutcome =
  | { status: 'applied'; reviewTask: ReviewTaskView }
  | { status: 'pending_review'; reviewTask: ReviewTaskView };

/**
 * The raw services a host composes. Reached through `host.internals`: nothing here checks who calls,
 * so it is for tests and advanced embedding (seeding data, wiring another transport), never for code
 * that acts for a request's actor.
 *
 * @example
 * ```ts
 * // A seed script loads an org's graph directly (no actor, no checks):
 * await host.internals.graph.forOrg('acme').upsert({ entities: [{ id: 'p-1', type: 'Person', name: 'Ada' }] });
 * ```
 */
export interface HostInternals {
  /** prom-client registry of every meter (also `host.metrics`). */
  readonly registry: Registry<RegistryContentType>;
  /** The hash-chained audit trail (every org's events). */
  readonly audit: AuditTrail;
  /** The marketplace (updates renegotiate contract versions like `host.plugins.update`). */
  readonly marketplace: Marketplace;
  readonly broker: CapabilityBroker;
  readonly governance: Governance;
  readonly finops: FinOps;
  /** The schema registry shared by every org. */
  readonly schemas: SchemaRegistry;
  readonly gates: ContractGates;
  /** Migration rules between contract versions, and version deprecations. */
  readonly migrations: MigrationRules;
  readonly sandbox: Sandbox;
  /** The knowledge graph, partitioned by org: `graph.forOrg(orgId)`. */
  readonly graph: GraphStore;
  /** Cases; every call names its org. */
  readonly cases: CaseStore;
  readonly clock: Clock;
}

/** What every facade namespace shares: the services, the authorizer and the host's helpers. */
export interface HostContext {
  readonly authorizer: Authorizer;
  readonly stores: ResolvedStores;
  readonly audit: AuditTrail;
  /** The raw marketplace (updates do not renegotiate; use `negotiation` for that). */
  readonly marketplace: Marketplace;
  readonly governance: Governance;
  readonly finops: FinOps;
  readonly schemas: SchemaRegistry;
  readonly gates: ContractGates;
  readonly migrations: MigrationRules;
  readonly versioning: ContractVersioning;
  readonly negotiation: NegotiatedInstallDeps;
  readonly sandbox: Sandbox;
  readonly graph: GraphStore;
  readonly cases: CaseStore;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly hostApi: HostApi;
  readonly tracer: Tracer;
  readonly logger: HostLogger | undefined;
  readonly owner: GovernanceOwner;
  readonly installRequests: InstallRequests;
  readonly runGuards: RunGuards;
  readonly runVersions: RunContractVersions;
  readonly replayPolicy: ReplayPolicy;
  readonly views: HostViews;
  readonly edges: EdgeDeps;
}

/** Parses an actor at the facade's boundary (`INVALID_INPUT` when malformed). */
export const actorOf = (input: unknown): Actor => parseInput(ActorSchema, input, 'actor');

/** A review task as a governed outcome: still pending, or already applied by its applier. */
export const governed = (task: ReviewTaskView): GovernedOutcome =>
  task.state === 'pending'
    ? { status: 'pending_review', reviewTask: task }
    : { status: 'applied', reviewTask: task };
