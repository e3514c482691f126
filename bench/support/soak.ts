// The soak, shared by bench/soak.bench.ts (full length) and tests/soak (30 s in CI): the load mix plus installs/uninstalls, ingests and export approvals at 40 connections, sampling
// the server's RSS, heap and event-loop delay every second; at the end, the invariants.
import { type Invariant, invariants } from './accounting.js';
import { type Ledger, ledgerDelta } from './ledger.js';
import { type OperationResult, quantile, runMix } from './mix.js';
import { soakMix } from './operations.js';
import type { Sample } from './server.js';
import { startServerProcess } from './server-process.js';
import type { Backend } from './stack.js';

/** Options of {@link runSoak}. */
export interface SoakOptions {
  seconds: number;
  backend?: Backend;
  /** Allowed RSS growth between the second fifth and the last fifth of the run (default 96 MB). */
  memoryBoundMB?: number;
  /** Seconds of traffic before the baseline is taken (default 3). */
  warmupSeconds?: number;
  log?: (line: string) => void;
}

/** What a soak measured. */
export interface SoakResult {
  backend: Backend;
  stores: string;
  seconds: number;
  operations: OperationResult[];
  delta: Ledger;
  samples: Sample[];
  memory: {
    /** Median RSS over the second fifth of the run (after warm-up effects). */
    baselineRssMB: number;
    /** Median RSS over the last fifth. */
    endRssMB: number;
    growthMB: number;
    boundMB: number;
    peakRssMB: number;
    baselineHeapMB: number;
    endHeapMB: number;
  };
  eventLoop: { p50OfP99Ms: number; maxP99Ms: number; maxMs: number };
  /** Accounting invariants plus "memory flat". */
  invariants: Invariant[];
}

const median = (xs: number[]) =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

/** Runs a soak against a fresh server process and returns its figures and invariants. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const backend = options.backend ?? 'embedded';
  const log = options.log ?? (() => undefined);
  const bound = options.memoryBoundMB ?? 96;
  const server = await startServerProcess({ backend });
  try {
    log(`soak on ${backend}: ${server.stores} at ${server.url}`);
    const warmup = options.warmupSeconds ?? 3;
    if (warmup > 0) await runMix(server.url, soakMix(), warmup);
    const before = await server.ledger();
    await server.sample(true);
    log(`soak: ${options.seconds} s at 40 connections`);
    const operations = await runMix(server.url, soakMix(), options.seconds);
    const samples = await server.samples();
    await server.sample(false);
    const delta = ledgerDelta(before, await server.ledger());

    const fifth = Math.max(1, Math.floor(samples.length / 5));
    const second = samples.slice(fifth, 2 * fifth);
    const last = samples.slice(-fifth);
    const baselineRssMB = median(second.map((s) => s.rssMB));
    const endRssMB = median(last.map((s) => s.rssMB));
    const growthMB = Math.round((endRssMB - baselineRssMB) * 10) / 10;
    const list = invariants(operations, delta);
    list.push({
      what: `memory flat: RSS growth from the second to the last fifth ≤ ${bound} MB`,
      expected: true,
      actual: samples.length >= 5 && growthMB <= bound,
      ok: samples.length >= 5 && growthMB <= bound,
    });
    return {
      backend,
      stores: server.stores,
      seconds: options.seconds,
      operations,
      delta,
      samples,
      memory: {
        baselineRssMB,
        endRssMB,
        growthMB,
        boundMB: bound,
        peakRssMB: Math.max(0, ...samples.map((s) => s.rssMB)),
        baselineHeapMB: median(second.map((s) => s.heapUsedMB)),
        endHeapMB: median(last.map((s) => s.heapUsedMB)),
      },
      eventLoop: {
        p50OfP99Ms: median(samples.map((s) => s.loopP99Ms)),
        maxP99Ms: Math.max(0, ...samples.map((s) => s.loopP99Ms)),
        maxMs: Math.max(0, ...samples.map((s) => s.loopMaxMs)),
      },
      invariants: list,
    };
  } finally {
    await server.close();
  }
}
