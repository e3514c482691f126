// Soak: the load mix (pluginRun, requestPolicyChange) plus installs/uninstalls, ingests and
// export → approval cycles at 40 connections for a bounded time (default 180 s), sampling the server's RSS and event-loop delay every second. At the end: 0 errors,
// every accepted request in the audit chain (which verifies), the quota counter, the meters and the
// billing outbox, and memory flat within the stated bound. CI runs a 30 s version (tests/soak).
//
// Run:  ./run pnpm exec node --no-node-snapshot --conditions=@intelgraph/source --import tsx bench/soak.bench.ts
// Env:  SOAK_SECONDS (default 180 per backend), SOAK_BACKEND (embedded, production or both comma-separated;
//       default embedded),
//       SOAK_MEMORY_BOUND_MB (default 96).
import { invariantsList, machineInfo, operationsTable, writeResults } from './support/report.js';
import { runSoak, type SoakResult } from './support/soak.js';
import type { Backend } from './support/stack.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 180);
const BACKENDS = (process.env.SOAK_BACKEND ?? 'embedded').split(',') as Backend[];
const BOUND = Number(process.env.SOAK_MEMORY_BOUND_MB ?? 96);

function markdown(r: SoakResult, machine: ReturnType<typeof machineInfo>): string {
  const every = Math.max(1, Math.ceil(r.samples.length / 12));
  const timeline = r.samples
    .filter((_, i) => i % every === 0 || i === r.samples.length - 1)
    .map(
      (s) => `| ${s.t} | ${s.rssMB} | ${s.heapUsedMB} | ${s.loopP50Ms} | ${s.loopP99Ms} | ${s.loopMaxMs} |`,
    );
  return `${[
    '# Soak: plugin runs and policy changes plus installs, ingests and approvals',
    '',
    `${machine.date} · Node ${machine.node} · ${machine.cpus} × ${machine.cpuModel} · ${machine.memoryGB} GB · load average at start ${machine.loadAverage1m} (shared machine: latencies are noisy; the soak asserts accounting and memory, not speed)`,
    '',
    `${r.seconds} s at 40 connections on **${r.backend}** (${r.stores}); each operation its own autocannon instance, graceful stop (every request sent is answered before the counts are taken).`,
    '',
    operationsTable(r.operations),
    '',
    `Memory: RSS ${r.memory.baselineRssMB} MB (median of the second fifth) → ${r.memory.endRssMB} MB (median of the last fifth): growth **${r.memory.growthMB} MB** (bound ${r.memory.boundMB} MB), peak ${r.memory.peakRssMB} MB; heap ${r.memory.baselineHeapMB} → ${r.memory.endHeapMB} MB.`,
    `Event loop: median per-second p99 ${r.eventLoop.p50OfP99Ms} ms, worst per-second p99 ${r.eventLoop.maxP99Ms} ms, worst delay ${r.eventLoop.maxMs} ms.`,
    '',
    'Invariants:',
    '',
    invariantsList(r.invariants),
    '',
    'Server samples (every second; a subset shown, all in soak.json):',
    '',
    '| t s | RSS MB | heap MB | loop p50 ms | loop p99 ms | loop max ms |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...timeline,
  ].join('\n')}\n`;
}

const machine = machineInfo();
const results: SoakResult[] = [];
for (const backend of BACKENDS) {
  const result = await runSoak({ seconds: SECONDS, backend, memoryBoundMB: BOUND, log: console.log });
  console.log(operationsTable(result.operations));
  console.log(invariantsList(result.invariants));
  results.push(result);
}
writeResults('soak', { machine, runs: results }, results.map((r) => markdown(r, machine)).join('\n'));
console.log('wrote bench/results/soak.json and soak.md');
if (results.some((r) => r.invariants.some((i) => !i.ok))) process.exitCode = 1;
