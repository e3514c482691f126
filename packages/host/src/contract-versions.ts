import type { MigrationOperation, MigrationRules, SchemaRegistry } from '@intelgraph/contracts';
import {
  type Actor,
  acceptsContractVersion,
  type Clock,
  IntelGraphError,
  isIntelGraphError,
  type MarketplaceStore,
  type NegotiatedContractRecord,
  type PluginManifest,
  parseInput,
} from '@intelgraph/core';
import type { FinOps } from '@intelgraph/finops';
import type { InstallationView, Marketplace } from '@intelgraph/marketplace';
import { z } from 'zod';
import { NameSchema } from './inputs.js';
import { MAX_RULE_SAMPLES } from './review-kinds.js';

const Version = z.number().int().min(1).max(2_147_483_647);

/**
 * Input of `host.contracts.registerMigrationRule`: the rule (JSON Patch operations between two adjacent versions,
 * parsed in full by `@intelgraph/contracts`), its golden samples and the reason shown to reviewers.
 *
 * @example
 * ```ts
 * import { MigrationRuleRequestInput } from '@intelgraph/host';
 * MigrationRuleRequestInput.safeParse({ subject: 'person', from: 1, to: 2, operations: [], samples: [], reason: 'r' }).success; // true
 * ```
 */
export const MigrationRuleRequestInput = z
  .object({
    subject: NameSchema,
    from: Version,
    to: Version,
    operations: z.array(z.json()).max(200),
    description: z.string().max(500).optional(),
    samples: z.array(z.json()).max(MAX_RULE_SAMPLES),
    reason: z.string().trim().min(1).max(2000),
  })
  .strict();

/** What `host.contracts.registerMigrationRule` takes. */
export type MigrationRuleRequest = Omit<z.input<typeof MigrationRuleRequestInput>, 'operations'> & {
  operations: MigrationOperation[];
};

/**
 * Input of `host.contracts.deprecateVersion`: `until` is an ISO-8601 date-time (the end of the window),
 * or `null` to lift the deprecation.
 *
 * @example
 * ```ts
 * import { DeprecateVersionInput } from '@intelgraph/host';
 * DeprecateVersionInput.parse({ subject: 'person', version: 1, until: '2027-01-01T00:00:00Z', reason: 'v3 is out' });
 * ```
 */
export const DeprecateVersionInput = z
  .object({
    subject: NameSchema,
    version: Version,
    until: z.iso.datetime({ offset: true }).nullable(),
    reason: z.string().trim().min(1).max(2000),
  })
  .strict();

/** A manifest's contract reference (`inputSchema` / `outputSchema`). */
type ManifestRef = NonNullable<PluginManifest['inputSchema']>;

const names = (ref: ManifestRef): boolean =>
  ref.version !== undefined || ref.versions !== undefined || ref.range !== undefined;

/** The negotiation and run-time side of contract versions, as the host uses it. */
export interface ContractVersioning {
  /**
   * Picks, per edge whose manifest reference names a version, list or range, the newest live version the
   * plugin accepts that a migration path reaches from the subject's current version (input) and back
   * to it (output). An edge without such a reference, or whose subject is not registered yet, is served
   * the current version as before and gets no record. Throws `SCHEMA_INCOMPATIBLE` naming the missing
   * step (`details.reason: 'no_migration_path'`), the window of a deprecated version past it
   * (`'deprecation_window_ended'`), or that no live version is accepted (`'no_accepted_version'`).
   */
  negotiate(manifest: PluginManifest): Promise<NegotiatedContractRecord[]>;
  /** The subject's current (latest live) version, cached until {@link ContractVersioning.refresh}. */
  current(subject: string): Promise<number>;
  /** Drops what is cached of a subject (a new version, rule or deprecation). */
  refresh(subject: string): void;
}

/**
 * Creates the host's contract versioning over its registry and migration rules.
 *
 * @example
 * ```ts
 * const versioning = createContractVersioning({ registry, migrations, clock });
 * const negotiated = await versioning.negotiate(manifest); // [{ edge: 'input', subject: 'person', version: 1, negotiatedAt: 3 }]
 * ```
 */
