// Server CPU per operation of the load mix's requests, through GraphQL over HTTP, on PostgreSQL + Redis
// + Neo4j: a closed loop (HOT_PATH_CONCURRENCY requests in flight), so a busy machine slows it down but
// does not queue it up. The server runs in its own process (bench/support/server.ts); its CPU, sandbox
// workers included, is read from /proc around each batch of HOT_PATH_N requests. Batches of every
// operation are interleaved, and the report gives the median and min–max over HOT_PATH_BATCHES.
//
// With HOT_PATH_BASELINE=<another checkout of this repository> (for example `git archive main` unpacked
// and installed), a second server runs from there at the same time, and batches alternate between the
// two: both see the same machine load, so the per-batch ratio says what a change did even on a
// busy, shared machine.
//
// Run: node --no-node-snapshot --conditions=@intelgraph/source --import tsx bench/hot-path.ts
// Env: HOT_PATH_N (200), HOT_PATH_BATCHES (5), HOT_PATH_CONCURRENCY (4),
//      HOT_PATH_OPS ("ping,pluginRun,policy"; "noop" too, not in a baseline from before it existed),
//      HOT_PATH_BASELINE, LOAD_CPU_PROF=<dir> (also profiles the servers while they are measured).
import { join } from 'node:path';
import type { Step, StepTally } from './support/mix.js';
import { classifyResponse, stepRequest } from './support/mix.js';
import { noopRunStep, pingStep, pluginRunStep, policyChangeStep } from './support/operations.js';
import { cpuByGroup } from './support/proc-cpu.js';
import { type ServerProcess, startServerProcess } from './support/server-process.js';

const N = Number(process.env.HOT_PATH_N ?? 200);
const BATCHES = Number(process.env.HOT_PATH_BATCHES ?? 5);
const CONCURRENCY = Number(process.env.HOT_PATH_CONCURRENCY ?? 4);
const BASELINE = process.env.HOT_PATH_BASELINE;
const PROFILE_DIR = process.env.LOAD_CPU_PROF;
const OPS: Record<string, Step> = {
  ping: pingStep,
  noop: noopRunStep,
  pluginRun: pluginRunStep,
  policy: policyChangeStep,
};
const chosen = (process.env.HOT_PATH_OPS ?? 'ping,pluginRun,policy').split(',');

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? 0;
const r0 = (n: number) => Math.round(n);

/** `n` requests of `step`, CONCURRENCY at a time; the server's CPU µs per request. */
async function batch(server: ServerProcess, step: Step, n: number): Promise<number> {
  const target = new URL('/graphql', server.url);
  const tally: StepTally = { responses: 0, answered: 0, accepted: 0, errors: {} };
  const cpu0 = cpuByGroup([server.pid]).server ?? 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) {
        next++;
        const conn = { index: 0, values: {} };
        const req = stepRequest(step, conn);
        if (!req) continue;
        const res = await fetch(target, { method: 'POST', headers: req.headers, body: req.body });
        classifyResponse(tally, step, conn, res.status, await res.text());
      }
    }),
  );
  const cpu = (cpuByGroup([server.pid]).server ?? 0) - cpu0;
  // A busy machine can push a run past its wall-time budget: counted, not fatal.
  if (tally.accepted !== n)
    console.log(`  ${step.name}: ${tally.accepted} of ${n} accepted ${JSON.stringify(tally.errors)}`);
  return (cpu * 1000) / n;
}

async function main(): Promise<void> {
  const servers: { name: string; server: ServerProcess }[] = [];
  try {
    servers.push({ name: 'this tree', server: await startServerProcess({ backend: 'production' }) });
    if (BASELINE)
      servers.push({
        name: 'baseline',
        server: await startServerProcess({ backend: 'production', root: BASELINE }),
      });
    for (const { server } of servers) for (const name of chosen) await batch(server, OPS[name] as Step, 100);
    const us: Record<string, number[]> = {};
    const ratios: Record<string, number[]> = {};
    for (let b = 0; b < BATCHES; b++) {
      for (const name of chosen) {
        const got: number[] = [];
        // Alternate which server goes first, so neither always follows the other's batch.
        const order = b % 2 === 0 ? servers : [...servers].reverse();
        for (const s of order) {
          const profile = PROFILE_DIR && b === 0 && s.name === 'this tree';
          if (profile) await s.server.profile(join(PROFILE_DIR, `hot-path-${name}.cpuprofile`));
          const v = await batch(s.server, OPS[name] as Step, N);
          if (profile) await s.server.profile(null);
          us[`${s.name} ${name}`] = [...(us[`${s.name} ${name}`] ?? []), v];
          got[servers.indexOf(s)] = v;
        }
        if (BASELINE) ratios[name] = [...(ratios[name] ?? []), (got[0] ?? 0) / (got[1] ?? 1)];
      }
    }
    for (const name of chosen) {
      for (const { name: s } of servers) {
        const v = us[`${s} ${name}`] ?? [];
        console.log(
          `${name.padEnd(10)} ${s.padEnd(9)} server CPU µs/request median ${r0(median(v))} (${r0(Math.min(...v))}–${r0(Math.max(...v))})`,
        );
      }
      const r = ratios[name];
      if (r)
        console.log(
          `${name.padEnd(10)} this tree / baseline: median ${median(r).toFixed(3)} (${Math.min(...r).toFixed(3)}–${Math.max(...r).toFixed(3)})`,
        );
    }
  } finally {
    for (const { server } of servers) await server.close();
  }
}

await main();
