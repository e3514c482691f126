// Open-loop capacity of the load mix: one `pluginRun(sample-enricher, {q:"acme"})` and one
// `requestPolicyChange(kind:"export", …)` per iteration, iterations started at a constant arrival rate
// (bench/support/open-loop.ts: latency measured from each iteration's scheduled start, so free of
// coordinated omission), stepped up through LOAD_RATES. For each step: the achieved rate, p50/p95/p99 of
// each operation, errors, dropped iterations, and the CPU of every process (server and its sandbox
// workers, PostgreSQL, Redis, Neo4j, the generator) per response. After every step the host's ledger must
// account for every accepted request (audit = runs = quota = meters = billing, and the chain verifies).
//
// Capacity = the highest step with 0 errors, 0 dropped and pluginRun p95 ≤ 50 ms. A step past capacity
// (errors, drops or a slow p95) whose accounting is exact is "overloaded" or "slow"; only broken
// accounting is BROKEN, and fails the benchmark.
//
// In the same run, after each sweep:
//  - costs: each operation alone at LOAD_COST_RATE, server CPU per response: `query { ping }` (the
//    HTTP, GraphQL and auth floor), a pluginRun of a no-op plugin with no host call (the run path's
//    floor), the mix's pluginRun alone and its requestPolicyChange alone;
//  - tracing: the mix at LOAD_TRACING_RATE with no OpenTelemetry SDK, with one registered
//    (every span sampled, dropped by the exporter), and with none again (drift).
// The sweep, costs and tracing run LOAD_REPEAT times (or `--repeat N`) in one server; the report gives
// ranges (min–max) over the repeats.
//
// Run:  ./run bench load            (./run pnpm exec node … bench/load.bench.ts --repeat 3)
// Env:  LOAD_RATES (default "25,50,100,150,200,300"; "none" skips the sweep), LOAD_STEP_SECONDS (20),
//       LOAD_WARMUP_SECONDS (5), LOAD_REPEAT (1), LOAD_COST_RATE (50), LOAD_COST_SECONDS (10; 0 skips),
//       LOAD_TRACING_RATE (50; 0 skips), LOAD_BACKENDS ("production"; "embedded" too), LOAD_POOL_SIZE
//       (sandbox pool; default the host's), LOAD_CPU_PROF=<dir> (a V8 CPU profile of the server per
//       measured step of the first repeat; summarise with bench/cpu-profile.ts).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Invariant, invariants } from './support/accounting.js';
import { type Ledger, ledgerDelta } from './support/ledger.js';
import { errorCount, type OperationResult, type Step } from './support/mix.js';
import { type OpenLoopResult, runOpenLoop } from './support/open-loop.js';
import { noopRunStep, pingStep, pluginRunStep, policyChangeStep } from './support/operations.js';
import { type CpuByGroup, cpuByGroup, cpuDelta } from './support/proc-cpu.js';
import { invariantsList, machineInfo, operationsTable, writeResults } from './support/report.js';
import { type ServerProcess, startServerProcess } from './support/server-process.js';
import type { Backend } from './support/stack.js';

const argRepeat = process.argv.indexOf('--repeat');
const REPEAT = Number(
  (argRepeat >= 0 ? process.argv[argRepeat + 1] : undefined) ?? process.env.LOAD_REPEAT ?? 1,
);
const RATES =
  process.env.LOAD_RATES === 'none'
    ? []
    : (process.env.LOAD_RATES ?? '25,50,100,150,200,300').split(',').map(Number);
const STEP_SECONDS = Number(process.env.LOAD_STEP_SECONDS ?? 20);
const WARMUP = Number(process.env.LOAD_WARMUP_SECONDS ?? 5);
const BACKENDS = (process.env.LOAD_BACKENDS ?? 'production').split(',') as Backend[];
const POOL = process.env.LOAD_POOL_SIZE ? Number(process.env.LOAD_POOL_SIZE) : undefined;
const COST_RATE = Number(process.env.LOAD_COST_RATE ?? 50);
const COST_SECONDS = Number(process.env.LOAD_COST_SECONDS ?? 10);
const TRACING_RATE = Number(process.env.LOAD_TRACING_RATE ?? 50);
const PROFILE_DIR = process.env.LOAD_CPU_PROF;
const TARGET_P95_MS = 50;
const TARGET_CAPACITY = 200;
const TARGET_SERVER_CPU_PER_RUN_MS = 2.5;
const MIX = [pluginRunStep, policyChangeStep];

