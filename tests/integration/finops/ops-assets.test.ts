import { readFileSync } from 'node:fs';
import { createFinOps } from '@intelgraph/finops';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../docs/ops/', import.meta.url);
const registered = async () => {
  // createFinOps() registers the meters on a fresh registry of its own.
  const { registry } = createFinOps();
  return new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
};

// Metric names in a PromQL expression: what is left after removing strings, label matchers, ranges,
// `by (...)`/`without (...)` groupings, function calls and keywords. Histogram series carry _bucket/_count/_sum.
const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
]);
const metricsIn = (expr: string) =>
  [
    ...expr
      .replace(/"[^"]*"/g, '')
      .replace(/\{[^}]*\}/g, ' ')
      .replace(/\[[^\]]*\]/g, ' ')
      .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ')
      .matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g),
  ]
    .filter((m) => m[2] === undefined && !PROMQL_WORDS.has(m[1]!) && !/^\d/.test(m[1]!))
    .map((m) => m[1]!.replace(/_(bucket|count|sum)$/, ''));

interface Panel {
  title: string;
  targets?: { expr: string }[];
}

describe('docs/ops assets', () => {
  it('the Grafana dashboard parses and every panel queries metrics our registry has', async () => {
    const names = await registered();
    const dashboard = JSON.parse(readFileSync(new URL('grafana-finops-dashboard.json', root), 'utf8')) as {
      panels: Panel[];
    };
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(8);
    for (const panel of dashboard.panels) {
      const used = (panel.targets ?? []).flatMap((t) => metricsIn(t.expr));
      expect(used.length, panel.title).toBeGreaterThan(0);
      for (const m of used) expect(names, `${panel.title}: ${m}`).toContain(m);
    }
    const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join(' | ');
    for (const topic of ['p95', 'cost', 'quota usage', 'contract failures', 'approval sla'])
      expect(titles).toContain(topic);
  });

  it('every Prometheus alert rule queries metrics our registry has', async () => {
    const names = await registered();
    const text = readFileSync(new URL('prometheus-alerts.yml', root), 'utf8');
    const exprs = [...text.matchAll(/^\s*expr:\s*(.+)$/gm)].map((m) => m[1]!);
    expect(exprs.length).toBeGreaterThanOrEqual(5);
    for (const e of exprs) {
      const used = metricsIn(e);
      expect(used.length, e).toBeGreaterThan(0);
      for (const m of used) expect(names, e).toContain(m);
    }
  });
});
