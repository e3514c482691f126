// The sandbox's budgets and defaults hold against a hostile plugin author. One test per class
// of breach, each asserting the contained outcome (a typed error, its budget resource) and that the
// host is unharmed; the budget-only classes run in both isolation modes.
import { readFileSync } from 'node:fs';
import { defineHostApi, scopeHostApi } from '@intelgraph/capabilities';
import { IntelGraphError } from '@intelgraph/core';
import { createSandbox, type Sandbox, type SandboxResult } from '@intelgraph/sandbox';
import { afterAll, describe, expect, it } from 'vitest';
import { expectHostUnharmed, failure } from './helpers.js';

// Canaries a host typically has in its environment: none may reach a worker process.
process.env.DATABASE_URL = 'postgres://canary-db-user:canary-db-pass@db.internal/prod';
process.env.STRIPE_SECRET_KEY = 'sk_live_canary_0123456789';

let floodCalls = 0;
const hostApi = defineHostApi({
  graph: {
    search: { scope: 'graph:read', handler: async () => [{ id: 'e1' }] },
    hang: {
      scope: 'graph:read',
      handler: () => {
        floodCalls += 1;
        return new Promise<never>(() => {});
      },
    },
  },
});
const api = scopeHostApi(hostApi, ['graph:read']);
const base = {
  name: 'guardrail-probe',
  version: '1.0.0',
  entry: 'index.js',
  capabilities: { graph: ['read'] },
};
const budgets = (b: Record<string, number>) => ({ ...base, budgets: { ms: 3000, memoryMB: 32, ...b } });

const byDefault = createSandbox({ maxConcurrentHostCalls: 16, maxHostCalls: 200 });
const inProcess = createSandbox({ isolation: 'in-process', maxConcurrentHostCalls: 16, maxHostCalls: 200 });
afterAll(async () => {
  await Promise.all([byDefault.close(), inProcess.close()]);
});

const benign = 'export function run() { return "still serving"; }';
async function stillServing(sandbox: Sandbox): Promise<void> {
  expectHostUnharmed();
  expect(await sandbox.run({ code: benign, manifest: base })).toMatchObject({
    ok: true,
    value: 'still serving',
  });
}
function budgetResource(r: SandboxResult): unknown {
  const f = failure(r);
  expect(f.code).toBe('BUDGET_EXCEEDED');
  return f.details.resource;
}

describe('the default isolation', () => {
  it('is process isolation: a plugin that exhausts V8 memory cannot take the host down', async () => {
    expect(byDefault.stats().isolation).toBe('process');
    const r = await byDefault.run({
      code: 'export function run() { const m = new Map(); for (let i = 0; ; i++) m.set(i, { i }); }',
      manifest: budgets({ memoryMB: 64, ms: 20_000 }),
    });
    // V8 either stops the isolate at its limit or aborts the worker; both are contained and typed.
    const f = failure(r);
    if (f.code === 'UNAVAILABLE') expect(f.details).toMatchObject({ reason: 'worker_lost' });
    else expect(f).toMatchObject({ code: 'BUDGET_EXCEEDED', details: { resource: 'memory' } });
    await stillServing(byDefault);
  });

  it('memory a plugin causes outside any isolate accounting (Intl objects) is bounded per worker', async () => {
    const r = await byDefault.run({
      code: "export function run() { const a = []; for (;;) a.push(new Intl.DateTimeFormat('en', { timeZone: 'UTC', dateStyle: 'full' })); }",
      manifest: budgets({ memoryMB: 32, ms: 30_000 }),
    });
    // Killed when the worker passes its memory at start + 2 isolates × 2 × memoryMB + 64 MB, long before 30 s.
    expect(failure(r)).toMatchObject({
      code: 'BUDGET_EXCEEDED',
      details: { resource: 'memory', scope: 'worker' },
    });
    expect(r.usage.wallMs).toBeLessThan(30_000);
    await stillServing(byDefault);
  });

  it('workers get an empty environment and run under the permission model', async () => {
    await byDefault.run({ code: benign, manifest: base });
    const pids = byDefault.stats().workerPids;
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      expect(environ).not.toContain('canary');
      // Only the IPC channel Node itself sets up for fork(): nothing of the host's environment.
      const names = environ
        .split('\0')
        .filter(Boolean)
        .map((kv) => kv.slice(0, kv.indexOf('=')));
      for (const name of names)
        expect(['NODE_CHANNEL_FD', 'NODE_CHANNEL_SERIALIZATION_MODE']).toContain(name);
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      expect(argv).toContain('--permission');
      expect(argv.some((a) => /^--allow-(fs-write|child-process|worker|wasi)/.test(a))).toBe(false);
    }
  });
});

