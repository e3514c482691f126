import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Invariant } from './accounting.js';
import type { OperationResult } from './mix.js';

const root = join(import.meta.dirname, '..', '..');

/** The machine a figure was measured on. */
export function machineInfo() {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGB: Math.round(totalmem() / 1e9),
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

/**
 * Writes `bench/results/<name>.json` and `.md`, or into `BENCH_RESULTS_DIR` when set (a check run on a
 * busy machine that must not replace the committed figures).
 */
export function writeResults(name: string, json: unknown, markdown: string): void {
  writeResultFile(`${name}.json`, `${JSON.stringify(json, null, 2)}\n`);
  writeResultFile(`${name}.md`, markdown);
}

/** Writes one file of results (`bench/results/<file>`, or `BENCH_RESULTS_DIR/<file>`). */
export function writeResultFile(file: string, content: string): void {
  const dir = process.env.BENCH_RESULTS_DIR ?? join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), content);
}

const errorsText = (r: OperationResult) => {
  const parts = Object.entries(r.steps).flatMap(([step, t]) =>
    Object.entries(t.errors).map(
      ([code, n]) => `${Object.keys(r.steps).length > 1 ? `${step}:` : ''}${code}×${n}`,
    ),
  );
  if (r.transportErrors > 0) parts.push(`transport×${r.transportErrors}`);
  return parts.length === 0 ? '0' : parts.join(', ');
};

/** A markdown table of operations. */
export function operationsTable(results: OperationResult[]): string {
  const lines = [
    '| operation | conns | responses | accepted | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of results) {
    const accepted = Object.entries(r.steps)
      .map(([s, t]) => (Object.keys(r.steps).length > 1 ? `${s} ${t.accepted}` : String(t.accepted)))
      .join(' / ');
    lines.push(
      `| ${r.name} | ${r.connections} | ${r.responses} | ${accepted} | ${r.throughputRps} | ${r.latencyMs.p50} | ${r.latencyMs.p95} | ${r.latencyMs.p99} | ${r.latencyMs.max} | ${errorsText(r)} |`,
    );
  }
  return lines.join('\n');
}

/** A markdown list of invariants. */
export function invariantsList(list: Invariant[]): string {
  return list
    .map((i) => `- ${i.ok ? '✔' : '✘'} ${i.what}: expected ${String(i.expected)}, got ${String(i.actual)}`)
    .join('\n');
}