export function createContractVersioning(deps: {
  registry: SchemaRegistry;
  migrations: MigrationRules;
  clock: Clock;
}): ContractVersioning {
  const { registry, migrations, clock } = deps;
  const currents = new Map<string, Promise<number>>();
  const current = (subject: string): Promise<number> => {
    let p = currents.get(subject);
    if (!p) {
      p = registry.getLatest(subject).then((r) => r.version);
      p.catch(() => currents.delete(subject));
      currents.set(subject, p);
    }
    return p;
  };

  async function negotiateEdge(
    edge: 'input' | 'output',
    ref: ManifestRef,
  ): Promise<NegotiatedContractRecord | null> {
    let now: number;
    try {
      now = await current(ref.subject);
    } catch (e) {
      if (isIntelGraphError(e, 'NOT_FOUND')) return null;
      throw e;
    }
    const live = (await registry.listVersions(ref.subject)).map((v) => v.version).sort((a, b) => b - a);
    const accepted = live.filter((v) => acceptsContractVersion(ref, v));
    const spec = ref.version ?? ref.versions?.join(', ') ?? ref.range;
    if (accepted.length === 0)
      throw new IntelGraphError(
        'SCHEMA_INCOMPATIBLE',
        `${edge} contract ${ref.subject}: the plugin accepts ${spec}, and no live version matches (current is ${now})`,
        { details: { reason: 'no_accepted_version', edge, subject: ref.subject, current: now } },
      );
    const windows = new Map(
      (await migrations.deprecations(ref.subject)).map((d) => [d.version, d.until] as const),
    );
    let first: IntelGraphError | null = null;
    for (const version of accepted) {
      const until = windows.get(version);
      if (until !== undefined && Date.parse(until) <= clock.now()) {
        first ??= new IntelGraphError(
          'SCHEMA_INCOMPATIBLE',
          `${edge} contract ${ref.subject}@${version} was deprecated with a window that ended ${until}: it no longer negotiates`,
          {
            details: { reason: 'deprecation_window_ended', edge, subject: ref.subject, version, until },
          },
        );
        continue;
      }
      try {
        await migrations.path(
          ref.subject,
          edge === 'input' ? now : version,
          edge === 'input' ? version : now,
        );
        return { edge, subject: ref.subject, version, negotiatedAt: now };
      } catch (e) {
        if (!isIntelGraphError(e, 'NOT_FOUND')) throw e;
        const d = e.details as { from?: number; to?: number };
        first ??= new IntelGraphError('SCHEMA_INCOMPATIBLE', `${edge} contract: ${e.message}`, {
          details: {
            reason: 'no_migration_path',
            edge,
            subject: ref.subject,
            version,
            missing: { from: d.from, to: d.to },
          },
        });
      }
    }
    throw first as IntelGraphError;
  }

  return {
    async negotiate(manifest) {
      const out: NegotiatedContractRecord[] = [];
      for (const [edge, ref] of [
        ['input', manifest.inputSchema],
        ['output', manifest.outputSchema],
      ] as const) {
        if (!ref || !names(ref)) continue;
        const r = await negotiateEdge(edge, ref);
        if (r) out.push(r);
      }
      return out;
    },
    current,
    refresh(subject) {
      currents.delete(subject);
      migrations.refresh(subject);
    },
  };
}

/** What {@link negotiatedInstall} needs. */
export interface NegotiatedInstallDeps {
  versioning: ContractVersioning;
  marketplace: Marketplace;
  store: MarketplaceStore;
}

async function plannedManifest(
  deps: NegotiatedInstallDeps,
  pluginId: string,
  version: string | undefined,
): Promise<{ version: string; manifest: PluginManifest } | null> {
  const detail = await deps.marketplace.detail(pluginId).catch(() => null);
  if (!detail) return null;
  const chosen =
    version === undefined
      ? detail.latestVersion
      : detail.versions.some((v) => v.version === version)
        ? version
        : null;
  if (chosen === null) return null;
  const record = await deps.store.getVersion(pluginId, chosen);
  return record ? { version: chosen, manifest: record.manifest as unknown as PluginManifest } : null;
}

/**
 * Installs through `install` with contract versions negotiated: before anything is written when the
 * version to install is known (no version, or an exact one), so a refused negotiation writes nothing;
 * for a range, against the installed manifest, uninstalling again when it is refused. The negotiated
 * versions are stored on the installation (when there are any).
 *
 * @example
 * ```ts
 * const view = await negotiatedInstall(deps, actor, { pluginId: 'p' }, () => marketplace.install(actor, { pluginId: 'p' }));
 * view.contracts; // [{ edge: 'input', subject: 'person', version: 1, negotiatedAt: 3 }]
 * ```
 */
