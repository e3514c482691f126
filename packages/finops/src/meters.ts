import { ERROR_CODES } from '@intelgraph/core';
import { TraceFlags, trace } from '@opentelemetry/api';
import { Counter, Gauge, Histogram, type Registry, type RegistryContentType } from 'prom-client';
import { createLabelGuard, type LabelGuard } from './label-guard.js';

/**
 * Buckets of `plugin_exec_ms`: a warm run takes about 1 ms, the end-to-end p95 target is 25 ms, the
 * cached-run ceiling is 1.2 s, and the default wall budget is a few seconds.
 *
 * @example
 * ```ts
 * PLUGIN_EXEC_MS_BUCKETS.includes(25); // true
 * ```
 */
export const PLUGIN_EXEC_MS_BUCKETS: readonly number[] = Object.freeze([
  0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1200, 2500, 5000, 10_000,
]);

/**
 * Buckets of `approval_latency_seconds`: one minute to two days (SLAs are hours).
 *
 * @example
 * ```ts
 * APPROVAL_LATENCY_BUCKETS.at(-1); // 172800 (two days)
 * ```
 */
export const APPROVAL_LATENCY_BUCKETS: readonly number[] = Object.freeze([
  60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 172_800,
]);

/**
 * Names of every metric FinOps registers; the Grafana dashboard may only query these.
 *
 * @example
 * ```ts
 * FINOPS_METRIC_NAMES.includes('quota_hits_total'); // true
 * ```
 */
export const FINOPS_METRIC_NAMES = Object.freeze([
  'plugin_exec_ms',
  'plugin_cpu_ms_total',
  'plugin_rows_total',
  'plugin_cost_total',
  'quota_hits_total',
  'quota_usage_ratio',
  'kill_switch_blocks_total',
  'blocked_capability_requests_total',
  'contract_checks_total',
  'intelgraph_contract_migrations_total',
  'approval_latency_seconds',
  'billing_dispatch_total',
] as const);

const OUTCOMES: readonly string[] = ['ok', ...ERROR_CODES];
const EDGES: readonly string[] = ['ingest', 'export'];
const RESULTS: readonly string[] = ['pass', 'fail', 'warn'];
const RESOURCES: readonly string[] = ['calls', 'cpuMs', 'rows'];
const WINDOWS: readonly string[] = ['minute', 'hour', 'day', 'month'];
const DECISIONS: readonly string[] = ['approved', 'denied', 'expired'];
const DISPATCH: readonly string[] = [
  'delivered',
  'already_billed',
  'skipped',
  'retry',
  'dead',
  'rate_limited',
  'paused',
];

/** One finished plugin run, as the host reports it. */
export interface RunMeasurement {
  plugin: string;
  org: string;
  /** `ok` or the error code the run ended with. */
  outcome: string;
  wallMs: number;
  cpuMs: number;
  rows: number;
  /** Cost in the price table's minor units. */
  cost?: { currency: string; amount: number };
}

/** Recording functions over the FinOps metrics. Label values pass the cardinality guard. */
export interface FinOpsMeters {
  readonly guard: LabelGuard;
  readonly registry: Registry<RegistryContentType>;
  recordRun(run: RunMeasurement): void;
  recordQuotaHit(hit: { org: string; plugin: string; resource: string; mode: 'hard' | 'soft' }): void;
  recordQuotaUsage(u: {
    org: string;
    plugin: string | null;
    resource: string;
    window: string;
    ratio: number;
  }): void;
  recordKillSwitchBlock(level: 'global' | 'org' | 'plugin' | 'plugin_in_org'): void;
  recordBlockedCapability(b: { plugin: string; scope: string }): void;
  recordContractCheck(c: { subject: string; edge: string; result: string }): void;
  /** Records migrated from one contract version to another (`count` records, default 1). */
  recordContractMigration(m: { subject: string; from: number; to: number; count?: number }): void;
  recordApprovalLatency(a: { kind: string; decision: string; seconds: number }): void;
  recordBillingDispatch(
    result: 'delivered' | 'already_billed' | 'skipped' | 'retry' | 'dead' | 'rate_limited' | 'paused',
    count?: number,
  ): void;
}

