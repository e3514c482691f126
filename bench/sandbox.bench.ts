// Sandbox benchmark: one process, one machine, sequential back-to-back runs (latency, not throughput).
//  - the default isolation (process: isolates in a warm pool of worker processes under Node's
//    permission model), warm, with CPU per run counted in the parent AND the workers;
//  - warm path in-process (the trusted-code opt-in): a fresh context, cached code, one async host
//    call, with the default pool of 2 isolates (back-to-back runs alternate) and with a single isolate;
//  - cold path: a new isolate and a full compile for every run (evict before each run), back to back
//    and after an idle moment (when the pool has replaced the isolate ahead of time);
//  - process-isolated mode with a single worker, warm;
//  - floors: a plain async function call, node:vm (new context per run, cached vm.Script), an empty
//    isolated-vm context, and raw isolated-vm with a warm run's thread hops but none of its work;
//  - quickjs-emscripten (WASM), the other real option: fresh context per run, sync host function;
//  - tracing overhead: the same warm `host.plugins.run` runs (default isolation, one host call) with no
//    OpenTelemetry SDK and with one registered, alternating in blocks, p50/p95/CPU of each and the ratio
//    (bench/support/tracing-overhead.ts);
//  - memory: heap and RSS over SANDBOX_BENCH_MEMORY_RUNS warm runs (default 100,000), after a warm-up
//    of SANDBOX_BENCH_MEMORY_WARMUP runs (default 40,000) in which the host's V8 young generation and
//    the isolates' native memory grow to their steady size (sampled too, to show the plateau).
// CPU time per run (all threads of this process) is reported too: it is steadier than latency on a
// shared machine.
// Run: ./run pnpm exec node --no-node-snapshot --conditions=@intelgraph/source --import tsx bench/sandbox.bench.ts
// Knobs: SANDBOX_BENCH_RUNS (default 2000), SANDBOX_BENCH_COLD_RUNS (300), SANDBOX_BENCH_MEMORY_RUNS
// (100000), SANDBOX_BENCH_MEMORY_WARMUP (40000), SANDBOX_BENCH_TRACING_RUNS (SANDBOX_BENCH_RUNS).
// SANDBOX_BENCH_ONLY=tracing runs the tracing section alone and writes bench/results/sandbox-tracing.*.
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import vm from 'node:vm';
import { defineHostApi, scopeHostApi } from '@intelgraph/capabilities';
import { sha256Hex } from '@intelgraph/core';
import { createSandbox } from '@intelgraph/sandbox';
import ivm from 'isolated-vm';
import { getQuickJS } from 'quickjs-emscripten';
import { writeResultFile } from './support/report.js';
import { measureTracingOverhead, tracingOverheadMarkdown } from './support/tracing-overhead.js';

const RUNS = Number(process.env.SANDBOX_BENCH_RUNS ?? 2000);
const COLD_RUNS = Number(process.env.SANDBOX_BENCH_COLD_RUNS ?? 300);
const MEMORY_RUNS = Number(process.env.SANDBOX_BENCH_MEMORY_RUNS ?? 100_000);
const MEMORY_WARMUP = Number(process.env.SANDBOX_BENCH_MEMORY_WARMUP ?? 40_000);

const pct = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;

interface Stat {
  runs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  runsPerSec: number;
  /** CPU time of this whole process (every thread) per run, in microseconds. */
  cpuUsPerRun: number;
}

/** CPU time (user + system) of other processes, in microseconds, from /proc (clock ticks of 10 ms). */
function processesCpuUs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process has exited
    }
  }
  return ticks * 10_000;
}

/**
 * Runs `op` sequentially; `pause` (untimed) runs before each timed call. `workerPids` adds the CPU
 * time of those processes (the sandbox's workers) to the CPU per run.
 */
