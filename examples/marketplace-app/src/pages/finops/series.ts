import type { FinOpsDashboard } from '../../api/types.js';

/** The width of the server's p95 buckets (one per minute). */
export const BUCKET_MS = 60_000;

/** One chart row: the bucket's time in ms since the epoch, and a p95 (or a gap) per plugin. */
export type P95Row = { t: number } & Record<string, number | null>;

/**
 * One row per bucket with a column per plugin, on a numeric time axis. Where a plugin has no bucket
 * between two of its points, a `null` row breaks its line, so the chart never draws data that does not
 * exist; plugins without a point are left out.
 */
export function p95Rows(series: FinOpsDashboard['p95Series']): { rows: P95Row[]; plugins: string[] } {
  const withPoints = series.filter((s) => s.points.length > 0);
  const byTime = new Map<number, P95Row>();
  const row = (t: number): P95Row => {
    const found = byTime.get(t);
    if (found) return found;
    const fresh = { t } as P95Row;
    byTime.set(t, fresh);
    return fresh;
  };
  for (const s of withPoints) {
    const times = s.points.map((p) => ({ t: Date.parse(p.at), v: p.value })).sort((a, b) => a.t - b.t);
    times.forEach((p, i) => {
      row(p.t)[s.pluginId] = p.v;
      const next = times[i + 1];
      // A gap of more than one bucket: a null halfway breaks the line.
      if (next && next.t - p.t > BUCKET_MS) row(p.t + Math.round((next.t - p.t) / 2))[s.pluginId] = null;
    });
  }
  const rows = [...byTime.values()].sort((a, b) => a.t - b.t);
  return { rows, plugins: withPoints.map((s) => s.pluginId) };
}

/** A stable, distinguishable colour for the n-th series (each at least 4.5:1 on white). */
export function seriesColor(i: number): string {
  const palette = ['#3949ab', '#00695c', '#bf360c', '#6a1b9a', '#5d4037', '#01579b', '#ad1457', '#33691e'];
  return palette[i % palette.length] as string;
}