function counter<L extends string>(
  registry: Registry<RegistryContentType>,
  name: string,
  help: string,
  labelNames: L[],
) {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing as Counter<L>;
  return new Counter<L>({ name, help, labelNames, registers: [registry] });
}

function gauge<L extends string>(
  registry: Registry<RegistryContentType>,
  name: string,
  help: string,
  labelNames: L[],
) {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Gauge) return existing as Gauge<L>;
  return new Gauge<L>({ name, help, labelNames, registers: [registry] });
}

function histogram<L extends string>(
  registry: Registry<RegistryContentType>,
  name: string,
  help: string,
  labelNames: L[],
  buckets: readonly number[],
  enableExemplars = false,
) {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Histogram) return existing as Histogram<L>;
  // Registered by hand: prom-client refuses exemplars on a Prometheus-format registry at construction,
  // though it serialises them in OpenMetrics only, so a Prometheus render simply leaves them out. The
  // router's `/metrics` serves the same metrics as OpenMetrics (with exemplars) when asked.
  const metric = new Histogram<L>({
    name,
    help,
    labelNames,
    buckets: [...buckets],
    registers: [],
    enableExemplars,
  });
  registry.registerMetric(metric);
  return metric;
}

/** The trace id of the active span when the trace is sampled (what an exemplar links to). */
function sampledTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const { traceId, traceFlags } = span.spanContext();
  return (traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? traceId : undefined;
}

const nonNegative = (n: number) => (Number.isFinite(n) && n > 0 ? n : 0);

/** The FinOps instruments, registered on `registry` (in this order). */
function registerInstruments(registry: Registry<RegistryContentType>) {
  // `traceId` is an exemplar label only (prom-client types exemplar labels as the metric's own).
  const execMs = histogram<'plugin' | 'outcome' | 'traceId'>(
    registry,
    'plugin_exec_ms',
    'Wall time of plugin runs in milliseconds',
    ['plugin', 'outcome'],
    PLUGIN_EXEC_MS_BUCKETS,
    // Recorded whatever the registry's format: the router's `/metrics` negotiates OpenMetrics.
    true,
  );
  const cpuMs = counter(registry, 'plugin_cpu_ms_total', 'CPU milliseconds spent in plugin isolates', [
    'plugin',
    'org',
  ]);
  const rows = counter(registry, 'plugin_rows_total', 'Rows returned to plugins by host APIs', [
    'plugin',
    'org',
  ]);
  const cost = counter(registry, 'plugin_cost_total', 'Cost of plugin runs in minor currency units', [
    'plugin',
    'org',
    'currency',
  ]);
  const quotaHits = counter(
    registry,
    'quota_hits_total',
    'Quota limits reached: hard denials and soft flags',
    ['org', 'plugin', 'resource', 'mode'],
  );
  const quotaUsage = gauge(registry, 'quota_usage_ratio', 'Used fraction of each quota in its window', [
    'org',
    'plugin',
    'resource',
    'window',
  ]);
  const killBlocks = counter(registry, 'kill_switch_blocks_total', 'Calls refused by a kill switch', [
    'level',
  ]);
  const blockedCaps = counter(
    registry,
    'blocked_capability_requests_total',
    'Host API calls refused because the scope was not granted',
    ['plugin', 'scope'],
  );
  const contractChecks = counter(registry, 'contract_checks_total', 'Data contract checks at the edges', [
    'subject',
    'edge',
    'result',
  ]);
  const migrations = counter(
    registry,
    'intelgraph_contract_migrations_total',
    'Records migrated between contract versions, per subject and version pair',
    ['subject', 'from', 'to'],
  );
  const approvalLatency = histogram(
    registry,
    'approval_latency_seconds',
    'Time from a governed request to its decision',
    ['kind', 'decision'],
    APPROVAL_LATENCY_BUCKETS,
  );
  const dispatch = counter(registry, 'billing_dispatch_total', 'Billing outbox delivery attempts by result', [
    'result',
  ]);
  return {
    execMs,
    cpuMs,
    rows,
    cost,
    quotaHits,
    quotaUsage,
    killBlocks,
    blockedCaps,
    contractChecks,
    migrations,
    approvalLatency,
    dispatch,
  };
}

// Version labels are small integers (registered versions); anything else is folded into `other`.
const versionLabel = (v: number) => (Number.isInteger(v) && v >= 1 && v <= 9999 ? String(v) : 'other');

