import {
  applyMappingPatch,
  type CompatibilityMode,
  checkCompatibility,
  diffSchemas,
  type SchemaRegistry,
} from '@intelgraph/contracts';
import type {
  Actor,
  AuditEvent,
  AuditTrail,
  AuditVerification,
  Authorizer,
  JsonValue,
  MarketplaceStore,
  RatingRecord,
} from '@intelgraph/core';
import { IntelGraphError } from '@intelgraph/core';
import { type FinOps, priceUsage } from '@intelgraph/finops';
import type { Governance } from '@intelgraph/governance';
import type { ContractGates } from './contract-gates.js';
import type { EdgeRecordResult } from './edges.js';

// Read models for dashboards and API views. They are computed from the audit chain and the stores,
// always scoped to the actor's org, so a restarted host shows the same history.

const EVENT_WINDOW = 5_000;

async function recentEvents(
  audit: AuditTrail,
  query: { type: string; orgId: string; subject?: string },
): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  let afterSeq: number | undefined;
  for (;;) {
    const page = await audit.list({ ...query, limit: 1000, ...(afterSeq === undefined ? {} : { afterSeq }) });
    out.push(...page);
    if (out.length > EVENT_WINDOW) out.splice(0, out.length - EVENT_WINDOW);
    if (page.length < 1000) return out;
    afterSeq = page.at(-1)?.seq;
  }
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i] ?? null;
}

const num = (v: JsonValue | undefined): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/**
 * The usage of a `plugin.run` event whose code reached the sandbox, or `null` for a run refused before it
 * (input contract, hostile input): refusals are denials, never a 0 ms sample in latency or cost figures.
 */
function executedUsage(e: AuditEvent): Record<string, JsonValue> | null {
  const usage = (e.data as Record<string, JsonValue>).usage;
  return typeof usage === 'object' && usage !== null && !Array.isArray(usage) ? usage : null;
}

/** How many recent executed runs the budget preview's percentiles look at. */
const HINT_WINDOW = 200;

const sortedNumbers = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);

/** One plugin's run statistics for an org. */
export interface PluginUsageView {
  pluginId: string;
  /** Runs whose code executed in the sandbox (the basis of latency and cost). */
  runs: number;
  /** Executed runs that failed (plugin error, budget, output contract). */
  errors: number;
  /** Runs refused before executing: kill switch, quota, not installed, input contract. */
  denied: number;
  p50Ms: number | null;
  p95Ms: number | null;
  cpuMs: number;
  rows: number;
  cost: number;
}

/** Everything the FinOps dashboard shows for an org. */
export interface DashboardView {
  currency: string;
  plugins: PluginUsageView[];
  p95Series: { pluginId: string; points: { at: string; value: number }[] }[];
  quotas: QuotaView[];
  contractChecks: { subject: string; edge: 'ingest' | 'export'; passed: number; failed: number }[];
  approvals: { open: number; overdue: number; decided: number; medianDecisionSeconds: number | null };
  killSwitches: KillSwitchView[];
}