export async function negotiatedInstall(
  deps: NegotiatedInstallDeps,
  actor: Actor,
  input: { pluginId: string; version?: string | undefined },
  install: () => Promise<InstallationView>,
): Promise<InstallationView> {
  const planned = await plannedManifest(deps, input.pluginId, input.version);
  const early = planned ? await deps.versioning.negotiate(planned.manifest) : null;
  const view = await install();
  let negotiated = planned?.version === view.version ? early : null;
  if (negotiated === null) {
    try {
      const installed = await deps.marketplace.installation(view.orgId, view.pluginId);
      negotiated = await deps.versioning.negotiate(installed.manifest);
    } catch (e) {
      await deps.marketplace.uninstall(actor, view.pluginId);
      throw e;
    }
  }
  if (negotiated.length === 0) return view;
  const updated = await deps.store.updateInstallation(view.orgId, view.pluginId, { contracts: negotiated });
  return { ...view, contracts: updated.contracts ?? negotiated, revision: updated.revision };
}

/**
 * Renegotiates an installation's contract versions after its plugin moved to another version (an update
 * or an auto-update): the new manifest may accept other versions. Stores the new versions; when the new
 * manifest cannot be served, disables the installation (`contract_unnegotiable`, so no run uses versions
 * negotiated for the old code) and throws the negotiation's typed error (`SCHEMA_INCOMPATIBLE` naming the
 * missing step or the ended window). An update or a reinstall once a path exists negotiates again.
 *
 * @example
 * ```ts
 * const view = await renegotiateInstallation(deps, await marketplace.update(actor, 'p', { version: '2.0.0' }));
 * ```
 */
export async function renegotiateInstallation(
  deps: NegotiatedInstallDeps,
  view: InstallationView,
): Promise<InstallationView> {
  // The moved-to version's manifest, read from the catalog (the installation may be disabled until consent).
  const record = await deps.store.getVersion(view.pluginId, view.version);
  if (!record) throw new IntelGraphError('NOT_FOUND', `no version ${view.pluginId}@${view.version}`);
  let negotiated: NegotiatedContractRecord[];
  try {
    negotiated = await deps.versioning.negotiate(record.manifest as unknown as PluginManifest);
  } catch (e) {
    await deps.store.updateInstallation(view.orgId, view.pluginId, {
      status: 'disabled',
      disabledReason: 'contract_unnegotiable',
      contracts: [],
    });
    throw e;
  }
  const updated = await deps.store.updateInstallation(view.orgId, view.pluginId, { contracts: negotiated });
  return { ...view, contracts: updated.contracts ?? negotiated, revision: updated.revision };
}

/**
 * The marketplace the host hands out: `update` and `autoUpdate` renegotiate contract versions for the
 * version they move to ({@link renegotiateInstallation}); an auto-update whose new version cannot be
 * served leaves that installation disabled and moves on to the others.
 *
 * @example
 * ```ts
 * const market = withRenegotiatedUpdates(marketplace, deps);
 * await market.update(admin, 'sample-enricher', { version: '2.0.0' });
 * ```
 */
export function withRenegotiatedUpdates(marketplace: Marketplace, deps: NegotiatedInstallDeps): Marketplace {
  return {
    ...marketplace,
    async update(actor, pluginId, input) {
      return renegotiateInstallation(deps, await marketplace.update(actor, pluginId, input));
    },
    async autoUpdate(actor) {
      const out: InstallationView[] = [];
      for (const view of await marketplace.autoUpdate(actor)) {
        out.push(
          await renegotiateInstallation(deps, view).catch(() => ({
            ...view,
            status: 'disabled' as const,
            disabledReason: 'contract_unnegotiable' as const,
            contracts: [],
          })),
        );
      }
      return out;
    },
  };
}

/** One migration a plugin run made on an edge: both versions and the rules applied (`from>to`). */
export interface ContractMigrationTrace {
  subject: string;
  from: number;
  to: number;
  rules: string[];
}