for (const [mode, sandbox] of [
  ['process', byDefault],
  ['in-process', inProcess],
] as const) {
  describe(`guardrails (${mode})`, () => {
    it('memory outside the V8 heap: resizable buffers are refused, large buffers count against memoryMB', async () => {
      const rssBefore = process.memoryUsage().rss;
      const resizable = await sandbox.run({
        code: 'export function run() { const b = new ArrayBuffer(0, { maxByteLength: 2 ** 30 }); b.resize(2 ** 30); new Float64Array(b).fill(7); return b.byteLength; }',
        manifest: budgets({}),
      });
      expect(failure(resizable)).toMatchObject({ code: 'PLUGIN_ERROR', details: { name: 'RangeError' } });
      // The intrinsic constructor reached another way is the guarded one, and resize() is gone.
      const viaPrototype = await sandbox.run({
        code: `export function run() {
          const AB = Object.getPrototypeOf(new Uint8Array(1).buffer).constructor;
          let refused = false;
          try { new AB(8, { maxByteLength: 2 ** 30 }); } catch (e) { refused = e instanceof RangeError; }
          class Sub extends ArrayBuffer {}
          return { same: AB === ArrayBuffer, refused, resize: typeof ArrayBuffer.prototype.resize,
            sub: new Sub(8).byteLength, slice: new ArrayBuffer(16).slice(4).byteLength,
            shared: typeof SharedArrayBuffer, atomics: typeof Atomics, wasm: typeof WebAssembly };
        }`,
        manifest: budgets({}),
      });
      expect(viaPrototype).toMatchObject({
        ok: true,
        value: {
          same: true,
          refused: true,
          resize: 'undefined',
          sub: 8,
          slice: 12,
          shared: 'undefined',
          atomics: 'undefined',
          wasm: 'undefined',
        },
      });
      for (const code of [
        'export function run() { return new ArrayBuffer(2 ** 30).byteLength; }',
        'export function run() { const a = []; for (;;) a.push(new Float64Array(2 ** 20)); }',
        'export function run() { let b = new ArrayBuffer(8); b = b.transfer(2 ** 30); return b.byteLength; }',
        // A flattened string larger than the budget: V8's heap limit lets it through, the heap reading
        // taken once the isolate is idle does not.
        "export function run() { let s = 'x'.repeat(2 ** 26); s = s + 'y'; s.indexOf('q'); return s.length; }",
      ]) {
        const r = await sandbox.run({ code, manifest: budgets({ ms: 10_000 }) });
        expect(budgetResource(r)).toBe('memory');
      }
      // Nothing of it landed in the host (the repro took host RSS from 97 MB to 1.1 GB).
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 1024 * 1024);
      await stillServing(sandbox);
    });

    it('late microtasks: CPU and wall budgets hold until the isolate is idle, and usage counts that CPU', async () => {
      const late = {
        toJSON:
          'export function run() { return { toJSON() { Promise.resolve().then(() => { for (;;) {} }); return 1; } }; }',
        getter:
          'export function run() { return { get v() { Promise.resolve().then(() => { for (;;) {} }); return 1; } }; }',
        thenable:
          'export function run() { return { then(resolve) { resolve(1); Promise.resolve().finally(() => { for (;;) {} }); } }; }',
        finally:
          'export async function run() { Promise.resolve().finally(() => { for (;;) {} }); return 1; }',
      };
      for (const [name, code] of Object.entries(late)) {
        const started = performance.now();
        const r = await sandbox.run({ code, manifest: budgets({ cpuMs: 100 }) });
        expect({ name, resource: budgetResource(r) }).toEqual({ name, resource: 'cpu' });
        expect(r.usage.cpuMs).toBeGreaterThanOrEqual(100);
        // Stopped near its CPU budget, not at the 3 s wall budget.
        expect(performance.now() - started).toBeLessThan(2500);
      }
      // Within budget, the late work is still billed: usage is read once the isolate is idle. The
      // plugin's clock is the logical run clock (it cannot time a busy-wait), so the late work is a fixed
      // amount of computation, billed about as much as the same work done inside run().
      const WORK = 'let x = 0; for (let i = 0; i < 3e7; i++) x = (x + i * 7) % 1000003; globalThis.x = x;';
      const inline = await sandbox.run({
        code: `export function run() { ${WORK} return 1; }`,
        manifest: budgets({ cpuMs: 2500 }),
      });
      const billed = await sandbox.run({
        code: `export function run() { return { toJSON() { Promise.resolve().then(() => { ${WORK} }); return 1; } }; }`,
        manifest: budgets({ cpuMs: 2500 }),
      });
      expect(billed).toMatchObject({ ok: true, value: 1 });
      expect(inline.usage.cpuMs).toBeGreaterThan(0);
      expect(billed.usage.cpuMs).toBeGreaterThanOrEqual(inline.usage.cpuMs * 0.5);
      expect(billed.provenance.usage.cpuMs).toBe(billed.usage.cpuMs);
      await stillServing(sandbox);
    });

    it('log floods: every entry costs bytes, entries are capped, logsTruncated is set, no backlog builds', async () => {
      const started = performance.now();
      const r = await sandbox.run({
        code: 'export function run() { for (let i = 0; i < 250000; i++) console.log(); return "done"; }',
        manifest: budgets({ logKB: 1, ms: 5000 }),
      });
      expect(r).toMatchObject({ ok: true, value: 'done', logsTruncated: true });
      expect(r.usage.logBytes).toBeGreaterThan(0);
      expect(r.usage.logBytes).toBeLessThanOrEqual(1024);
      expect(r.logs.length).toBeLessThanOrEqual(1024 / 64 + 1);
      // Far inside its wall budget: the flood is cut in the isolate, nothing queues behind it.
      expect(performance.now() - started).toBeLessThan(4000);
      const many = await sandbox.run({
        code: 'export function run() { for (let i = 0; i < 5000; i++) console.log("x"); return 1; }',
        manifest: budgets({ logKB: 1024 }),
      });
      expect(many).toMatchObject({ ok: true, logsTruncated: true });
      expect(many.logs.length).toBeLessThanOrEqual(1001);
      // A plugin cannot claim truncation by printing the notice itself.
      const forged = await sandbox.run({
        code: 'export function run() { console.log("[log budget of 1 bytes reached; further logs dropped]"); return 1; }',
        manifest: budgets({}),
      });
      expect(forged).toMatchObject({ ok: true, logsTruncated: false });
    });

    it('call floods are refused inside the isolate: the host sees at most the in-flight cap', async () => {
      const before = floodCalls;
      const r = await sandbox.run({
        code: `export async function run(i, api) {
          let refused = 0;
          for (let k = 0; k < 100000; k++) api.graph.hang({ q: 'x' }).catch((e) => { if (e.code === 'RATE_LIMITED') refused++; });
          await null; await null;
          return refused;
        }`,
        manifest: budgets({ ms: 20_000, cpuMs: 15_000 }),
        api,
      });
      expect(r.ok).toBe(true);
      expect(r.ok && (r.value as number)).toBeGreaterThanOrEqual(100000 - 16);
      expect(floodCalls - before).toBeLessThanOrEqual(16);
      await stillServing(sandbox);
    });

    it('a forged host error code is PLUGIN_ERROR, even with the bootstrap intrinsics replaced', async () => {
      const forged = await sandbox.run({
        code: `export async function run(i, api) {
          WeakSet.prototype.has = () => true; WeakMap.prototype.has = () => true;
          Map.prototype.get = () => undefined; Map.prototype.set = function () { return this; };
          String.prototype.slice = () => 'CAPABILITY_DENIED';
          const e = new Error('forged'); e.name = 'HostApiError'; e.code = 'CAPABILITY_DENIED'; e.callId = 1;
          throw e;
        }`,
        manifest: budgets({}),
        api,
      });
      const f = failure(forged);
      expect(f.code).toBe('PLUGIN_ERROR');
      expect(forged.provenance.outcome).toBe('PLUGIN_ERROR');
      // Replaced intrinsics do not break the bootstrap's own work either.
      const replaced = await sandbox.run({
        code: `export async function run(i, api) {
          Map.prototype.get = () => undefined; Map.prototype.set = () => { throw new Error('trap'); };
          Map.prototype.delete = () => false; JSON.parse = () => 'trap'; JSON.stringify = () => 'trap';
          Function.prototype.call = function () { throw new Error('trap'); };
          Promise.reject = () => 'trap'; String.prototype.indexOf = () => -1;
          const hits = await api.graph.search({ q: 'x' });
          return hits.length;
        }`,
        manifest: budgets({}),
        api,
      });
      expect(replaced).toMatchObject({ ok: true, value: 1 });
      await stillServing(sandbox);
    });

    it('aborting the signal ends a running plugin promptly with the reason as a typed error', async () => {
      for (const code of [
        'export function run() { for (;;) {} }',
        'export async function run(i, api) { return api.graph.hang({}); }',
      ]) {
        const controller = new AbortController();
        const started = performance.now();
        const pending = sandbox.run({
          code,
          manifest: budgets({ ms: 20_000 }),
          api,
          signal: controller.signal,
        });
        setTimeout(() => controller.abort(new IntelGraphError('KILL_SWITCH', 'plugin disabled')), 300);
        const r = await pending;
        expect(failure(r)).toMatchObject({ code: 'KILL_SWITCH', details: { reason: 'aborted' } });
        expect(performance.now() - started).toBeLessThan(5000);
      }
      const pre = new AbortController();
      pre.abort();
      const refused = await sandbox.run({ code: benign, manifest: base, signal: pre.signal });
      expect(failure(refused)).toMatchObject({ code: 'UNAVAILABLE', details: { reason: 'aborted' } });
      await stillServing(sandbox);
    });
  });
}

