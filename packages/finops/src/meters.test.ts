import { register as globalRegistry, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createLabelGuard } from './label-guard.js';
import { createFinOpsMeters, FINOPS_METRIC_NAMES } from './meters.js';

describe('FinOps meters', () => {
  it('registers every metric on the injected registry only', async () => {
    const registry = new Registry();
    createFinOpsMeters({ registry });
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name).sort();
    expect(names).toEqual([...FINOPS_METRIC_NAMES].sort());
    expect(globalRegistry.getSingleMetric('plugin_exec_ms')).toBeUndefined();
    // A second instance on the same registry reuses the metrics.
    expect(() => createFinOpsMeters({ registry })).not.toThrow();
  });

  it('folds unregistered plugins, orgs, subjects and unknown enum values into "other"', async () => {
    const registry = new Registry();
    const meters = createFinOpsMeters({
      registry,
      guard: createLabelGuard({ plugins: ['enricher'], orgs: ['acme'] }),
    });
    meters.recordRun({ plugin: 'enricher', org: 'acme', outcome: 'ok', wallMs: 1.2, cpuMs: 1, rows: 10 });
    for (let i = 0; i < 50; i++) {
      meters.recordRun({
        plugin: `attacker-${i}`,
        org: `org-${i}`,
        outcome: `weird-${i}`,
        wallMs: 2,
        cpuMs: 1,
        rows: 1,
      });
      meters.recordContractCheck({ subject: `s${i}`, edge: 'sideways', result: 'maybe' });
    }
    const rows = await registry.getSingleMetric('plugin_rows_total')!.get();
    expect(rows.values.map((v) => [v.labels.plugin, v.labels.org, v.value])).toEqual([
      ['enricher', 'acme', 10],
      ['other', 'other', 50],
    ]);
    const exec = await registry.getSingleMetric('plugin_exec_ms')!.get();
    expect(new Set(exec.values.map((v) => v.labels.outcome))).toEqual(new Set(['ok', 'other']));
    const checks = await registry.getSingleMetric('contract_checks_total')!.get();
    expect(checks.values.map((v) => [v.labels.subject, v.labels.edge, v.labels.result, v.value])).toEqual([
      ['other', 'other', 'other', 50],
    ]);
  });

  it('uses buckets around the targets: ~1 ms warm runs, 25 ms p95, 1.2 s cached-run ceiling', async () => {
    const registry = new Registry();
    const meters = createFinOpsMeters({ registry });
    meters.recordRun({ plugin: 'x', org: 'y', outcome: 'ok', wallMs: 0.9, cpuMs: 0.5, rows: 0 });
    const exec = await registry.getSingleMetric('plugin_exec_ms')!.get();
    const les = exec.values
      .filter((v) => (v as { metricName?: string }).metricName === 'plugin_exec_ms_bucket')
      .map((v) => v.labels.le);
    expect(les).toEqual(expect.arrayContaining([1, 25, 1200]));
    const le1 = exec.values.find(
      (v) => (v as { metricName?: string }).metricName === 'plugin_exec_ms_bucket' && v.labels.le === 1,
    );
    expect(le1?.value).toBe(1);
  });
});
