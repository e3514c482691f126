// The 30-second soak CI runs: the full soak mix at 40 connections against a server process on
// the embedded defaults; asserts the invariants (0 errors, every accepted request accounted for in the
// audit chain, quotas, meters and billing outbox, the chain verifies, memory flat), never latency.
// The full-length soak is `bench/soak.bench.ts` (SOAK_SECONDS, default 180).
import { describe, expect, it } from 'vitest';
import { runSoak } from '../../bench/support/soak.js';

const SECONDS = Number(process.env.SOAK_CI_SECONDS ?? 30);

describe('soak (30 s in CI)', () => {
  it('loses nothing and stays flat under the full mix at 40 connections', { timeout: 600_000 }, async () => {
    // RSS climbs for the first 15–30 s while the host's isolate pool and PGlite's buffers fill (the full
    // soak's samples in bench/results/soak.md show the plateau), so the memory window starts after 20 s.
    const result = await runSoak({ seconds: SECONDS, backend: 'embedded', warmupSeconds: 20 });
    // Accounting and memory invariants hold exactly. The zero-errors invariant is asserted by the full
    // soak (bench/soak.bench.ts); here, on a shared CI machine, a run that overruns its 800 ms wall
    // budget while waiting for CPU is a latency effect, so BUDGET_EXCEEDED is tolerated (and still
    // accounted: audited, charged, metered and billed like any run). Anything else is an error.
    const broken = result.invariants.filter((i) => !i.ok && !i.what.startsWith('errors'));
    expect(broken, JSON.stringify({ broken, memory: result.memory })).toEqual([]);
    const codes = result.operations.flatMap((o) =>
      Object.values(o.steps).flatMap((s) => Object.keys(s.errors)),
    );
    expect(codes.filter((c) => c !== 'BUDGET_EXCEEDED')).toEqual([]);
    expect(result.operations.reduce((n, o) => n + o.transportErrors + o.unanswered, 0)).toBe(0);
    // Every kind of operation really ran, so each invariant was exercised.
    for (const step of [
      'pluginRun',
      'requestPolicyChange',
      'install',
      'uninstall',
      'ingest',
      'export',
      'approve',
    ]) {
      const accepted = result.operations.reduce((n, o) => n + (o.steps[step]?.accepted ?? 0), 0);
      expect(accepted, step).toBeGreaterThan(0);
    }
    expect(result.delta.chainVerified).toBe(true);
  });
});
