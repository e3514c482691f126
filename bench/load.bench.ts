// Open-loop capacity of the seed's mix: one `pluginRun(sample-enricher, {q:"acme"})` and one
// `requestPolicyChange(kind:"export", …)` per iteration, iterations started at a constant arrival rate
// (bench/support/open-loop.ts: latency measured from each iteration's scheduled start, so free of
// coordinated omission), stepped up through LOAD_RATES. For each step: the achieved rate, p50/p95/p99 of
// each operation, errors, dropped iterations, and the CPU of every process (server and its sandbox
// workers, PostgreSQL, Redis, Neo4j, the generator) per response and per pluginRun. After every step the
// host's ledger must account for every accepted request (audit = runs = quota = meters = billing, and the
// chain verifies).
//
// Capacity = the highest step with 0 errors, 0 dropped and pluginRun p95 ≤ 50 ms.
//
// Run:  ./run bench load
// Env:  LOAD_RATES (default "25,50,100,150,200,300"), LOAD_STEP_SECONDS (default 20),
//       LOAD_WARMUP_SECONDS (default 5), LOAD_BACKENDS (default "production"; "embedded" too),
//       LOAD_POOL_SIZE (sandbox pool; default the host's).
import { type Invariant, invariants } from './support/accounting.js';
import { ledgerDelta } from './support/ledger.js';
import { errorCount, type OperationResult } from './support/mix.js';
import { type OpenLoopResult, runOpenLoop } from './support/open-loop.js';
import { pingStep, pluginRunStep, policyChangeStep } from './support/operations.js';
import { type CpuByGroup, cpuByGroup, cpuDelta } from './support/proc-cpu.js';
import { invariantsList, machineInfo, operationsTable, writeResults } from './support/report.js';
import { startServerProcess } from './support/server-process.js';
import type { Backend } from './support/stack.js';

const RATES = (process.env.LOAD_RATES ?? '25,50,100,150,200,300').split(',').map(Number);
const STEP_SECONDS = Number(process.env.LOAD_STEP_SECONDS ?? 20);
const WARMUP = Number(process.env.LOAD_WARMUP_SECONDS ?? 5);
const BACKENDS = (process.env.LOAD_BACKENDS ?? 'production').split(',') as Backend[];
const POOL = process.env.LOAD_POOL_SIZE ? Number(process.env.LOAD_POOL_SIZE) : undefined;
const TARGET_P95_MS = 50;
const TARGET_CAPACITY = 200;
const TARGET_SERVER_CPU_PER_RUN_MS = 2.5;
const STEPS = [pluginRunStep, policyChangeStep];
const FLOOR_RATE = Number(process.env.LOAD_FLOOR_RATE ?? 200);

interface RateStep extends OpenLoopResult {
  errors: number;
  pluginRunP95Ms: number;
  ok: boolean;
  cpuMs: CpuByGroup;
  /** CPU ms per response (both operations) of each process group, and in all. */
  cpuMsPerResponse: Record<string, number>;
  /** Server CPU ms (incl. sandbox workers) per pluginRun, charging the policy change its share. */
  serverCpuMsPerResponse: number;
  invariants: Invariant[];
}