async function measure(
  runs: number,
  warmup: number,
  op: (i: number) => Promise<unknown>,
  pause?: (i: number) => Promise<unknown> | undefined,
  workerPids?: () => number[],
): Promise<Stat> {
  for (let i = 0; i < warmup; i++) {
    await pause?.(i);
    await op(i);
  }
  const lat: number[] = [];
  let busy = 0;
  const cpu0 = process.cpuUsage();
  const pids = workerPids?.() ?? [];
  const workers0 = processesCpuUs(pids);
  for (let i = 0; i < runs; i++) {
    await pause?.(i);
    const t = performance.now();
    await op(i);
    const ms = performance.now() - t;
    lat.push(ms);
    busy += ms;
  }
  const cpu = process.cpuUsage(cpu0);
  const workersUs = processesCpuUs(pids) - workers0;
  lat.sort((a, b) => a - b);
  return {
    runs,
    p50Ms: round(pct(lat, 0.5)),
    p95Ms: round(pct(lat, 0.95)),
    p99Ms: round(pct(lat, 0.99)),
    runsPerSec: Math.round((runs / busy) * 1000),
    cpuUsPerRun: Math.round((cpu.user + cpu.system + workersUs) / runs),
  };
}

const rows = [{ id: 'e1', name: 'Acme' }];
const hostApi = defineHostApi({ graph: { search: { scope: 'graph:read', handler: async () => rows } } });
const api = scopeHostApi(hostApi, ['graph:read']);
const manifest = {
  name: 'bench',
  version: '1.0.0',
  entry: 'index.js',
  capabilities: { graph: ['read'] },
  budgets: { ms: 5000 },
};
const CODE =
  'export async function run(input, api) { const r = await api.graph.search({ q: input.q }); return r.length + input.n; }';
const expectOk = (r: { ok: boolean }) => {
  if (!r.ok) throw new Error(`run failed: ${JSON.stringify(r)}`);
};

async function warm(poolSize: number) {
  const sandbox = createSandbox({ isolation: 'in-process', poolSize });
  const stat = await measure(RUNS, 300, async (n) =>
    expectOk(await sandbox.run({ code: CODE, manifest, input: { q: 'a', n }, api })),
  );
  await sandbox.close();
  return stat;
}

async function cold(idleMs: number) {
  const sandbox = createSandbox({ isolation: 'in-process', poolSize: 1 });
  const sha = sha256Hex(CODE);
  const runs = idleMs > 0 ? Math.min(COLD_RUNS, 200) : COLD_RUNS;
  const stat = await measure(
    runs,
    20,
    async (n) => expectOk(await sandbox.run({ code: CODE, manifest, input: { q: 'a', n }, api })),
    async () => {
      sandbox.evict(sha);
      if (idleMs > 0) await new Promise((r) => setTimeout(r, idleMs));
    },
  );
  const isolates = sandbox.stats().isolatesCreated;
  await sandbox.close();
  return { ...stat, isolatesCreated: isolates };
}

/** `createSandbox()` with no options (process isolation, 2 workers × 2 isolates), or one worker. */
async function processMode(options: { processes?: number } = {}) {
  const sandbox = createSandbox(options);
  const stat = await measure(
    RUNS,
    300,
    async (n) => expectOk(await sandbox.run({ code: CODE, manifest, input: { q: 'a', n }, api })),
    undefined,
    () => sandbox.stats().workerPids,
  );
  await sandbox.close();
  return stat;
}

async function plainFunction() {
  const client = api.client();
  const run = async (input: { q: string; n: number }, a: typeof client) => {
    const r = (await a.graph?.search?.({ q: input.q })) as unknown[];
    return r.length + input.n;
  };
  return measure(RUNS * 5, 1000, (n) => run({ q: 'a', n }, client));
}

async function nodeVm() {
  // Floor only: node:vm is NOT a security boundary and is never used for untrusted code here.
  const script = new vm.Script(
    '(async (input, api) => { const r = await api.search(input.q); return r.length + input.n; })',
  );
  return measure(RUNS, 300, async (n) => {
    const context = vm.createContext({});
    const fn = script.runInContext(context) as (i: unknown, a: unknown) => Promise<number>;
    return fn({ q: 'a', n }, { search: async () => JSON.parse(JSON.stringify(rows)) });
  });
}

/**
 * Floor of the design itself: isolated-vm creating one empty context per run (no bootstrap, no code,
 * no host call), which every warm run pays once (ahead of time, on an idle core, when it can).
 */