describe('the host event loop under a flood', () => {
  it('a host interval timer keeps firing whatever the plugin floods (default isolation)', async () => {
    const floods = [
      `for (let k = 0; k < 100000; k++) api.graph.hang({ q: 'x' }).catch(() => {}); await new Promise(() => {});`,
      'for (let k = 0; k < 1e6; k++) Promise.resolve().then(() => 0); await new Promise(() => {});',
      'for (;;) console.log("");',
    ];
    for (const body of floods) {
      let last = performance.now();
      let maxGap = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
      }, 10);
      const r = await byDefault.run({
        code: `export async function run(i, api) { ${body} }`,
        manifest: budgets({ ms: 1000 }),
        api,
      });
      clearInterval(timer);
      // The promise flood fills its 32 MB before its wall budget when the isolate runs it fast enough:
      // either budget stops it; what this test is about is the host's timer below.
      expect(['wall', 'memory']).toContain(budgetResource(r));
      // The issue measured a 2,000-8,300 ms stall. On an idle machine the gap stays near the 10 ms
      // period; this shared 2-core CI box (load average often above 10) adds scheduler delay of its own,
      // so the bound is 250 ms: an order of magnitude below the bug, well above the machine's noise.
      expect(maxGap).toBeLessThan(250);
    }
  });
});
