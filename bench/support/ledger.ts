// What the host recorded, counted from its own stores: the audit chain (by event type), the quota
// counter of the demo org, the FinOps meters and the billing outbox. Taken before and after a run; the
// difference must equal what the load generator saw accepted.
import type { SqlDatabase } from '@intelgraph/adapters/postgres';
import type { ExtensionHost } from '@intelgraph/host';
import { USERS } from '../../examples/demo/src/seed.js';
import { LOAD_PLUGIN } from './stack.js';

/** Counts at one moment. */
export interface Ledger {
  /** Audit events by type; `review.requested` is split by review kind (`review.requested:export`). */
  audit: Record<string, number>;
  auditLength: number;
  chainVerified: boolean;
  /** `calls` used by the demo org (its sliding monthly rule). */
  quotaCalls: number;
  /** `plugin_exec_ms` observations of the load plugin, by outcome. */
  meterRuns: Record<string, number>;
  /** `contract_checks_total` by `subject/edge/result`. */
  contractChecks: Record<string, number>;
  /** Distinct runs of the load plugin with a billing event in the outbox. */
  billedRuns: number;
}

/** A histogram's or counter's values by label, summed. */
async function metricSum(
  host: ExtensionHost,
  name: string,
  sampleName: string,
  key: (labels: Record<string, string | number>) => string | null,
): Promise<Record<string, number>> {
  const metric = host.metrics.getSingleMetric(name);
  if (!metric) return {};
  const out: Record<string, number> = {};
  for (const v of (await metric.get()).values) {
    const metricName = (v as { metricName?: string }).metricName;
    if (metricName !== undefined && metricName !== sampleName) continue;
    const k = key(v.labels as Record<string, string | number>);
    if (k !== null) out[k] = (out[k] ?? 0) + v.value;
  }
  return out;
}

/** Reads the ledger of a stack (pages through the whole audit chain once, then verifies it). */
export async function readLedger(host: ExtensionHost, sql: SqlDatabase): Promise<Ledger> {
  const audit: Record<string, number> = {};
  let length = 0;
  for (let after: number | undefined; ; ) {
    const page = await host.internals.audit.list({
      limit: 1000,
      ...(after === undefined ? {} : { afterSeq: after }),
    });
    for (const e of page) {
      length++;
      const kind =
        e.type === 'review.requested'
          ? `review.requested:${String((e.data as { kind?: string }).kind)}`
          : null;
      audit[e.type] = (audit[e.type] ?? 0) + 1;
      if (kind) audit[kind] = (audit[kind] ?? 0) + 1;
    }
    if (page.length < 1000) break;
    after = page.at(-1)?.seq;
  }
  const verification = await host.internals.audit.verify();
  const usage = await host.finops.usage(USERS.alice);
  const calls = usage.find(
    (u) => u.rule.resource === 'calls' && u.rule.window === 'month' && u.rule.scope.plugin === undefined,
  );
  const meterRuns = await metricSum(host, 'plugin_exec_ms', 'plugin_exec_ms_count', (l) =>
    l.plugin === LOAD_PLUGIN ? String(l.outcome) : null,
  );
  const contractChecks = await metricSum(
    host,
    'contract_checks_total',
    'contract_checks_total',
    (l) => `${l.subject}/${l.edge}/${l.result}`,
  );
  const billed = await sql.query<{ n: number | string }>(
    'SELECT count(DISTINCT run_id) AS n FROM ig_billing_outbox WHERE plugin = $1',
    [LOAD_PLUGIN],
  );
  return {
    audit,
    auditLength: length,
    chainVerified: verification.ok,
    quotaCalls: calls?.used ?? 0,
    meterRuns,
    contractChecks,
    billedRuns: Number(billed.rows[0]?.n ?? 0),
  };
}

/** `after - before`, field by field (counts only). */
export function ledgerDelta(before: Ledger, after: Ledger): Ledger {
  const diff = (a: Record<string, number>, b: Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = (b[k] ?? 0) - (a[k] ?? 0);
      if (d !== 0) out[k] = d;
    }
    return out;
  };
  return {
    audit: diff(before.audit, after.audit),
    auditLength: after.auditLength - before.auditLength,
    chainVerified: after.chainVerified,
    quotaCalls: after.quotaCalls - before.quotaCalls,
    meterRuns: diff(before.meterRuns, after.meterRuns),
    contractChecks: diff(before.contractChecks, after.contractChecks),
    billedRuns: after.billedRuns - before.billedRuns,
  };
}
