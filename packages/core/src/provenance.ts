import type { ErrorCode } from './errors.js';

/** Resources measured for every plugin run. */
export interface Usage {
  /** Wall-clock time of the run, including awaited host calls. */
  wallMs: number;
  /** CPU time spent inside the isolate. */
  cpuMs: number;
  /** Peak or final heap size of the isolate, in bytes. */
  heapBytes: number;
  /** Rows returned to the plugin through host API calls. */
  rows: number;
  /** Size of the serialized result, in bytes. */
  outputBytes: number;
  /** Size of captured logs, in bytes. */
  logBytes: number;
}

/** One host API call made by a plugin. */
export interface HostCallRecord {
  scope: string;
  method: string;
  rows: number;
  ms: number;
  ok: boolean;
  /** Error code when the call failed. */
  error?: ErrorCode;
}

/** Which plugin ran: identity plus digests of exactly what was executed. */
export interface PluginIdentity {
  id: string;
  version: string;
  /** SHA-256 of the canonical manifest. */
  manifestSha256: string;
  /** SHA-256 of the code that was compiled. */
  codeSha256: string;
}

/** The provenance attached to every plugin run, success or failure. */
export interface Provenance {
  runId: string;
  plugin: PluginIdentity;
  grantedScopes: string[];
  /** SHA-256 of the canonical input. */
  inputSha256: string;
  hostCalls: HostCallRecord[];
  usage: Usage;
  outcome: 'ok' | ErrorCode;
  /** ISO-8601 timestamps. */
  startedAt: string;
  endedAt: string;
  /**
   * What made the run deterministic: the 128-bit seed of its `Math.random` (32 hex digits) and the
   * origin of its logical clock (epoch ms). A replay runs with the same values.
   */
  determinism?: RunDeterminism;
}

/** The random seed and clock origin of a run (see {@link Provenance.determinism}). */
export interface RunDeterminism {
  seed: string;
  clockOrigin: number;
}

/** The cost of a run, in the units of the price table. */
export interface Cost {
  currency: string;
  /** Amount in the smallest unit of `currency` (for example micro-dollars), a whole number. */
  amount: number;
  /** How the amount was computed, per metered resource. */
  lines: { resource: string; quantity: number; unitPrice: number; amount: number }[];
}

/**
 * An all-zero {@link Usage}, the starting point of every run's accounting.
 *
 * @example
 * ```ts
 * import { emptyUsage } from '@intelgraph/core';
 * const usage = { ...emptyUsage(), rows: 3 };
 * ```
 */
export function emptyUsage(): Usage {
  return { wallMs: 0, cpuMs: 0, heapBytes: 0, rows: 0, outputBytes: 0, logBytes: 0 };
}