interface BackendRun {
  backend: Backend;
  stores: string;
  steps: RateStep[];
  capacity: number;
  /**
   * The floor in the same run: `query { ping }` alone, open loop at FLOOR_RATE, through the same HTTP,
   * GraphQL and auth path as the mix but with no host work: server CPU per response and latency.
   */
  floor: { rate: number; serverCpuMsPerResponse: number; p50Ms: number; p95Ms: number };
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

async function runBackend(backend: Backend): Promise<BackendRun> {
  console.log(`\n=== ${backend}: starting and seeding the server`);
  const server = await startServerProcess({ backend, ...(POOL ? { poolSize: POOL } : {}) });
  const steps: RateStep[] = [];
  let floor: BackendRun['floor'] = { rate: FLOOR_RATE, serverCpuMsPerResponse: 0, p50Ms: 0, p95Ms: 0 };
  try {
    console.log(`    ${server.stores}\n    ${server.url} (pid ${server.pid}); warm-up ${WARMUP} s at 25/s`);
    if (WARMUP > 0) await runOpenLoop(server.url, STEPS, { rate: 25, durationS: WARMUP });
    for (const rate of RATES) {
      const before = await server.ledger();
      const cpu0 = cpuByGroup([server.pid]);
      const r = await runOpenLoop(server.url, STEPS, { rate, durationS: STEP_SECONDS });
      const cpu = cpuDelta(cpu0, cpuByGroup([server.pid]));
      const after = await server.ledger();
      const list = invariants(r.operations, ledgerDelta(before, after));
      const responses = r.operations.reduce((n, o) => n + o.responses, 0);
      const errors = r.operations.reduce((n, o) => n + errorCount(o), 0) + r.dropped;
      const run = r.operations.find((o) => o.name === 'pluginRun') as OperationResult;
      const perResponse: Record<string, number> = {};
      let all = 0;
      for (const [k, v] of Object.entries(cpu)) {
        perResponse[k] = round(v / Math.max(1, responses));
        all += v;
      }
      perResponse.all = round(all / Math.max(1, responses));
      const step: RateStep = {
        ...r,
        errors,
        pluginRunP95Ms: run.latencyMs.p95,
        ok: errors === 0 && run.latencyMs.p95 <= TARGET_P95_MS && list.every((i) => i.ok),
        cpuMs: cpu,
        cpuMsPerResponse: perResponse,
        serverCpuMsPerResponse: perResponse.server ?? 0,
        invariants: list,
      };
      steps.push(step);
      console.log(
        `    ${rate}/s: achieved ${r.achievedRate}/s, pluginRun p50/p95/p99 ${run.latencyMs.p50}/${run.latencyMs.p95}/${run.latencyMs.p99} ms, errors ${errors} (dropped ${r.dropped}), server CPU ${step.serverCpuMsPerResponse} ms/response, all ${perResponse.all} ms/response, generator lag max ${r.maxStartLagMs} ms${list.every((i) => i.ok) ? '' : ' — INVARIANT BROKEN'}`,
      );
      // Past saturation every further step only queues: stop stepping.
      if (run.latencyMs.p95 > 2_000 || r.dropped > r.scheduled * 0.05) break;
    }
    const cpu0 = cpuByGroup([server.pid]);
    const f = await runOpenLoop(server.url, [pingStep], {
      rate: FLOOR_RATE,
      durationS: Math.min(10, STEP_SECONDS),
    });
    const fcpu = cpuDelta(cpu0, cpuByGroup([server.pid]));
    const ping = f.operations[0] as OperationResult;
    floor = {
      rate: FLOOR_RATE,
      serverCpuMsPerResponse: round((fcpu.server ?? 0) / Math.max(1, ping.responses)),
      p50Ms: ping.latencyMs.p50,
      p95Ms: ping.latencyMs.p95,
    };
    console.log(
      `    floor (ping alone at ${FLOOR_RATE}/s): server ${floor.serverCpuMsPerResponse} ms CPU/response, p95 ${floor.p95Ms} ms`,
    );
  } finally {
    await server.close();
  }
  const capacity = Math.max(0, ...steps.filter((s) => s.ok).map((s) => s.rate));
  return { backend, stores: server.stores, steps, capacity, floor };
}

function markdown(runs: BackendRun[], machine: ReturnType<typeof machineInfo>): string {
  const out = [
    '# Load: open-loop capacity of the seed mix',
    '',
    `${machine.date} · Node ${machine.node} · ${machine.cpus} × ${machine.cpuModel} · ${machine.memoryGB} GB · load average at start ${machine.loadAverage1m}`,
    '',
    `Constant arrival rate, ${STEP_SECONDS} s per step after a ${WARMUP} s warm-up; each iteration sends one \`pluginRun(sample-enricher, {q:"acme"})\` and one \`requestPolicyChange(kind:"export")\` at once; latency from the iteration's scheduled start (no coordinated omission). Server in its own process with the host's default sandbox isolation; every service on this machine. Capacity = highest step with 0 errors, 0 dropped and pluginRun p95 ≤ ${TARGET_P95_MS} ms. Goals: capacity ≥ ${TARGET_CAPACITY}/s, server CPU ≤ ${TARGET_SERVER_CPU_PER_RUN_MS} ms per pluginRun.`,
    '',
  ];
  for (const r of runs) {
    out.push(
      `## ${r.backend}: ${r.stores}`,
      '',
      `**Capacity: ${r.capacity} iterations/s** (goal ≥ ${TARGET_CAPACITY}: ${r.capacity >= TARGET_CAPACITY ? 'met' : '**missed**'}).`,
      '',
      '| rate/s | achieved/s | pluginRun p50 / p95 / p99 ms | policy p50 / p95 / p99 ms | errors | dropped | server CPU ms/response | postgres | redis | neo4j | generator | all | step ok |',
      '| ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    );
    for (const s of r.steps) {
      const [run, pol] = s.operations;
      const l = (o: OperationResult | undefined) =>
        o ? `${o.latencyMs.p50} / ${o.latencyMs.p95} / ${o.latencyMs.p99}` : '';
      const c = s.cpuMsPerResponse;
      out.push(
        `| ${s.rate} | ${s.achievedRate} | ${l(run)} | ${l(pol)} | ${s.errors} | ${s.dropped} | ${c.server} | ${c.postgres} | ${c.redis} | ${c.neo4j} | ${c.generator} | ${c.all} | ${s.ok ? '✔' : '✘'} |`,
      );
    }
    out.push(
      '',
      `Floor in the same run: \`query { ping }\` alone at ${r.floor.rate}/s (the same HTTP, GraphQL and auth path, no host work) costs the server **${r.floor.serverCpuMsPerResponse} ms of CPU per response** (p50 ${r.floor.p50Ms} ms, p95 ${r.floor.p95Ms} ms). A pluginRun pays that, plus the sandbox (bench/results/sandbox.md) and its store round trips.`,
    );
    out.push('', 'Per step, nothing lost:', '');
    for (const s of r.steps) {
      out.push(`- ${s.rate}/s: ${s.invariants.every((i) => i.ok) ? 'all hold' : 'BROKEN'}`);
      if (!s.invariants.every((i) => i.ok)) out.push(invariantsList(s.invariants));
    }
    const last = r.steps.at(-1);
    if (last) out.push('', `Last step's operations:`, '', operationsTable(last.operations));
    out.push('');
  }
  return `${out.join('\n')}\n`;
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const runs: BackendRun[] = [];
  for (const b of BACKENDS) runs.push(await runBackend(b));
  writeResults(
    'load',
    { machine, rates: RATES, stepSeconds: STEP_SECONDS, warmupSeconds: WARMUP, runs },
    markdown(runs, machine),
  );
  console.log('\nwrote bench/results/load.json and load.md');
  // Errors past capacity are what the steps measure; the accounting must hold at every step.
  const broken = runs.flatMap((r) =>
    r.steps.flatMap((s) =>
      s.invariants
        .filter((i) => !i.ok && !i.what.startsWith('errors'))
        .map((i) => `${r.backend} ${s.rate}/s: ${i.what}`),
    ),
  );
  if (broken.length > 0) {
    console.error(`invariants broken:\n  ${broken.join('\n  ')}`);
    process.exitCode = 1;
  }
}

await main();
