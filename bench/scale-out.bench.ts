// Scale-out: two host processes behind HAProxy (round robin) over ONE PostgreSQL schema, ONE Redis key
// space and ONE Neo4j namespace, running the load mix open-loop (bench/support/open-loop.ts) at
// stepped rates. After each step the shared ledger must account for every accepted request across
// both hosts (audit = runs = quota = billing; meters summed over the hosts; one chain that verifies).
// Then audit appends per second: one host alone, and both hosts at once on the one hash chain.
//
// Run:  ./run bench scale-out
// Env:  SCALE_RATES (default "25,50,100,150,200"), SCALE_STEP_SECONDS (default 20),
//       SCALE_WARMUP_SECONDS (default 5), SCALE_AUDIT_EVENTS (default 2000 per host),
//       SCALE_AUDIT_CONCURRENCY (default 16 per host).
import { migrate } from '@intelgraph/adapters/postgres';
import { openTestNeo4j } from '../tests/support/neo4j.js';
import { redisTestClient } from '../tests/support/redis.js';
import { openTestPostgres } from '../tests/support/sql.js';
import { type Invariant, invariants } from './support/accounting.js';
import { startBalancer } from './support/balancer.js';
import { type Ledger, ledgerDelta } from './support/ledger.js';
import { errorCount, type OperationResult } from './support/mix.js';
import { type OpenLoopResult, runOpenLoop } from './support/open-loop.js';
import { pluginRunStep, policyChangeStep } from './support/operations.js';
import { type CpuByGroup, cpuByGroup, cpuDelta } from './support/proc-cpu.js';
import { invariantsList, machineInfo, writeResults } from './support/report.js';
import { type ServerProcess, startServerProcess } from './support/server-process.js';

const RATES = (process.env.SCALE_RATES ?? '25,50,100,150,200').split(',').map(Number);
const STEP_SECONDS = Number(process.env.SCALE_STEP_SECONDS ?? 20);
const WARMUP = Number(process.env.SCALE_WARMUP_SECONDS ?? 5);
const AUDIT_EVENTS = Number(process.env.SCALE_AUDIT_EVENTS ?? 2000);
const AUDIT_CONCURRENCY = Number(process.env.SCALE_AUDIT_CONCURRENCY ?? 16);
const TARGET_P95_MS = 50;
const STEPS = [pluginRunStep, policyChangeStep];
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

interface ScaleStep extends OpenLoopResult {
  errors: number;
  ok: boolean;
  cpuMsPerResponse: Record<string, number>;
  invariants: Invariant[];
}