/**
 * Registers the FinOps metrics on an injected prom-client `Registry` (never the global one) and returns
 * recording functions. Calling it twice on the same registry reuses the metrics.
 *
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * import { createFinOpsMeters } from '@intelgraph/finops';
 * const meters = createFinOpsMeters({ registry: new Registry() });
 * meters.guard.register('plugin', 'sample-enricher');
 * meters.guard.register('org', 'acme');
 * meters.recordRun({ plugin: 'sample-enricher', org: 'acme', outcome: 'ok', wallMs: 1.2, cpuMs: 1, rows: 10 });
 * ```
 */
export function createFinOpsMeters(options: {
  registry: Registry<RegistryContentType>;
  guard?: LabelGuard;
}): FinOpsMeters {
  const { registry } = options;
  const guard = options.guard ?? createLabelGuard();
  const {
    execMs,
    cpuMs,
    rows,
    cost,
    quotaHits,
    quotaUsage,
    killBlocks,
    blockedCaps,
    contractChecks,
    migrations,
    approvalLatency,
    dispatch,
  } = registerInstruments(registry);
  const kinds = new Set<string>();
  const kindLabel = (kind: string) => {
    if (kinds.has(kind)) return kind;
    if (kinds.size < 50 && /^[a-z][a-z0-9_.-]{0,63}$/.test(kind)) {
      kinds.add(kind);
      return kind;
    }
    return 'other';
  };

  return {
    guard,
    registry,
    recordRun(run) {
      const plugin = guard.get('plugin', run.plugin);
      const org = guard.get('org', run.org);
      const execLabels = { plugin, outcome: guard.oneOf(run.outcome, OUTCOMES) };
      // With exemplars on, prom-client's observe takes only the object form (empty labels: no exemplar).
      const traceId = sampledTraceId();
      execMs.observe({
        value: nonNegative(run.wallMs),
        labels: execLabels,
        exemplarLabels: traceId ? { traceId } : {},
      });
      cpuMs.inc({ plugin, org }, nonNegative(run.cpuMs));
      rows.inc({ plugin, org }, nonNegative(run.rows));
      if (run.cost) {
        const currency = /^[a-z_]{1,16}$/.test(run.cost.currency) ? run.cost.currency : 'other';
        cost.inc({ plugin, org, currency }, nonNegative(run.cost.amount));
      }
    },
    recordQuotaHit(hit) {
      quotaHits.inc({
        org: guard.get('org', hit.org),
        plugin: guard.get('plugin', hit.plugin),
        resource: guard.oneOf(hit.resource, RESOURCES),
        mode: hit.mode,
      });
    },
    recordQuotaUsage(u) {
      quotaUsage.set(
        {
          org: guard.get('org', u.org),
          plugin: u.plugin === null ? '*' : guard.get('plugin', u.plugin),
          resource: guard.oneOf(u.resource, RESOURCES),
          window: guard.oneOf(u.window, WINDOWS),
        },
        Number.isFinite(u.ratio) ? u.ratio : 0,
      );
    },
    recordKillSwitchBlock(level) {
      killBlocks.inc({ level });
    },
    recordBlockedCapability(b) {
      blockedCaps.inc({ plugin: guard.get('plugin', b.plugin), scope: guard.get('scope', b.scope) });
    },
    recordContractCheck(c) {
      contractChecks.inc({
        subject: guard.get('subject', c.subject),
        edge: guard.oneOf(c.edge, EDGES),
        result: guard.oneOf(c.result, RESULTS),
      });
    },
    recordContractMigration(m) {
      migrations.inc(
        {
          subject: guard.get('subject', m.subject),
          from: versionLabel(m.from),
          to: versionLabel(m.to),
        },
        Math.max(0, Math.floor(m.count ?? 1)),
      );
    },
    recordApprovalLatency(a) {
      approvalLatency.observe(
        { kind: kindLabel(a.kind), decision: guard.oneOf(a.decision, DECISIONS) },
        nonNegative(a.seconds),
      );
    },
    recordBillingDispatch(result, count = 1) {
      if (count > 0) dispatch.inc({ result: guard.oneOf(result, DISPATCH) }, count);
    },
  };
}
