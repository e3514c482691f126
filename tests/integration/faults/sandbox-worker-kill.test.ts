// Fault: a sandbox worker process is killed with SIGKILL in the middle of a run (process isolation).
// The run fails typed, the host survives, the pool starts a new worker and the next run works; the
// killed run is still settled and audited.
import { defineHostApi } from '@intelgraph/capabilities';
import type { ExtensionHost } from '@intelgraph/host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alice, auditCounts, eventually, hostWithPlugins } from './support.js';

describe('fault: sandbox worker killed mid-run (process mode)', () => {
  let host: ExtensionHost;
  let entered: () => void = () => undefined;
  let release: () => void = () => undefined;
  let blocking = true;

  beforeAll(async () => {
    // graph.search blocks while `blocking`, so the test knows the run is inside the worker.
    const hostApi = defineHostApi({
      graph: {
        search: {
          scope: 'graph:read',
          handler: async () => {
            if (blocking) {
              entered();
              await new Promise<void>((resolve) => {
                release = resolve;
              });
            }
            return [{ id: 'e1', label: 'Acme', type: 'Organization', properties: {} }];
          },
        },
      },
    });
    // The host's default sandbox: process isolation, nothing to opt into.
    host = await hostWithPlugins({ hostApi, sandbox: { poolSize: 1 } });
  });

  afterAll(async () => {
    release();
    await host?.close();
  });

  it('fails the run typed, heals the pool, and runs the next one', async () => {
    expect(await host.plugins.run(alice, 'echo', { warm: true })).toMatchObject({ ok: true });
    const before = host.internals.sandbox.stats();
    expect(before.isolation).toBe('process');
    expect(before.workerPids.length).toBeGreaterThan(0);

    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const pending = host.plugins.run(alice, 'searcher', { q: 'acme' });
    await inside;
    const pids = host.internals.sandbox.stats().workerPids;
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    const killed = await pending;
    release();
    blocking = false;

    expect(killed.ok).toBe(false);
    expect(killed.error).toMatchObject({ code: 'UNAVAILABLE', details: { reason: 'worker_lost' } });
    // Settled and priced like any run that reached the sandbox.
    expect(killed.usage).not.toBeNull();
    expect(killed.cost).not.toBeNull();

    // The pool replaces the worker; the next runs work, on a new process.
    const healed = await eventually(
      async () => !host.internals.sandbox.stats().workerPids.some((p) => pids.includes(p)),
      10_000,
    );
    expect(healed).not.toBeNull();
    expect(await host.plugins.run(alice, 'searcher', { q: 'acme' })).toMatchObject({
      ok: true,
      value: ['e1'],
    });
    expect(await host.plugins.run(alice, 'echo', { after: true })).toMatchObject({ ok: true });
    const after = host.internals.sandbox.stats();
    expect(after.workersStarted).toBeGreaterThan(before.workersStarted);
    for (const pid of after.workerPids) expect(pids).not.toContain(pid);

    // All four runs are in the audit chain, the killed one with its code; quotas counted them all.
    const runs = await host.internals.audit.list({ type: 'plugin.run' });
    expect(runs.map((e) => (e.data as { outcome: string }).outcome)).toEqual([
      'ok',
      'UNAVAILABLE',
      'ok',
      'ok',
    ]);
    expect((await auditCounts(host))['plugin.run.denied'] ?? 0).toBe(0);
    expect((await host.internals.audit.verify()).ok).toBe(true);
  });
});
