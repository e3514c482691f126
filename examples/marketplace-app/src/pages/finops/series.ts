import type { FinOpsDashboard } from '../../api/types.js';

/** One row per timestamp with a column per plugin: the shape a multi-line chart wants. */
export function p95Rows(series: FinOpsDashboard['p95Series']): {
  rows: Record<string, number | string>[];
  plugins: string[];
} {
  const byTime = new Map<string, Record<string, number | string>>();
  for (const s of series) {
    for (const p of s.points) {
      const row = byTime.get(p.at) ?? { at: p.at };
      row[s.pluginId] = p.value;
      byTime.set(p.at, row);
    }
  }
  const rows = [...byTime.values()].sort((a, b) => String(a.at).localeCompare(String(b.at)));
  return { rows, plugins: series.map((s) => s.pluginId) };
}

/** A stable, distinguishable colour for the n-th series. */
export function seriesColor(i: number): string {
  const palette = ['#3949ab', '#00897b', '#f4511e', '#8e24aa', '#c0ca33', '#6d4c41', '#039be5', '#d81b60'];
  return palette[i % palette.length] as string;
}
