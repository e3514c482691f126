import { createRollingSketch, type RollingSketch } from './rolling-sketch.js';

/** Recent CPU and rows of one plugin (in one org, or across orgs). */
export interface UsageSketches {
  cpuMs: RollingSketch;
  rows: RollingSketch;
}

/** Per-plugin history used by budget hints: bounded in samples per key and in number of keys. */
export interface UsageHistory {
  record(org: string, plugin: string, usage: { cpuMs: number; rows: number }): void;
  /** The org's own history of the plugin when it has `minSamples`, else the plugin's history across orgs. */
  lookup(
    org: string,
    plugin: string,
    minSamples?: number,
  ): { basis: 'org' | 'plugin' | 'none'; sketches: UsageSketches | null };
}

/**
 * Creates a {@link UsageHistory}: a ring buffer of the last `samples` runs per (org, plugin) and per
 * plugin, with at most `maxKeys` keys (least recently used keys are dropped first).
 *
 * @example
 * ```ts
 * import { createUsageHistory } from '@intelgraph/finops';
 * const h = createUsageHistory();
 * h.record('acme', 'sample-enricher', { cpuMs: 2, rows: 10 });
 * h.lookup('acme', 'sample-enricher', 1).basis; // 'org'
 * ```
 */
export function createUsageHistory(options: { samples?: number; maxKeys?: number } = {}): UsageHistory {
  const samples = options.samples ?? 256;
  const maxKeys = options.maxKeys ?? 10_000;
  const map = new Map<string, UsageSketches>();
  const touch = (key: string, create: boolean): UsageSketches | null => {
    let s = map.get(key);
    if (s) {
      map.delete(key);
      map.set(key, s);
      return s;
    }
    if (!create) return null;
    s = { cpuMs: createRollingSketch(samples), rows: createRollingSketch(samples) };
    map.set(key, s);
    if (map.size > maxKeys) {
      const oldest = map.keys().next().value;
      if (oldest !== undefined) map.delete(oldest);
    }
    return s;
  };
  return {
    record(org, plugin, usage) {
      for (const key of [`${org}|${plugin}`, `*|${plugin}`]) {
        const s = touch(key, true)!;
        s.cpuMs.add(usage.cpuMs);
        s.rows.add(usage.rows);
      }
    },
    lookup(org, plugin, minSamples = 20) {
      const own = touch(`${org}|${plugin}`, false);
      if (own && own.cpuMs.size >= minSamples) return { basis: 'org', sketches: own };
      const all = touch(`*|${plugin}`, false);
      if (all && all.cpuMs.size > 0) return { basis: 'plugin', sketches: all };
      return { basis: 'none', sketches: null };
    },
  };
}