/** A quota rule of the org with its current usage. */
export interface QuotaView {
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

/** An engaged kill switch that affects the org. */
export interface KillSwitchView {
  scope: 'global' | 'org' | 'plugin';
  target: string | null;
  on: boolean;
  reason: string;
  actor: string;
  at: string;
}

/** A contract subject with its versions and enforcement modes. */
export interface ContractView {
  subject: string;
  format: 'json' | 'avro';
  compatibility: CompatibilityMode;
  latest: ContractVersionView;
  versions: ContractVersionView[];
  enforcement: { edge: 'ingest' | 'export'; mode: 'enforce' | 'warn' | 'off' }[];
}

/** One registered schema version. */
export interface ContractVersionView {
  subject: string;
  version: number;
  format: 'json' | 'avro';
  schema: JsonValue;
  fingerprint: string;
  createdAt: string;
  deleted: boolean;
}

/** Dependencies of the read models. */
export interface ViewDeps {
  audit: AuditTrail;
  finops: FinOps;
  governance: Governance;
  contracts: SchemaRegistry;
  gates: ContractGates;
  marketplaceStore: MarketplaceStore;
  /** Decides `governance.audit` (who sees the whole org's review queue on the dashboard). */
  authorizer: Authorizer;
}

/**
 * Builds the host's read models (dashboard, quotas, kill switches, contracts, audit slices).
 *
 * @example
 * ```ts
 * const views = createViews({ audit, finops, governance, contracts, gates, marketplaceStore, authorizer });
 * const board = await views.dashboard(actor);
 * ```
 */
export function createViews(deps: ViewDeps) {
  const { audit, finops, governance, contracts, gates, marketplaceStore, authorizer } = deps;
  // The verdict per chain head, shared by every read of that head: concurrent reads (30 aliased
  // `auditTrail` fields, many users at once) wait for the one verification in flight instead of each
  // reading the whole chain.
  let verified: { head: string | null; result: Promise<AuditVerification> } | null = null;

  async function quotaViews(actor: Actor): Promise<QuotaView[]> {
    const usage = await finops.quotas.usage({ org: actor.orgId });
    return usage.map((u) => ({
      id: `${u.rule.scope.org}:${u.rule.scope.plugin ?? '*'}:${u.rule.resource}:${u.rule.window}`,
      orgId: u.rule.scope.org,
      pluginId: u.rule.scope.plugin ?? null,
      resource: u.rule.resource,
      limit: u.rule.limit,
      window: u.rule.window,
      mode: u.rule.mode,
      used: u.used,
      resetAt: u.resetAt,
    }));
  }

  async function killSwitchViews(actor: Actor): Promise<KillSwitchView[]> {
    const all = await finops.killSwitch.list();
    return all
      .filter((e) => e.target.org === undefined || e.target.org === actor.orgId)
      .map((e) => ({
        scope:
          e.target.org === undefined
            ? e.target.plugin === undefined
              ? 'global'
              : 'plugin'
            : e.target.plugin === undefined
              ? 'org'
              : 'plugin',
        target: e.target.plugin ?? e.target.org ?? null,
        on: true,
        reason: e.reason,
        actor: e.engagedBy,
        at: e.engagedAt,
      }));
  }

  async function versionViews(subject: string): Promise<ContractVersionView[]> {
    const versions = await contracts.listVersions(subject, { includeDeleted: true });
    return versions.map((v) => ({
      subject: v.subject,
      version: v.version,
      format: v.format,
      schema: v.schema,
      fingerprint: v.fingerprint,
      createdAt: v.createdAt,
      deleted: v.deletedAt !== null,
    }));
  }

  return {
    quotaViews,
    killSwitchViews,

    async catalogStats(pluginId: string): Promise<{ installCount: number; ratings: RatingRecord[] }> {
      const [installations, ratings] = await Promise.all([
        marketplaceStore.listInstallations({ pluginId }),
        marketplaceStore.listRatings(pluginId),
      ]);
      return {
        installCount: installations.length,
        ratings: [...ratings].sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1)),
      };
    },

    /** The actor's org's events about one subject, and whether the whole chain verifies. */
    async auditTrail(
      actor: Actor,
      subject: string,
      first: number,
    ): Promise<{ events: AuditEvent[]; verified: boolean }> {
      const limit = Math.max(1, Math.min(first, 1000));
      const events = await audit.list({ subject, orgId: actor.orgId, limit });
      // Verifying the whole chain is linear in its length; cache the verdict per chain head.
      const head = (await audit.head())?.hash ?? null;
      if (!verified || verified.head !== head) {
        const entry = { head, result: audit.verify() };
        verified = entry;
        // A failed read is not a verdict: the next read of this head tries again.
        entry.result.catch(() => {
          if (verified === entry) verified = null;
        });
      }
      return { events, verified: (await verified.result).ok };
    },

    async contractViews(_actor: Actor): Promise<ContractView[]> {
      const subjects = await contracts.listSubjects();
      const out: ContractView[] = [];
      for (const subject of subjects) {
        const versions = await versionViews(subject);
        const live = versions.filter((v) => !v.deleted);
        const latest = live.at(-1) ?? versions.at(-1);
        if (!latest) continue;
        out.push({
          subject,
          format: latest.format,
          compatibility: await contracts.getCompatibility(subject),
          latest,
          versions,
          enforcement: gates.modes(subject),
        });
      }
      return out;
    },