async function ivmContext() {
  const isolate = new ivm.Isolate({ memoryLimit: 128 });
  try {
    return await measure(RUNS, 300, async () => {
      const context = await isolate.createContext();
      context.release();
    });
  } finally {
    isolate.dispose();
  }
}

/**
 * Floor of the library under the same pattern as a warm run, with none of the sandbox's work: two
 * isolates, each next context prepared ahead (a three-line bootstrap), one host round trip per run
 * (isolate -> host call -> host answers -> isolate reports done), no budgets, copies or provenance.
 * What this row misses by, the sandbox cannot beat on this machine.
 */
async function ivmRoundTrip() {
  const bootstrap = `return ((post) => {
    let pending;
    return (op, a) => {
      if (op === 'start') (async () => post('done', (await new Promise((r) => { pending = r; post('call', a); })) + 1))();
      else pending(a);
    };
  })($0)`;
  const isolates = [new ivm.Isolate({ memoryLimit: 128 }), new ivm.Isolate({ memoryLimit: 128 })];
  let route: (op: string, a: number) => void = () => {};
  const prepare = async (isolate: ivm.Isolate) => {
    const context = await isolate.createContext();
    const post = new ivm.Callback((op: string, a: number) => route(op, a), { ignored: true });
    const control = (await context.evalClosure(bootstrap, [post], {
      result: { reference: true },
    })) as ivm.Reference<(op: string, a: number) => void>;
    return { context, control };
  };
  const spares = isolates.map(prepare);
  try {
    return await measure(RUNS, 300, async (n) => {
      const k = n % 2;
      const isolate = isolates[k] as ivm.Isolate;
      const { context, control } = await (spares[k] as ReturnType<typeof prepare>);
      const value = await new Promise((resolve) => {
        route = (op, a) => {
          if (op === 'call') setImmediate(() => control.applyIgnored(undefined, ['deliver', a * 2]));
          else resolve(a);
        };
        control.applyIgnored(undefined, ['start', n]);
      });
      control.release();
      context.release();
      spares[k] = prepare(isolate);
      return value;
    });
  } finally {
    await Promise.allSettled(spares);
    for (const isolate of isolates) isolate.dispose();
  }
}

async function quickjs() {
  const QuickJS = await getQuickJS();
  const runtime = QuickJS.newRuntime();
  runtime.setMemoryLimit(64 * 1024 * 1024);
  const source = '(function (input, search) { const r = search(input.q); return r.length + input.n; })';
  const stat = await measure(RUNS, 300, async (n) => {
    const ctx = runtime.newContext();
    try {
      const search = ctx.newFunction('search', () => {
        const h = ctx.evalCode(JSON.stringify(rows));
        return ctx.unwrapResult(h);
      });
      const fn = ctx.unwrapResult(ctx.evalCode(source));
      const input = ctx.unwrapResult(ctx.evalCode(`(${JSON.stringify({ q: 'a', n })})`));
      const out = ctx.unwrapResult(ctx.callFunction(fn, ctx.undefined, input, search));
      const value = ctx.getNumber(out);
      for (const h of [search, fn, input, out]) h.dispose();
      return value;
    } finally {
      ctx.dispose();
    }
  });
  runtime.dispose();
  return stat;
}