/** The shared ledger: audit, quota and billing from one host (they are shared); meters summed. */
async function sharedLedger(hosts: ServerProcess[]): Promise<Ledger> {
  const ledgers = await Promise.all(hosts.map((h) => h.ledger()));
  const [first] = ledgers as [Ledger, ...Ledger[]];
  const meterRuns: Record<string, number> = {};
  for (const l of ledgers)
    for (const [k, v] of Object.entries(l.meterRuns)) meterRuns[k] = (meterRuns[k] ?? 0) + v;
  return { ...first, meterRuns };
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const pg = await openTestPostgres({ poolSize: 2 });
  const redis = await redisTestClient();
  const neo = await openTestNeo4j();
  const hosts: ServerProcess[] = [];
  const steps: ScaleStep[] = [];
  let audit: { oneHostPerS: number; twoHostsPerS: number; chainVerified: boolean } | null = null;
  try {
    await migrate(pg.db);
    const shared = { schema: pg.schema ?? '', redisPrefix: redis.prefix, neo4jNamespace: neo.namespace };
    console.log('=== starting two hosts over one PostgreSQL schema, Redis prefix and Neo4j namespace');
    hosts.push(await startServerProcess({ backend: 'production', shared: { ...shared, seed: true } }));
    hosts.push(await startServerProcess({ backend: 'production', shared: { ...shared, seed: false } }));
    const balancer = await startBalancer(hosts.map((h) => h.url));
    const pids = hosts.map((h) => h.pid);
    try {
      console.log(`    HAProxy ${balancer.url} → ${hosts.map((h) => h.url).join(', ')}; warm-up ${WARMUP} s`);
      if (WARMUP > 0) await runOpenLoop(balancer.url, STEPS, { rate: 25, durationS: WARMUP });
      for (const rate of RATES) {
        const before = await sharedLedger(hosts);
        const cpu0: CpuByGroup = cpuByGroup(pids);
        const r = await runOpenLoop(balancer.url, STEPS, { rate, durationS: STEP_SECONDS });
        const cpu = cpuDelta(cpu0, cpuByGroup(pids));
        const list = invariants(r.operations, ledgerDelta(before, await sharedLedger(hosts)));
        const responses = r.operations.reduce((n, o) => n + o.responses, 0);
        const errors = r.operations.reduce((n, o) => n + errorCount(o), 0) + r.dropped;
        const perResponse: Record<string, number> = {};
        let all = 0;
        for (const [k, v] of Object.entries(cpu)) {
          perResponse[k] = round(v / Math.max(1, responses));
          all += v;
        }
        perResponse.all = round(all / Math.max(1, responses));
        const run = r.operations[0] as OperationResult;
        const step: ScaleStep = {
          ...r,
          errors,
          ok: errors === 0 && run.latencyMs.p95 <= TARGET_P95_MS && list.every((i) => i.ok),
          cpuMsPerResponse: perResponse,
          invariants: list,
        };
        steps.push(step);
        console.log(
          `    ${rate}/s: achieved ${r.achievedRate}/s, pluginRun p50/p95/p99 ${run.latencyMs.p50}/${run.latencyMs.p95}/${run.latencyMs.p99} ms, errors ${errors}, servers ${perResponse.server} ms CPU/response${list.every((i) => i.ok) ? '' : ' — INVARIANT BROKEN'}`,
        );
        if (run.latencyMs.p95 > 2_000 || r.dropped > r.scheduled * 0.05) break;
      }
    } finally {
      await balancer.close();
    }
    console.log('=== audit appends: one host, then both hosts on the one chain');
    const [a, b] = hosts as [ServerProcess, ServerProcess];
    const oneMs = await a.auditBurst(AUDIT_EVENTS, AUDIT_CONCURRENCY);
    const t0 = performance.now();
    await Promise.all([
      a.auditBurst(AUDIT_EVENTS, AUDIT_CONCURRENCY),
      b.auditBurst(AUDIT_EVENTS, AUDIT_CONCURRENCY),
    ]);
    const twoMs = performance.now() - t0;
    audit = {
      oneHostPerS: round((AUDIT_EVENTS / oneMs) * 1000, 0),
      twoHostsPerS: round(((2 * AUDIT_EVENTS) / twoMs) * 1000, 0),
      chainVerified: (await a.ledger()).chainVerified,
    };
    console.log(
      `    one host ${audit.oneHostPerS}/s, two hosts ${audit.twoHostsPerS}/s, chain verifies: ${audit.chainVerified}`,
    );
  } finally {
    for (const h of hosts) await h.close();
    await neo.close();
    await redis.close();
    await pg.close();
  }

  const capacity = Math.max(0, ...steps.filter((s) => s.ok).map((s) => s.rate));
  const md = [
    '# Scale-out: two hosts behind HAProxy over one PostgreSQL, Redis and Neo4j',
    '',
    `${machine.date} · Node ${machine.node} · ${machine.cpus} × ${machine.cpuModel} · ${machine.memoryGB} GB · load average at start ${machine.loadAverage1m}`,
    '',
    `Two server processes (the host's default sandbox isolation, pool 20 connections each) share one PostgreSQL schema, one Redis key prefix and one Neo4j namespace; HAProxy round robin in front; the load mix (plugin runs and policy changes) open-loop, ${STEP_SECONDS} s per step. Every process runs on the same ${machine.cpus} cores, so two hosts here show that every guarantee holds across hosts, not more throughput than one host (that needs more machines).`,
    '',
    `**Capacity through the balancer: ${capacity} iterations/s** (0 errors, 0 dropped, pluginRun p95 ≤ ${TARGET_P95_MS} ms).`,
    '',
    '| rate/s | achieved/s | pluginRun p50 / p95 / p99 ms | policy p95 ms | errors | dropped | servers CPU ms/response | all ms/response | ledger across hosts |',
    '| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...steps.map((s) => {
      const [run, pol] = s.operations;
      return `| ${s.rate} | ${s.achievedRate} | ${run?.latencyMs.p50} / ${run?.latencyMs.p95} / ${run?.latencyMs.p99} | ${pol?.latencyMs.p95} | ${s.errors} | ${s.dropped} | ${s.cpuMsPerResponse.server} | ${s.cpuMsPerResponse.all} | ${s.invariants.every((i) => i.ok) ? 'all hold' : 'BROKEN'} |`;
    }),
    '',
    ...steps
      .filter((s) => !s.invariants.every((i) => i.ok))
      .map((s) => `${s.rate}/s:\n${invariantsList(s.invariants)}\n`),
    audit
      ? `Audit appends on the one hash chain (${AUDIT_EVENTS} events per host, ${AUDIT_CONCURRENCY} in flight per host): one host **${audit.oneHostPerS}/s**, both hosts at once **${audit.twoHostsPerS}/s** in all; the chain verifies afterwards: ${audit.chainVerified}.`
      : '',
    '',
  ].join('\n');
  writeResults('scale-out', { machine, rates: RATES, stepSeconds: STEP_SECONDS, capacity, steps, audit }, md);
  console.log('\nwrote bench/results/scale-out.json and scale-out.md');
  // Errors past capacity are what the steps measure; the accounting must hold at every step.
  const lost = steps.some((s) => s.invariants.some((i) => !i.ok && !i.what.startsWith('errors')));
  if (lost || audit?.chainVerified === false) process.exitCode = 1;
}

await main();
