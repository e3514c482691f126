// Sandbox benchmark: one process, one machine, sequential runs (latency, not throughput under load).
//  - warm path: a fresh context, cached code, one async host call (isolate mode);
//  - cold path: a new isolate and a full compile for every run (evict before each run);
//  - process-isolated mode, warm;
//  - floors: a plain async function call and node:vm (new context per run, cached vm.Script);
//  - quickjs-emscripten (WASM), the other real option: fresh context per run, sync host function;
//  - memory: heap and RSS before/after SANDBOX_BENCH_MEMORY_RUNS warm runs (default 100,000).
// Run: ./run pnpm exec node --no-node-snapshot --conditions=source --import tsx bench/sandbox.bench.ts
// Knobs: SANDBOX_BENCH_RUNS (default 2000), SANDBOX_BENCH_COLD_RUNS (300), SANDBOX_BENCH_MEMORY_RUNS (100000).
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import vm from 'node:vm';
import { defineHostApi, scopeHostApi } from '@intelgraph/capabilities';
import { sha256Hex } from '@intelgraph/core';
import { createSandbox } from '@intelgraph/sandbox';
import { getQuickJS } from 'quickjs-emscripten';

const RUNS = Number(process.env.SANDBOX_BENCH_RUNS ?? 2000);
const COLD_RUNS = Number(process.env.SANDBOX_BENCH_COLD_RUNS ?? 300);
const MEMORY_RUNS = Number(process.env.SANDBOX_BENCH_MEMORY_RUNS ?? 100_000);

const pct = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;

interface Stat {
  runs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  runsPerSec: number;
}

async function measure(runs: number, warmup: number, op: (i: number) => Promise<unknown>): Promise<Stat> {
  for (let i = 0; i < warmup; i++) await op(i);
  const lat: number[] = [];
  const started = performance.now();
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await op(i);
    lat.push(performance.now() - t);
  }
  const total = performance.now() - started;
  lat.sort((a, b) => a - b);
  return {
    runs,
    p50Ms: round(pct(lat, 0.5)),
    p95Ms: round(pct(lat, 0.95)),
    p99Ms: round(pct(lat, 0.99)),
    runsPerSec: Math.round((runs / total) * 1000),
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

async function warm() {
  const sandbox = createSandbox({ poolSize: 1 });
  const stat = await measure(RUNS, 300, async (n) =>
    expectOk(await sandbox.run({ code: CODE, manifest, input: { q: 'a', n }, api })),
  );
  await sandbox.close();
  return stat;
}

async function cold() {
  const sandbox = createSandbox({ poolSize: 1 });
  const sha = sha256Hex(CODE);
  const stat = await measure(COLD_RUNS, 20, async (n) => {
    sandbox.evict(sha);
    expectOk(await sandbox.run({ code: CODE, manifest, input: { q: 'a', n }, api }));
  });
  const isolates = sandbox.stats().isolatesCreated;
  await sandbox.close();
  return { ...stat, isolatesCreated: isolates };
}

async function processMode() {
  const sandbox = createSandbox({ isolation: 'process', processes: 1, poolSize: 1 });
  const stat = await measure(RUNS, 300, async (n) =>
    expectOk(await sandbox.run({ code: CODE, manifest, input: { q: 'a', n }, api })),
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
  const sandbox = createSandbox({ poolSize: 1 });
  for (let i = 0; i < 1000; i++) await sandbox.run({ code: CODE, manifest, input: { q: 'a', n: i }, api });
  gc();
  const before = process.memoryUsage();
  const started = performance.now();
  for (let i = 0; i < MEMORY_RUNS; i++)
    expectOk(await sandbox.run({ code: CODE, manifest, input: { q: 'a', n: i }, api }));
  const seconds = (performance.now() - started) / 1000;
  gc();
  await new Promise((r) => setTimeout(r, 100));
  gc();
  const after = process.memoryUsage();
  const stats = sandbox.stats();
  await sandbox.close();
  const mb = (b: number) => round(b / 1024 / 1024, 1);
  return {
    runs: MEMORY_RUNS,
    seconds: round(seconds, 1),
    heapUsedMB: {
      before: mb(before.heapUsed),
      after: mb(after.heapUsed),
      delta: mb(after.heapUsed - before.heapUsed),
    },
    rssMB: { before: mb(before.rss), after: mb(after.rss), delta: mb(after.rss - before.rss) },
    externalMB: { before: mb(before.external), after: mb(after.external) },
    isolatesCreated: stats.isolatesCreated,
  };
}

const results = {
  date: new Date().toISOString(),
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memGB: round(totalmem() / 1024 ** 3, 1),
    load: loadavg().map((l) => round(l, 2)),
    node: process.version,
  },
  warm: await warm(),
  cold: await cold(),
  processWarm: await processMode(),
  plainFunction: await plainFunction(),
  nodeVm: await nodeVm(),
  quickjs: await quickjs(),
  memory: await memory(),
  targets: { warmP95Ms: 1, coldP95Ms: 10, processWarmP95Ms: 2 },
};

writeFileSync('bench/results/sandbox.json', `${JSON.stringify(results, null, 2)}\n`);
const row = (name: string, s: Stat) =>
  `| ${name} | ${s.runs} | ${s.p50Ms} | ${s.p95Ms} | ${s.p99Ms} | ${s.runsPerSec} |`;
const verdict = (p95: number, target: number) =>
  p95 <= target ? `met (${p95} ≤ ${target} ms)` : `**missed** (${p95} > ${target} ms)`;
const m = results.memory;
const md = `# Sandbox benchmark

${results.date} · ${results.machine.cpu} × ${results.machine.cores} · Node ${results.machine.node} · load ${results.machine.load.join(' ')}

Sequential runs of one plugin that makes one async host call (\`api.graph.search\`) and returns a number.

| path | runs | p50 ms | p95 ms | p99 ms | runs/s |
| --- | ---: | ---: | ---: | ---: | ---: |
${row('warm: fresh context, cached code, 1 host call', results.warm)}
${row('cold: new isolate + compile', results.cold)}
${row('process-isolated, warm', results.processWarm)}
${row('floor: plain async function', results.plainFunction)}
${row('floor: node:vm (not a sandbox)', results.nodeVm)}
${row('quickjs-emscripten, fresh context, sync host fn', results.quickjs)}

Targets: warm p95 ${verdict(results.warm.p95Ms, 1)}; cold p95 ${verdict(results.cold.p95Ms, 10)}; process-isolated warm p95 ${verdict(results.processWarm.p95Ms, 2)}.
Ratios (p50): warm / plain function = ${round(results.warm.p50Ms / Math.max(results.plainFunction.p50Ms, 0.001), 1)}×; warm / node:vm = ${round(results.warm.p50Ms / Math.max(results.nodeVm.p50Ms, 0.001), 1)}×; quickjs / warm = ${round(results.quickjs.p50Ms / Math.max(results.warm.p50Ms, 0.001), 2)}×; cold / warm = ${round(results.cold.p50Ms / Math.max(results.warm.p50Ms, 0.001), 1)}×.

Memory over ${m.runs} warm runs (${m.seconds} s, ${m.isolatesCreated} isolate(s) created, after GC): heap ${m.heapUsedMB.before} → ${m.heapUsedMB.after} MB (Δ ${m.heapUsedMB.delta}), RSS ${m.rssMB.before} → ${m.rssMB.after} MB (Δ ${m.rssMB.delta}).
`;
writeFileSync('bench/results/sandbox.md', md);
console.log(md);