async function memory() {
  setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  // In-process: the host's own memory is what this measures (process isolation keeps it in workers).
  const sandbox = createSandbox({ isolation: 'in-process' });
  const mb = (b: number) => round(b / 1024 / 1024, 1);
  const sample = (runs: number) => {
    gc();
    gc();
    const m = process.memoryUsage();
    const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    return {
      runs,
      rssMB: mb(m.rss),
      heapUsedMB: mb(m.heapUsed),
      heapTotalMB: mb(m.heapTotal),
      youngGenerationMB: mb(young?.space_size ?? 0),
      externalMB: mb(m.external),
    };
  };
  // Runs are counted from the start of the warm-up; the measured window starts at MEMORY_WARMUP.
  const every = Math.max(1, Math.floor(MEMORY_RUNS / 10));
  const warmupSeries = [];
  for (let i = 1; i <= MEMORY_WARMUP; i++) {
    expectOk(await sandbox.run({ code: CODE, manifest, input: { q: 'a', n: i }, api }));
    if (i === 1000 || i % every === 0) warmupSeries.push(sample(i));
  }
  const before = sample(MEMORY_WARMUP);
  const series = [before];
  const started = performance.now();
  for (let i = 1; i <= MEMORY_RUNS; i++) {
    expectOk(await sandbox.run({ code: CODE, manifest, input: { q: 'a', n: i }, api }));
    if (i % every === 0) series.push(sample(MEMORY_WARMUP + i));
  }
  const seconds = (performance.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 100));
  const after = sample(MEMORY_WARMUP + MEMORY_RUNS);
  const stats = sandbox.stats();
  await sandbox.close();
  return {
    warmupRuns: MEMORY_WARMUP,
    runs: MEMORY_RUNS,
    seconds: round(seconds, 1),
    before,
    after,
    rssDeltaMB: round(after.rssMB - before.rssMB, 1),
    rssMaxMB: Math.max(...series.map((s) => s.rssMB)),
    heapUsedDeltaMB: round(after.heapUsedMB - before.heapUsedMB, 1),
    warmupSeries,
    series,
    isolatesCreated: stats.isolatesCreated,
  };
}

const TRACING_RUNS = Number(process.env.SANDBOX_BENCH_TRACING_RUNS ?? RUNS);
const tracingOptions = { runs: TRACING_RUNS, warmup: Math.min(300, TRACING_RUNS), blocks: 4 };
const machine = () => ({
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memGB: round(totalmem() / 1024 ** 3, 1),
  load: loadavg().map((l) => round(l, 2)),
  node: process.version,
});

if (process.env.SANDBOX_BENCH_ONLY === 'tracing') {
  const at = { date: new Date().toISOString(), machine: machine() };
  const tracing = await measureTracingOverhead(tracingOptions);
  const only = { ...at, tracing, loadAfter: loadavg().map((l) => round(l, 2)) };
  writeResultFile('sandbox-tracing.json', `${JSON.stringify(only, null, 2)}\n`);
  const md = `# Sandbox benchmark: tracing overhead only\n\n${at.date} · ${at.machine.cpu} × ${at.machine.cores} · Node ${at.machine.node} · load ${at.machine.load.join(' ')} (after: ${only.loadAfter.join(' ')})\n\n${tracingOverheadMarkdown(tracing)}`;
  writeResultFile('sandbox-tracing.md', md);
  console.log(md);
  process.exit(0);
}

const results = {
  date: new Date().toISOString(),
  machine: machine(),
  defaultWarm: await processMode(),
  tracing: await measureTracingOverhead(tracingOptions),
  warm: await warm(2),
  warmSingleIsolate: await warm(1),
  cold: await cold(0),
  coldAfterIdle: await cold(15),
  processWarm: await processMode({ processes: 1 }),
  plainFunction: await plainFunction(),
  nodeVm: await nodeVm(),
  ivmContext: await ivmContext(),
  ivmRoundTrip: await ivmRoundTrip(),
  quickjs: await quickjs(),
  memory: await memory(),
  targets: { warmP95Ms: 1, coldP95Ms: 10, processWarmP95Ms: 2, memoryRssDeltaMB: 16 },
  loadAfter: loadavg().map((l) => round(l, 2)),
};

writeResultFile('sandbox.json', `${JSON.stringify(results, null, 2)}\n`);
const row = (name: string, s: Stat) =>
  `| ${name} | ${s.runs} | ${s.p50Ms} | ${s.p95Ms} | ${s.p99Ms} | ${s.runsPerSec} | ${s.cpuUsPerRun} |`;
const verdict = (p95: number, target: number) =>
  p95 <= target ? `met (${p95} ≤ ${target} ms)` : `**missed** (${p95} > ${target} ms)`;
const m = results.memory;
const rssVerdict =
  Math.abs(m.rssDeltaMB) <= results.targets.memoryRssDeltaMB
    ? `flat within the ${results.targets.memoryRssDeltaMB} MB bound`
    : `**over** the ${results.targets.memoryRssDeltaMB} MB bound`;
