import { defineHostApi, scopeHostApi } from '@intelgraph/capabilities';
import { createSandbox } from '@intelgraph/sandbox';
import { afterAll, describe, expect, it } from 'vitest';
import { expectHostUnharmed, failure, manifest } from './helpers.js';

let release: (() => void) | undefined;
const hostApi = defineHostApi({
  graph: {
    search: {
      scope: 'graph:read',
      handler: async (i: { q: string }) => [
        { id: 'e1', q: i.q },
        { id: 'e2', q: i.q },
      ],
    },
    wait: {
      scope: 'graph:read',
      handler: () =>
        new Promise<number>((resolve) => {
          release = () => resolve(1);
        }),
    },
  },
});
const api = scopeHostApi(hostApi, ['graph:read']);
const sandbox = createSandbox({ isolation: 'process', processes: 2, poolSize: 2, processGraceMs: 500 });
afterAll(() => sandbox.close());

describe('process-isolated mode', () => {
  it('runs ES module and CommonJS plugins in worker processes, host calls answered by the parent', async () => {
    const esm = await sandbox.run({
      code: 'export async function run(i, api) { console.log("in worker"); return (await api.graph.search({ q: i.q })).map((e) => e.id + ":" + e.q); }',
      manifest,
      input: { q: 'acme' },
      api,
    });
    expect(esm).toMatchObject({ ok: true, value: ['e1:acme', 'e2:acme'], usage: { rows: 2 } });
    expect(esm.logs.map((l) => l.message)).toEqual(['in worker']);
    expect(esm.provenance.hostCalls).toEqual([
      expect.objectContaining({ method: 'graph.search', rows: 2, ok: true }),
    ]);
    const cjs = await sandbox.run({ code: 'module.exports.run = async () => typeof process', manifest });
    expect(cjs).toMatchObject({ ok: true, value: 'undefined' });
    const stats = sandbox.stats();
    expect(stats.isolation).toBe('process');
    expect(stats.workerPids.length).toBeGreaterThanOrEqual(1);
    expect(stats.workerPids).not.toContain(process.pid);
  });

  it('enforces budgets inside the worker, which keeps serving', async () => {
    const loop = await sandbox.run({ code: 'module.exports.run = async () => { for (;;) {} }', manifest });
    expect(failure(loop)).toMatchObject({ code: 'BUDGET_EXCEEDED', details: { resource: 'wall' } });
    const bomb = await sandbox.run({
      code: 'export async function run() { const a = []; for (;;) a.push(new Array(1e5).fill(1)); }',
      manifest: { ...manifest, budgets: { ms: 10000, memoryMB: 16 } },
    });
    expect(failure(bomb)).toMatchObject({ code: 'BUDGET_EXCEEDED', details: { resource: 'memory' } });
    expect(await sandbox.run({ code: 'export async function run() { return 2 }', manifest })).toMatchObject({
      ok: true,
      value: 2,
    });
  });

  it('a worker killed by a V8 abort fails only its runs; the host survives and the pool replaces it', async () => {
    const startedBefore = sandbox.stats().workersStarted;
    const pending = sandbox.run({
      code: 'export async function run(i, api) { return api.graph.wait(); }',
      manifest: { ...manifest, budgets: { ms: 10000 } },
      api,
    });
    while (!release) await new Promise((r) => setTimeout(r, 10));
    const pids = sandbox.stats().workerPids;
    // SIGABRT is what V8 raises on a fatal out-of-memory error; send it to every worker.
    for (const pid of pids) process.kill(pid, 'SIGABRT');
    const r = await pending;
    expect(failure(r)).toMatchObject({
      code: 'UNAVAILABLE',
      details: { reason: 'worker_lost', signal: 'SIGABRT' },
    });
    expectHostUnharmed();
    // Wait until the parent has seen every killed worker exit, then run again.
    while (sandbox.stats().workerPids.some((pid) => pids.includes(pid)))
      await new Promise((r) => setTimeout(r, 10));
    const after = await sandbox.run({ code: 'export async function run() { return "replaced" }', manifest });
    expect(after).toMatchObject({ ok: true, value: 'replaced' });
    expect(sandbox.stats().workersStarted).toBeGreaterThan(startedBefore);
    for (const pid of sandbox.stats().workerPids) expect(pids).not.toContain(pid);
  });
});