/** How a step went: within target, slow (p95 over target, no errors), overloaded, or broken accounting. */
type StepStatus = 'ok' | 'slow' | 'overloaded' | 'BROKEN';

interface Measured extends OpenLoopResult {
  errors: number;
  cpuMs: CpuByGroup;
  /** CPU ms per response (all operations) of each process group, and in all. */
  cpuMsPerResponse: Record<string, number>;
  serverCpuMsPerResponse: number;
}

interface RateStep extends Measured {
  pluginRunP95Ms: number;
  status: StepStatus;
  invariants: Invariant[];
}

/** One operation alone at the cost rate. */
interface Cost {
  name: string;
  serverCpuMsPerResponse: number;
  p50Ms: number;
  p95Ms: number;
  errors: number;
}

interface TracingRow {
  setup: 'no SDK' | 'SDK registered' | 'no SDK again';
  serverCpuMsPerResponse: number;
  allCpuMsPerResponse: number;
  pluginRunP50Ms: number;
  pluginRunP95Ms: number;
  errors: number;
  spansPerIteration: number;
}

interface Repeat {
  steps: RateStep[];
  capacity: number;
  costs: Cost[];
  tracing: TracingRow[];
}

interface BackendRun {
  backend: Backend;
  stores: string;
  repeats: Repeat[];
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

/** One open-loop step of `steps` at `rate`, with the CPU of every process over it. */
async function measure(
  server: ServerProcess,
  steps: Step[],
  rate: number,
  seconds: number,
  profile?: string,
): Promise<Measured> {
  if (profile) await server.profile(profile);
  const cpu0 = cpuByGroup([server.pid]);
  const r = await runOpenLoop(server.url, steps, { rate, durationS: seconds });
  const cpu = cpuDelta(cpu0, cpuByGroup([server.pid]));
  if (profile) await server.profile(null);
  const responses = r.operations.reduce((n, o) => n + o.responses, 0);
  const perResponse: Record<string, number> = {};
  let all = 0;
  for (const [k, v] of Object.entries(cpu)) {
    perResponse[k] = round(v / Math.max(1, responses));
    all += v;
  }
  perResponse.all = round(all / Math.max(1, responses));
  return {
    ...r,
    errors: r.operations.reduce((n, o) => n + errorCount(o), 0) + r.dropped,
    cpuMs: cpu,
    cpuMsPerResponse: perResponse,
    serverCpuMsPerResponse: perResponse.server ?? 0,
  };
}

const profileFile = (backend: string, repeat: number, what: string) =>
  PROFILE_DIR && repeat === 0 ? join(PROFILE_DIR, `load-${backend}-${what}.cpuprofile`) : undefined;

/**
 * The ledger once the server has finished what the step sent it: after a step whose generator gave up
 * on requests (never answered, broken connections), the server may still be working on them, so the
 * ledger is read until its audit length holds still (up to 120 s), and the next step starts on an idle
 * server.
 */
async function quiescentLedger(server: ServerProcess, m: Measured): Promise<Ledger> {
  let ledger = await server.ledger();
  const abandoned = m.operations.some((o) => o.unanswered + o.transportErrors > 0);
  for (const until = performance.now() + 120_000; abandoned && performance.now() < until; ) {
    await new Promise((r) => setTimeout(r, 3_000));
    const next = await server.ledger();
    if (next.auditLength === ledger.auditLength) return next;
    ledger = next;
  }
  return ledger;
}

/** The capacity sweep; stops stepping once a step is far past saturation. */
async function sweep(server: ServerProcess, backend: Backend, repeat: number): Promise<RateStep[]> {
  const steps: RateStep[] = [];
  for (const rate of RATES) {
    const before = await server.ledger();
    const m = await measure(server, MIX, rate, STEP_SECONDS, profileFile(backend, repeat, `mix-${rate}`));
    const list = invariants(m.operations, ledgerDelta(before, await quiescentLedger(server, m)));
    const run = m.operations.find((o) => o.name === 'pluginRun') as OperationResult;
    const accountingHolds = list.every((i) => i.ok || i.what.startsWith('errors'));
    const status: StepStatus = !accountingHolds
      ? 'BROKEN'
      : m.errors > 0
        ? 'overloaded'
        : run.latencyMs.p95 > TARGET_P95_MS
          ? 'slow'
          : 'ok';
    steps.push({ ...m, pluginRunP95Ms: run.latencyMs.p95, status, invariants: list });
    console.log(
      `    ${rate}/s: ${status}; achieved ${m.achievedRate}/s, pluginRun p50/p95/p99 ${run.latencyMs.p50}/${run.latencyMs.p95}/${run.latencyMs.p99} ms, errors ${m.errors} (dropped ${m.dropped}), server CPU ${m.serverCpuMsPerResponse} ms/response, all ${m.cpuMsPerResponse.all} ms/response, generator lag max ${m.maxStartLagMs} ms`,
    );
    if (run.latencyMs.p95 > 2_000 || m.dropped > m.scheduled * 0.05) break;
  }
  return steps;
}

/** Each operation alone: what it costs the server, from the cheapest request up. */
async function costs(server: ServerProcess, backend: Backend, repeat: number): Promise<Cost[]> {
  if (COST_SECONDS <= 0) return [];
  const out: Cost[] = [];
  for (const [step, rate] of [
    [pingStep, COST_RATE * 2],
    [noopRunStep, COST_RATE],
    [pluginRunStep, COST_RATE],
    [policyChangeStep, COST_RATE],
  ] as const) {
    const file = profileFile(backend, repeat, `cost-${step.name.replace(/\W+/g, '-')}`);
    const m = await measure(server, [step], rate, COST_SECONDS, file);
    const op = m.operations[0] as OperationResult;
    out.push({
      name: `${step.name} at ${rate}/s`,
      serverCpuMsPerResponse: m.serverCpuMsPerResponse,
      p50Ms: op.latencyMs.p50,
      p95Ms: op.latencyMs.p95,
      errors: m.errors,
    });
    console.log(
      `    cost ${step.name} at ${rate}/s: server ${m.serverCpuMsPerResponse} ms CPU/response, p95 ${op.latencyMs.p95} ms, errors ${m.errors}`,
    );
  }
  return out;
}

/** The mix with no SDK, with an SDK registered, and with none again, same rate and length. */
async function tracingOverhead(server: ServerProcess): Promise<TracingRow[]> {
  if (TRACING_RATE <= 0) return [];
  const out: TracingRow[] = [];
  for (const setup of ['no SDK', 'SDK registered', 'no SDK again'] as const) {
    const spans0 = await server.tracing(setup === 'SDK registered');
    const m = await measure(server, MIX, TRACING_RATE, STEP_SECONDS);
    const spans = (await server.tracing(false)) - spans0;
    const run = m.operations.find((o) => o.name === 'pluginRun') as OperationResult;
    out.push({
      setup,
      serverCpuMsPerResponse: m.serverCpuMsPerResponse,
      allCpuMsPerResponse: m.cpuMsPerResponse.all ?? 0,
      pluginRunP50Ms: run.latencyMs.p50,
      pluginRunP95Ms: run.latencyMs.p95,
      errors: m.errors,
      spansPerIteration: round(spans / Math.max(1, run.responses), 1),
    });
    console.log(
      `    tracing, ${setup} at ${TRACING_RATE}/s: server ${m.serverCpuMsPerResponse} ms CPU/response, pluginRun p95 ${run.latencyMs.p95} ms, ${round(spans / Math.max(1, run.responses), 1)} spans/iteration`,
    );
  }
  return out;
}

async function runBackend(backend: Backend): Promise<BackendRun> {
  console.log(`\n=== ${backend}: starting and seeding the server`);
  if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
  const server = await startServerProcess({ backend, ...(POOL ? { poolSize: POOL } : {}) });
  const repeats: Repeat[] = [];
  try {
    console.log(`    ${server.stores}\n    ${server.url} (pid ${server.pid}); warm-up ${WARMUP} s at 25/s`);
    for (let i = 0; i < REPEAT; i++) {
      console.log(`  repeat ${i + 1} of ${REPEAT}`);
      if (WARMUP > 0) await runOpenLoop(server.url, MIX, { rate: 25, durationS: WARMUP });
      const steps = await sweep(server, backend, i);
      const capacity = Math.max(0, ...steps.filter((s) => s.status === 'ok').map((s) => s.rate));
      repeats.push({
        steps,
        capacity,
        costs: await costs(server, backend, i),
        tracing: await tracingOverhead(server),
      });
    }
  } finally {
    await server.close();
  }
  return { backend, stores: server.stores, repeats };
}

/** `a–b` (or `a` when equal) of the defined values. */
function range(values: (number | undefined)[], d = 2): string {
  const v = values.filter((x): x is number => x !== undefined && Number.isFinite(x));
  if (v.length === 0) return '—';
  const lo = round(Math.min(...v), d);
  const hi = round(Math.max(...v), d);
  return lo === hi ? String(lo) : `${lo}–${hi}`;
}

function sweepTable(r: BackendRun): string[] {
  const out = [
    '| rate/s | achieved/s | pluginRun p50 / p95 / p99 ms | policy p95 ms | errors | server CPU ms/response | postgres | redis | neo4j | generator | all | status |',
    '| ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const rate of RATES) {
    const at = r.repeats.map((x) => x.steps.find((s) => s.rate === rate)).filter((s) => s !== undefined);
    if (at.length === 0) continue;
    const op = (s: RateStep, i: number) => s.operations[i]?.latencyMs;
    const c = (k: string) => range(at.map((s) => s.cpuMsPerResponse[k]));
    out.push(
      `| ${rate} | ${range(
        at.map((s) => s.achievedRate),
        1,
      )} | ${range(at.map((s) => op(s, 0)?.p50))} / ${range(at.map((s) => op(s, 0)?.p95))} / ${range(at.map((s) => op(s, 0)?.p99))} | ${range(at.map((s) => op(s, 1)?.p95))} | ${range(
        at.map((s) => s.errors),
        0,
      )} | ${c('server')} | ${c('postgres')} | ${c('redis')} | ${c('neo4j')} | ${c('generator')} | ${c('all')} | ${at.map((s) => s.status).join(', ')} |`,
    );
  }
  return out;
}

function markdown(runs: BackendRun[], machine: ReturnType<typeof machineInfo>): string {
  const out = [
    '# Load: open-loop capacity of the load mix (plugin runs and policy changes)',
    '',
    `${machine.date} · Node ${machine.node} · ${machine.cpus} × ${machine.cpuModel} · ${machine.memoryGB} GB · load average at start ${machine.loadAverage1m}`,
    '',
    `Constant arrival rate, ${STEP_SECONDS} s per step after a ${WARMUP} s warm-up; each iteration sends one \`pluginRun(sample-enricher, {q:"acme"})\` and one \`requestPolicyChange(kind:"export")\` at once; latency from the iteration's scheduled start (no coordinated omission). Server in its own process with the host's default sandbox isolation; every service on this machine. Capacity = highest step with 0 errors, 0 dropped and pluginRun p95 ≤ ${TARGET_P95_MS} ms. Goals: capacity ≥ ${TARGET_CAPACITY}/s, server CPU ≤ ${TARGET_SERVER_CPU_PER_RUN_MS} ms per pluginRun. ${REPEAT} repeat${REPEAT === 1 ? '' : 's'} in one server: figures are ranges (min–max) over them. A step's status: ok (within target), slow (no errors, p95 over ${TARGET_P95_MS} ms), overloaded (errors or drops past capacity, accounting exact), BROKEN (accounting not exact).`,
    '',
  ];
  for (const r of runs) {
    const caps = r.repeats.map((x) => x.capacity);
    out.push(
      `## ${r.backend}: ${r.stores}`,
      '',
      `**Capacity: ${range(caps, 0)} iterations/s** (goal ≥ ${TARGET_CAPACITY}: ${Math.min(...caps) >= TARGET_CAPACITY ? 'met' : '**missed**'}).`,
      '',
      ...sweepTable(r),
    );
    const costNames = r.repeats[0]?.costs.map((c) => c.name) ?? [];
    if (costNames.length > 0) {
      out.push(
        '',
        'Each operation alone, same run (server CPU includes its sandbox workers):',
        '',
        '| operation | server CPU ms/response | p50 ms | p95 ms | errors |',
        '| --- | ---: | ---: | ---: | ---: |',
      );
      for (const name of costNames) {
        const at = r.repeats.map((x) => x.costs.find((c) => c.name === name)).filter((c) => c !== undefined);
        out.push(
          `| ${name} | ${range(at.map((c) => c.serverCpuMsPerResponse))} | ${range(at.map((c) => c.p50Ms))} | ${range(at.map((c) => c.p95Ms))} | ${range(
            at.map((c) => c.errors),
            0,
          )} |`,
        );
      }
    }
    const setups = r.repeats[0]?.tracing.map((t) => t.setup) ?? [];
    if (setups.length > 0) {
      out.push(
        '',
        `Tracing overhead, the mix at ${TRACING_RATE}/s for ${STEP_SECONDS} s each, same server: no SDK (the API's no-op tracer), an SDK registered (BasicTracerProvider, every span sampled, batch processor, an exporter that drops the spans; async-hooks context manager; W3C propagator), then no SDK again:`,
        '',
        '| setup | server CPU ms/response | all processes | pluginRun p50 ms | p95 ms | spans per iteration | errors |',
        '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      );
      for (const setup of setups) {
        const at = r.repeats
          .map((x) => x.tracing.find((t) => t.setup === setup))
          .filter((t) => t !== undefined);
        out.push(
          `| ${setup} | ${range(at.map((t) => t.serverCpuMsPerResponse))} | ${range(at.map((t) => t.allCpuMsPerResponse))} | ${range(at.map((t) => t.pluginRunP50Ms))} | ${range(at.map((t) => t.pluginRunP95Ms))} | ${range(
            at.map((t) => t.spansPerIteration),
            1,
          )} | ${range(
            at.map((t) => t.errors),
            0,
          )} |`,
        );
      }
    }
    out.push('', 'Per step, nothing lost:', '');
    r.repeats.forEach((x, i) => {
      for (const s of x.steps) {
        const held = s.invariants.filter((v) => !v.what.startsWith('errors')).every((v) => v.ok);
        out.push(
          `- repeat ${i + 1}, ${s.rate}/s (${s.status}): ${held ? 'accounting exact' : 'BROKEN'}${s.errors > 0 ? ` (${s.errors} errors)` : ''}`,
        );
        if (!held) out.push(invariantsList(s.invariants));
      }
    });
    const last = r.repeats.at(-1)?.steps.at(-1);
    if (last) out.push('', `Last step's operations (last repeat):`, '', operationsTable(last.operations));
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
    {
      machine,
      rates: RATES,
      stepSeconds: STEP_SECONDS,
      warmupSeconds: WARMUP,
      repeat: REPEAT,
      costRate: COST_RATE,
      tracingRate: TRACING_RATE,
      runs,
    },
    markdown(runs, machine),
  );
  console.log('\nwrote bench/results/load.json and load.md');
  // Errors past capacity are what the steps measure; the accounting must hold at every step.
  const broken = runs.flatMap((r) =>
    r.repeats.flatMap((x, i) =>
      x.steps.flatMap((s) =>
        s.invariants
          .filter((v) => !v.ok && !v.what.startsWith('errors'))
          .map((v) => `${r.backend} repeat ${i + 1} ${s.rate}/s: ${v.what}`),
      ),
    ),
  );
  if (broken.length > 0) {
    console.error(`invariants broken:\n  ${broken.join('\n  ')}`);
    process.exitCode = 1;
  }
}

await main();