const md = `# Sandbox benchmark

${results.date} · ${results.machine.cpu} × ${results.machine.cores} · Node ${results.machine.node} · load ${results.machine.load.join(' ')} (after: ${results.loadAfter.join(' ')})

Sequential, back-to-back runs of one ES-module plugin that makes one async host call (\`api.graph.search\`)
and returns a number. CPU µs/run counts every thread of the process (isolate threads included).

| path | runs | p50 ms | p95 ms | p99 ms | runs/s | CPU µs/run |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${row('**default** (createSandbox()): process isolation, warm, 2 workers × 2 isolates (CPU: parent + workers)', results.defaultWarm)}
${row('process isolation, warm, 1 worker × 2 isolates (CPU: parent + worker)', results.processWarm)}
${row('in-process (trusted opt-in), warm: fresh context, cached code, 1 host call (pool of 2)', results.warm)}
${row('in-process warm, pool of 1 isolate', results.warmSingleIsolate)}
${row('in-process cold: evict, then new isolate + compile, back to back', results.cold)}
${row('in-process cold after 15 ms idle (replacement isolate made ahead)', results.coldAfterIdle)}
${row('floor: plain async function', results.plainFunction)}
${row('floor: node:vm (not a sandbox)', results.nodeVm)}
${row('floor: isolated-vm empty context only (createContext + release)', results.ivmContext)}
${row('floor: raw isolated-vm, 2 isolates, prepared context, 1 host round trip (no sandbox)', results.ivmRoundTrip)}
${row('quickjs-emscripten, fresh context, sync host fn', results.quickjs)}

Default isolation vs in-process (p50 / p95 / CPU per run): ${results.defaultWarm.p50Ms} / ${results.defaultWarm.p95Ms} ms / ${results.defaultWarm.cpuUsPerRun} µs vs ${results.warm.p50Ms} / ${results.warm.p95Ms} ms / ${results.warm.cpuUsPerRun} µs (× ${round(results.defaultWarm.p50Ms / Math.max(results.warm.p50Ms, 0.001), 2)} p50, × ${round(results.defaultWarm.cpuUsPerRun / Math.max(results.warm.cpuUsPerRun, 1), 2)} CPU).
Targets: in-process warm p95 ${verdict(results.warm.p95Ms, 1)} (an empty isolated-vm context alone: p50 ${results.ivmContext.p50Ms}, p95 ${results.ivmContext.p95Ms} ms, ${results.ivmContext.cpuUsPerRun} µs CPU; raw isolated-vm with the same thread hops and no sandbox work: p50 ${results.ivmRoundTrip.p50Ms}, p95 ${results.ivmRoundTrip.p95Ms} ms); cold p95 ${verdict(results.cold.p95Ms, 10)}; default (process-isolated) warm p95 ${verdict(results.defaultWarm.p95Ms, 2)}.
Ratios (p50): warm / plain function = ${round(results.warm.p50Ms / Math.max(results.plainFunction.p50Ms, 0.001), 1)}×; warm / node:vm = ${round(results.warm.p50Ms / Math.max(results.nodeVm.p50Ms, 0.001), 1)}×; quickjs / warm = ${round(results.quickjs.p50Ms / Math.max(results.warm.p50Ms, 0.001), 2)}×; cold / warm = ${round(results.cold.p50Ms / Math.max(results.warm.p50Ms, 0.001), 1)}×.

Memory over ${m.runs} warm runs after ${m.warmupRuns} warm-up runs (${m.seconds} s, ${m.isolatesCreated} isolate(s) put into service, recycled every 10,000 runs; after GC): RSS ${m.before.rssMB} → ${m.after.rssMB} MB (Δ ${m.rssDeltaMB}, max ${m.rssMaxMB}; ${rssVerdict}), host heap used ${m.before.heapUsedMB} → ${m.after.heapUsedMB} MB (Δ ${m.heapUsedDeltaMB}), host young generation ${m.before.youngGenerationMB} → ${m.after.youngGenerationMB} MB.
RSS (MB) by runs since the start of the warm-up: ${m.warmupSeries.map((s) => `${s.runs}: ${s.rssMB}`).join(' · ')} ‖ measured: ${m.series.map((s) => `${s.runs}: ${s.rssMB}`).join(' · ')}.

${tracingOverheadMarkdown(results.tracing)}`;
writeResultFile('sandbox.md', md);
console.log(md);