/** The run-time side: records migrated between the subject's current version and the plugin's. */
export interface RunContractVersions {
  /**
   * Migrates a run's input (current → served) or output (served → current) when the installation
   * negotiated that edge and the versions differ; otherwise returns the value untouched, reading
   * nothing (the current version is cached). `CONTRACT_VIOLATION` when the migrated record fails.
   */
  edge(
    negotiated: readonly NegotiatedContractRecord[] | undefined,
    edge: 'input' | 'output',
    value: unknown,
  ): Promise<{ value: unknown; version: number | undefined; trace: ContractMigrationTrace | null }>;
}

/**
 * Creates the run-time migrator of the host's plugin runs; it counts migrations in
 * `intelgraph_contract_migrations_total{subject,from,to}`.
 *
 * @example
 * ```ts
 * const versions = createRunContractVersions({ versioning, migrations, finops });
 * const { value, trace } = await versions.edge(installation.contracts, 'input', input);
 * ```
 */
export function createRunContractVersions(deps: {
  versioning: ContractVersioning;
  migrations: MigrationRules;
  finops: Pick<FinOps, 'meters'>;
}): RunContractVersions {
  return {
    async edge(negotiated, edge, value) {
      const n = negotiated?.find((c) => c.edge === edge);
      if (!n) return { value, version: undefined, trace: null };
      const current = await deps.versioning.current(n.subject);
      if (current === n.version) return { value, version: n.version, trace: null };
      const [from, to] = edge === 'input' ? [current, n.version] : [n.version, current];
      const r = await deps.migrations.migrate(n.subject, [value], { from, to });
      if (!r.ok)
        throw new IntelGraphError(
          'CONTRACT_VIOLATION',
          `${edge} of ${n.subject} does not migrate from version ${from} to ${to}: ${r.failures[0]?.issues[0]?.message ?? 'invalid'}`,
          { details: { subject: n.subject, from, to, edge, failures: r.failures } },
        );
      deps.finops.meters.recordContractMigration({ subject: n.subject, from, to });
      const rules = r.steps.filter((s) => s.via === 'rule').map((s) => `${s.from}>${s.to}`);
      return { value: r.records[0], version: n.version, trace: { subject: n.subject, from, to, rules } };
    },
  };
}

const BatchVersion = z.number().int().min(1).max(2_147_483_647).optional();

/**
 * Migrates a batch between versions of a subject for `ingest` (written under `from`, up to the current
 * version before the gate) and `export` (down to the version the consumer asked for, after the gate).
 * Returns the records untouched when the versions are equal (reading nothing but the cached current
 * version). `INVALID_INPUT` for a bad version, `NOT_FOUND` naming a missing step, `CONTRACT_VIOLATION`
 * with the failing records when one does not migrate.
 *
 * @example
 * ```ts
 * const up = await migrateBatch({ versioning, migrations, finops }, 'person', batch, { from: 1, to: 'current' });
 * ```
 */
export async function migrateBatch(
  deps: { versioning: ContractVersioning; migrations: MigrationRules; finops: Pick<FinOps, 'meters'> },
  subject: string,
  records: unknown[],
  versions: { from: number | 'current'; to: number | 'current' },
): Promise<{ records: unknown[]; from: number; to: number; rules: string[] }> {
  const parsed = {
    from: versions.from === 'current' ? undefined : parseInput(BatchVersion, versions.from, 'version'),
    to: versions.to === 'current' ? undefined : parseInput(BatchVersion, versions.to, 'version'),
  };
  const current = await deps.versioning.current(subject);
  const from = parsed.from ?? current;
  const to = parsed.to ?? current;
  if (from === to) return { records, from, to, rules: [] };
  if (!Array.isArray(records))
    throw new IntelGraphError('INVALID_INPUT', 'a batch must be an array of records');
  const r = await deps.migrations.migrate(subject, records, { from, to });
  if (!r.ok)
    throw new IntelGraphError(
      'CONTRACT_VIOLATION',
      `${r.failures.length} of ${records.length} record(s) of ${subject} do not migrate from version ${from} to ${to}`,
      { details: { subject, from, to, failures: r.failures.slice(0, 100) } },
    );
  deps.finops.meters.recordContractMigration({ subject, from, to, count: records.length });
  return {
    records: r.records,
    from,
    to,
    rules: r.steps.filter((s) => s.via === 'rule').map((s) => `${s.from}>${s.to}`),
  };
}
