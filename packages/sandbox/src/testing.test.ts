import { IntelGraphError, PluginManifestSchema } from '@intelgraph/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from './sandbox.js';
import {
  DANGEROUS_CONSTRUCTS,
  fuzzSandbox,
  grantSetArbitrary,
  hostileProgramArbitrary,
  manifestArbitrary,
} from './testing.js';

// Shared CI machines are slow: the budget invariant gets wide slack here (the harness default is ×3 + 1 s).
const slack = { factor: 10, ms: 10_000 };

describe('@intelgraph/sandbox/testing', () => {
  it('generates manifests the manifest schema accepts, and grant sets of known scopes', () => {
    for (const m of fc.sample(manifestArbitrary(), { numRuns: 50, seed: 1 })) {
      expect(PluginManifestSchema.safeParse(m).success).toBe(true);
    }
    for (const g of fc.sample(grantSetArbitrary(), { numRuns: 50, seed: 1 })) {
      expect(new Set(g).size).toBe(g.length);
    }
  });

  it('builds hostile programs from the grammar of dangerous constructs', () => {
    const programs = fc.sample(hostileProgramArbitrary(), { numRuns: 100, seed: 3 });
    const used = new Set(programs.flatMap((p) => p.constructs));
    expect(used.size).toBeGreaterThan(Object.keys(DANGEROUS_CONSTRUCTS).length / 2);
    for (const p of programs) expect(p.code).toContain('module.exports.run');
  });

  it('fuzzes the real sandbox: typed outcomes only, no escape, the host survives', async () => {
    const report = await fuzzSandbox({ runs: 25, seed: 20_261_126, budgetSlack: slack });
    const total = Object.values(report.outcomes).reduce((a, b) => a + b, 0);
    expect(total).toBe(25);
    expect(report.outcomes.INTERNAL).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  }, 120_000);

  it('fails when a sandbox answers with an untyped error', async () => {
    const broken: Sandbox = {
      run: async () => {
        throw new IntelGraphError('INTERNAL', 'boom');
      },
      evict: () => undefined,
      stats: () => ({
        isolation: 'in-process',
        runs: 0,
        isolatesCreated: 0,
        workersStarted: 0,
        workerPids: [],
      }),
      close: async () => undefined,
    } as unknown as Sandbox;
    const error = await fuzzSandbox({ runs: 3, seed: 1, sandbox: broken }).then(
      () => null,
      (e: unknown) => e as Error & { cause?: unknown },
    );
    expect(error).not.toBeNull();
    expect(`${error?.message} ${String(error?.cause)}`).toMatch(/untyped throw/);
  });
});