    async contractDiff(_actor: Actor, input: { subject: string; from: number; to: number }) {
      const [a, b] = await Promise.all([
        contracts.getVersion(input.subject, input.from, { includeDeleted: true }),
        contracts.getVersion(input.subject, input.to, { includeDeleted: true }),
      ]);
      if (a.format !== b.format)
        throw new IntelGraphError('INVALID_INPUT', 'cannot diff schemas of different formats');
      const mode = await contracts.getCompatibility(input.subject);
      const changes = diffSchemas(a.schema, b.schema, { format: a.format });
      const effective = mode.replace('_TRANSITIVE', '') as CompatibilityMode;
      const compat = checkCompatibility(a.schema, b.schema, { format: a.format, mode: effective });
      const breaks = (c: (typeof changes)[number]) =>
        effective === 'NONE'
          ? false
          : effective === 'BACKWARD'
            ? c.breaks.backward
            : effective === 'FORWARD'
              ? c.breaks.forward
              : c.breaks.backward || c.breaks.forward;
      const view = (v: typeof a) => ({ ...v, deleted: v.deletedAt !== null });
      return {
        subject: input.subject,
        from: view(a),
        to: view(b),
        changes: changes.map((c) => ({
          kind: c.kind,
          path: c.path,
          message: c.message,
          breaking: breaks(c),
        })),
        compatible: compat.compatible,
        issues: compat.issues,
      };
    },

    async applyPatch(
      _actor: Actor,
      input: { subject: string; version?: number; record: unknown; patch: unknown[] },
    ): Promise<EdgeRecordResult> {
      const resolved = await contracts.resolve(input.subject, input.version);
      const r = applyMappingPatch(resolved.compiled, input.record, input.patch);
      return r.ok
        ? { index: 0, ok: true, errors: [], warnings: [], patch: [], patched: r.value, patchValid: true }
        : {
            index: 0,
            ok: false,
            errors: r.issues.map((i) => ({ code: i.code, path: i.path, message: i.message })),
            warnings: [],
            patch: [],
            patchValid: false,
          };
    },

    async hintView(actor: Actor, pluginId: string) {
      const [h, events] = await Promise.all([
        finops.hint({ org: actor.orgId, plugin: pluginId }),
        recentEvents(audit, { type: 'plugin.run', orgId: actor.orgId, subject: `plugin:${pluginId}` }),
      ]);
      // Estimates come from this org's runs that executed; FinOps' own history also holds the runs its
      // reservation settled after a refusal (0 ms CPU), which would drag the percentiles down.
      const executed = events
        .map(executedUsage)
        .filter((u): u is Record<string, JsonValue> => u !== null)
        .slice(-HINT_WINDOW);
      const cpu = sortedNumbers(executed.map((u) => num(u.cpuMs)));
      const rows = sortedNumbers(executed.map((u) => num(u.rows)));
      const wall = sortedNumbers(executed.map((u) => num(u.wallMs)));
      const unit = (resource: string) =>
        h.expectedCost.lines.find((l) => l.resource === resource)?.unitPrice ?? 0;
      const table = {
        currency: h.expectedCost.currency,
        perCall: unit('calls'),
        perCpuMs: unit('cpuMs'),
        perRow: unit('rows'),
      };
      const n = executed.length;
      return {
        pluginId,
        runs: n,
        cpuMsP50: n ? percentile(cpu, 0.5) : null,
        cpuMsP95: n ? percentile(cpu, 0.95) : null,
        rowsP50: n ? percentile(rows, 0.5) : null,
        rowsP95: n ? percentile(rows, 0.95) : null,
        wallMsP50: n ? percentile(wall, 0.5) : null,
        wallMsP95: n ? percentile(wall, 0.95) : null,
        expectedCost: n
          ? priceUsage(table, {
              calls: 1,
              cpuMs: percentile(cpu, 0.5) ?? 0,
              rows: percentile(rows, 0.5) ?? 0,
            })
          : h.expectedCost,
        remaining: h.quotas.map((q) => ({
          resource: q.rule.resource,
          window: q.rule.window,
          limit: q.rule.limit,
          used: q.used,
          remaining: q.remaining,
          resetAt: q.resetAt,
        })),
      };
    },

