import {
  type Clock,
  digestJson,
  type IdSource,
  IntelGraphError,
  type PluginManifest,
  sha256Hex,
  validateManifest,
} from '@intelgraph/core';
import { z } from 'zod';
import type { BoundedCache } from '../bounded-cache.js';
import { PartialBudgetsSchema, resolveBudgets, type SandboxBudgets } from '../budgets.js';
import type { EngineBridge, EngineJob, EngineOutcome } from '../engine.js';

// The context a sandbox's modules share: its validated options, its executor, its caches, and whether it
// is closed.

/** @internal What runs jobs: the in-process engine or the worker-process pool. */
export interface Executor {
  run(job: EngineJob, bridge: EngineBridge, signal?: AbortSignal): Promise<EngineOutcome>;
  evict(codeSha256: string): void;
  close(): Promise<void>;
  isolatesCreated(): number;
  workersStarted(): number;
  workerPids(): number[];
}

/** The sandbox's options, validated at creation. */
export const OptionsSchema = z
  .object({
    poolSize: z.number().int().min(1).max(64).optional(),
    isolation: z.enum(['process', 'in-process', 'isolate']).optional(),
    processes: z.number().int().min(1).max(32).optional(),
    defaults: PartialBudgetsSchema.optional(),
    caps: PartialBudgetsSchema.optional(),
    maxHostCalls: z.number().int().positive().max(1_000_000).optional(),
    maxConcurrentHostCalls: z.number().int().positive().max(1024).optional(),
    maxLogEntries: z.number().int().positive().max(1_000_000).optional(),
    maxValueKB: z.number().int().positive().max(1_048_576).optional(),
    maxInputKB: z.number().int().positive().max(1_048_576).optional(),
    maxCodeKB: z.number().int().positive().max(1_048_576).optional(),
    recycleAfterRuns: z.number().int().positive().optional(),
    processGraceMs: z.number().int().nonnegative().max(60_000).optional(),
    clock: z.custom<Clock>((v) => typeof (v as Clock | null)?.now === 'function').optional(),
    ids: z.custom<IdSource>((v) => typeof (v as IdSource | null)?.next === 'function').optional(),
  })
  .strict();

/** What a manifest yields for a run: validated once per distinct manifest text. */
export interface ManifestFacts {
  manifest: PluginManifest;
  manifestSha256: string;
  budgets: SandboxBudgets;
  filename: string;
}

/** Everything a sandbox's modules share. */
export interface SandboxContext {
  o: z.infer<typeof OptionsSchema>;
  clock: Clock;
  ids: IdSource;
  maxInputBytes: number;
  maxCodeBytes: number;
  executor: Executor;
  // Per-run work that depends only on the manifest or the code is done once per distinct value.
  manifests: BoundedCache<string, ManifestFacts>;
  digests: BoundedCache<string, string>;
  state: { closed: boolean; runs: number };
}

/** Total characters of plugin code whose digest is remembered (beyond it, the oldest are forgotten). */
export const DIGEST_CACHE_CHARS = 32 * 1024 * 1024;

function jsonText(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined; // cycles, BigInt: left to validation, which reports them
  }
}

/** Validates a manifest (cached by its JSON text) and derives its digest and effective budgets. */
export function manifestFacts(ctx: SandboxContext, raw: unknown): ManifestFacts {
  const text = jsonText(raw);
  const cached = text === undefined ? undefined : ctx.manifests.get(text);
  if (cached) return cached;
  const mv = validateManifest(raw);
  if (!mv.ok) {
    throw new IntelGraphError('INVALID_INPUT', 'invalid plugin manifest', {
      details: { issues: mv.issues },
    });
  }
  const manifest = mv.value;
  const facts: ManifestFacts = {
    manifest,
    manifestSha256: digestJson(manifest),
    budgets: resolveBudgets(manifest.budgets, ctx.o.defaults, ctx.o.caps),
    filename: `plugin:${manifest.name}@${manifest.version}`,
  };
  if (text !== undefined) ctx.manifests.set(text, facts);
  return facts;
}

/** The SHA-256 of plugin code, remembered per code text. */
export function codeDigest(ctx: SandboxContext, code: string): string {
  let sha = ctx.digests.get(code);
  if (sha === undefined) {
    sha = sha256Hex(code);
    ctx.digests.set(code, sha);
  }
  return sha;
}
