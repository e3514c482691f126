import type { ManifestBudgets } from '@intelgraph/core';
import { z } from 'zod';

/** Resource budgets of a run, in host terms. */
export interface SandboxBudgets {
  /** Wall-clock time, including awaited host calls. */
  wallMs: number;
  /** CPU time inside the isolate. */
  cpuMs: number;
  /** V8 heap limit of the isolate. */
  memoryMB: number;
  /** Rows returned to the plugin through host API calls. */
  rows: number;
  /** Size of the JSON result. */
  outputKB: number;
  /** Size of captured logs; beyond it logs are dropped (the run is not failed). */
  logKB: number;
}

/**
 * Budgets used when a manifest does not set one.
 *
 * @example
 * ```ts
 * import { DEFAULT_BUDGETS } from '@intelgraph/sandbox';
 * DEFAULT_BUDGETS.wallMs; // 800 ms
 * ```
 */
export const DEFAULT_BUDGETS: Readonly<SandboxBudgets> = Object.freeze({
  wallMs: 800,
  cpuMs: 800,
  memoryMB: 64,
  rows: 50_000,
  outputKB: 1024,
  logKB: 64,
});

/**
 * The most any manifest may ask for; larger requests are lowered to these.
 *
 * @example
 * ```ts
 * import { DEFAULT_BUDGET_CAPS } from '@intelgraph/sandbox';
 * DEFAULT_BUDGET_CAPS.memoryMB; // 512
 * ```
 */
export const DEFAULT_BUDGET_CAPS: Readonly<SandboxBudgets> = Object.freeze({
  wallMs: 30_000,
  cpuMs: 30_000,
  memoryMB: 512,
  rows: 1_000_000,
  outputKB: 16_384,
  logKB: 1024,
});

/**
 * Zod schema of a partial budgets object (host defaults and caps).
 *
 * @example
 * ```ts
 * import { PartialBudgetsSchema } from '@intelgraph/sandbox';
 * PartialBudgetsSchema.parse({ wallMs: 2000, memoryMB: 128 });
 * ```
 */
export const PartialBudgetsSchema = z
  .object({
    wallMs: z.number().int().positive().max(3_600_000),
    cpuMs: z.number().int().positive().max(3_600_000),
    memoryMB: z.number().int().min(8).max(8192),
    rows: z.number().int().nonnegative().max(1_000_000_000),
    outputKB: z.number().int().positive().max(1_048_576),
    logKB: z.number().int().positive().max(1_048_576),
  })
  .partial()
  .strict();

/**
 * The effective budgets of a run: the manifest's value, else the host default, never above the cap.
 * Without a CPU budget, CPU time is limited by the wall budget.
 *
 * @example
 * ```ts
 * import { resolveBudgets } from '@intelgraph/sandbox';
 * resolveBudgets({ ms: 60_000, memoryMB: 32 }, {}, { wallMs: 5_000 });
 * // { wallMs: 5000, cpuMs: 5000, memoryMB: 32, rows: 50000, outputKB: 1024, logKB: 64 }
 * ```
 */
export function resolveBudgets(
  manifest: ManifestBudgets | undefined,
  defaults: Partial<SandboxBudgets> = {},
  caps: Partial<SandboxBudgets> = {},
): SandboxBudgets {
  const d = { ...DEFAULT_BUDGETS, ...defaults };
  const c = { ...DEFAULT_BUDGET_CAPS, ...caps };
  const m = manifest ?? {};
  const wallMs = Math.min(m.ms ?? d.wallMs, c.wallMs);
  const cpuRequested = m.cpuMs ?? (defaults.cpuMs !== undefined ? d.cpuMs : wallMs);
  return {
    wallMs,
    cpuMs: Math.min(cpuRequested, c.cpuMs, wallMs),
    memoryMB: Math.min(m.memoryMB ?? d.memoryMB, c.memoryMB),
    rows: Math.min(m.rows ?? d.rows, c.rows),
    outputKB: Math.min(m.outputKB ?? d.outputKB, c.outputKB),
    logKB: Math.min(m.logKB ?? d.logKB, c.logKB),
  };
}