    async dashboard(actor: Actor): Promise<DashboardView> {
      const org = actor.orgId;
      const runs = await recentEvents(audit, { type: 'plugin.run', orgId: org });
      interface Acc {
        walls: number[];
        errors: number;
        denied: number;
        cpu: number;
        rows: number;
        cost: number;
        series: Map<string, number[]>;
      }
      const byPlugin = new Map<string, Acc>();
      let currency = 'usd';
      const acc = (pluginId: string): Acc => {
        const found = byPlugin.get(pluginId);
        if (found) return found;
        const fresh: Acc = { walls: [], errors: 0, denied: 0, cpu: 0, rows: 0, cost: 0, series: new Map() };
        byPlugin.set(pluginId, fresh);
        return fresh;
      };
      for (const e of runs) {
        const pluginId = e.subject.replace(/^plugin:/, '');
        const d = e.data as Record<string, JsonValue>;
        const p = acc(pluginId);
        const usage = executedUsage(e);
        if (!usage) {
          p.denied++;
          continue;
        }
        const wall = num(usage.wallMs);
        p.walls.push(wall);
        if (d.outcome !== 'ok') p.errors++;
        p.cpu += num(usage.cpuMs);
        p.rows += num(usage.rows);
        p.cost += num(d.cost);
        if (typeof d.currency === 'string') currency = d.currency;
        const minute = `${e.at.slice(0, 16)}:00.000Z`;
        const bucket = p.series.get(minute) ?? [];
        bucket.push(wall);
        p.series.set(minute, bucket);
      }
      // Refusals before the sandbox (kill switch, quota) are their own events. Their plugin id is whatever
      // the caller asked for, so only plugins the org has installed or has run get a row.
      const installed = new Set(
        (await marketplaceStore.listInstallations({ orgId: org })).map((i) => i.pluginId),
      );
      for (const e of await recentEvents(audit, { type: 'plugin.run.denied', orgId: org })) {
        const pluginId = e.subject.replace(/^plugin:/, '');
        if (installed.has(pluginId) || byPlugin.has(pluginId)) acc(pluginId).denied++;
      }
      const plugins: PluginUsageView[] = [];
      const p95Series: DashboardView['p95Series'] = [];
      for (const [pluginId, p] of [...byPlugin].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const sorted = [...p.walls].sort((a, b) => a - b);
        plugins.push({
          pluginId,
          runs: p.walls.length,
          errors: p.errors,
          denied: p.denied,
          p50Ms: percentile(sorted, 0.5),
          p95Ms: percentile(sorted, 0.95),
          cpuMs: p.cpu,
          rows: p.rows,
          cost: p.cost,
        });
        const points = [...p.series]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .slice(-60)
          .map(([at, walls]) => ({
            at,
            value:
              percentile(
                [...walls].sort((a, b) => a - b),
                0.95,
              ) ?? 0,
          }));
        p95Series.push({ pluginId, points });
      }

      const checks = await recentEvents(audit, { type: 'contract.gate.decision', orgId: org });
      const checkCounts = new Map<
        string,
        { subject: string; edge: 'ingest' | 'export'; passed: number; failed: number }
      >();
      type CheckData = { subject?: string; edge?: 'ingest' | 'export'; total?: number; failed?: number };
      // Gate decisions are their own events at the edges; a plugin run carries its input and output
      // contract decisions inside its `plugin.run` event.
      const decisions: CheckData[] = checks.map((e) => e.data as CheckData);
      for (const e of runs) {
        const d = e.data as { inputContract?: CheckData; outputContract?: CheckData };
        if (d.inputContract) decisions.push(d.inputContract);
        if (d.outputContract) decisions.push(d.outputContract);
      }
      for (const d of decisions) {
        if (!d.subject || (d.edge !== 'ingest' && d.edge !== 'export')) continue;
        const k = `${d.subject}\u0000${d.edge}`;
        const c = checkCounts.get(k) ?? { subject: d.subject, edge: d.edge, passed: 0, failed: 0 };
        c.failed += num(d.failed);
        c.passed += num(d.total) - num(d.failed);
        checkCounts.set(k, c);
      }

      const requested = new Map<string, number>();
      for (const e of await recentEvents(audit, { type: 'review.requested', orgId: org }))
        requested.set(e.subject, Date.parse(e.at));
      const decisionTimes: number[] = [];
      for (const type of ['review.approved', 'review.denied', 'review.auto_approved', 'review.expired']) {
        for (const e of await recentEvents(audit, { type, orgId: org })) {
          const start = requested.get(e.subject);
          if (start !== undefined) decisionTimes.push((Date.parse(e.at) - start) / 1000);
        }
      }
      decisionTimes.sort((a, b) => a - b);
      const scope = authorizer.allows(actor, 'governance.audit') ? 'org' : 'reviewable';
      const open = await governance.queue(actor, { scope, states: ['pending'], limit: 200 });

      return {
        currency,
        plugins,
        p95Series,
        quotas: await quotaViews(actor),
        contractChecks: [...checkCounts.values()],
        approvals: {
          open: open.items.length,
          overdue: open.items.filter((t) => t.overdue).length,
          decided: decisionTimes.length,
          medianDecisionSeconds: percentile(decisionTimes, 0.5),
        },
        killSwitches: await killSwitchViews(actor),
      };
    },
  };
}

/** The read models' type. */
export type HostViews = ReturnType<typeof createViews>;
