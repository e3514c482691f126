import type { Clock, IdSource } from '@intelgraph/core';
import { parseInput, randomIds, systemClock } from '@intelgraph/core';
import { z } from 'zod';
import { BoundedCache } from './bounded-cache.js';
import type { SandboxBudgets } from './budgets.js';
import { IsolateEngine } from './engine.js';
import { ProcessPool } from './process-pool.js';
import {
  DIGEST_CACHE_CHARS,
  type Executor,
  type ManifestFacts,
  OptionsSchema,
  type SandboxContext,
} from './sandbox-run/context.js';
import { runPlugin } from './sandbox-run/run.js';
import type { SandboxResult, SandboxRunRequest } from './sandbox-run/types.js';

// The sandbox's public face. Its concerns live under sandbox-run/, sharing one SandboxContext: options,
// caches and executor (context.ts), request checks (request.ts), one run (run.ts), and the request and
// result types (types.ts).

export type { Executor } from './sandbox-run/context.js';
export type { LogEntry, SandboxResult, SandboxRunRequest } from './sandbox-run/types.js';

/** Options of {@link createSandbox}. */
export interface SandboxOptions {
  /**
   * Isolates kept (per worker process in process mode). Default 2. Each isolate serves one run at a
   * time and prepares its next context (created, bootstrap installed) as soon as it is released;
   * back-to-back runs alternate between isolates, so one prepares while another runs.
   */
  poolSize?: number;
  /**
   * `process` (default): isolates inside a warm pool of child processes, each with an empty
   * environment under Node's permission model (no fs writes, no child processes, no workers), so a V8
   * abort (out of memory beyond recovery, a V8 bug) kills a worker and fails only its runs, never the
   * host. `in-process`: isolates in this process, a little faster, for code you trust (your own
   * plugins, an audited publisher): a catastrophic isolate failure there aborts the host process.
   * `isolate` is the former name of `in-process`.
   */
  isolation?: 'process' | 'in-process' | 'isolate';
  /** Worker processes in process mode. Default 2. */
  processes?: number;
  /** Host defaults for budgets a manifest leaves out. */
  defaults?: Partial<SandboxBudgets>;
  /** Upper limits for any manifest. */
  caps?: Partial<SandboxBudgets>;
  /**
   * Host calls per run (default 1000) and in flight at once (default 32). Calls over either are
   * refused inside the isolate (`RATE_LIMITED`) with no message to the host, and again by the host.
   */
  maxHostCalls?: number;
  maxConcurrentHostCalls?: number;
  /**
   * Log entries kept per run (default 1000). Each entry also costs its text plus 64 bytes of the
   * `logKB` budget; beyond either, further logs are dropped and `logsTruncated` is true.
   */
  maxLogEntries?: number;
  /** Largest JSON value crossing through a host call, either way, in KB (default 1024). */
  maxValueKB?: number;
  /** Largest input, in KB (default 1024), and largest code, in KB (default 5120). */
  maxInputKB?: number;
  maxCodeKB?: number;
  /**
   * Replace an isolate after this many runs (default 10,000), which returns its native memory; the
   * replacement is created ahead of time while no run is in progress.
   */
  recycleAfterRuns?: number;
  /** Extra wall time the process-mode parent grants a worker before killing it (default 1000 ms). */
  processGraceMs?: number;
  clock?: Clock;
  ids?: IdSource;
}

/** Counters for dashboards and tests. */
export interface SandboxStats {
  isolation: 'process' | 'in-process';
  runs: number;
  /** Isolates created so far (in process mode: in live workers). */
  isolatesCreated: number;
  /** Worker processes started so far (process mode). */
  workersStarted: number;
  /** Pids of live worker processes (process mode). */
  workerPids: number[];
}

/** A plugin sandbox. Built with {@link createSandbox}. */
export interface Sandbox {
  /** Runs plugin code with budgets and the scoped API. Throws only for a malformed request. */
  run<T = unknown>(request: SandboxRunRequest): Promise<SandboxResult<T>>;
  /** Drops cached compiled code and pooled isolates for a code digest (on uninstall or upgrade). */
  evict(codeSha256: string): void;
  stats(): SandboxStats;
  /** Stops accepting runs and frees isolates and workers. */
  close(): Promise<void>;
}

/**
 * Creates a sandbox for untrusted plugin code, built on isolated-vm: by default a warm pool of worker
 * processes (empty environment, Node's permission model) holding pooled isolates, a fresh context for
 * every run, compiled code cached by SHA-256, budgets enforced by the host until the isolate is idle,
 * and a scoped host API as the only way out. `isolation: 'in-process'` runs isolates in this process,
 * for trusted code only.
 *
 * @example
 * ```ts
 * import { defineHostApi, scopeHostApi } from '@intelgraph/capabilities';
 * import { createSandbox } from '@intelgraph/sandbox';
 *
 * const hostApi = defineHostApi({
 *   graph: { search: { scope: 'graph:read', handler: async ({ q }: { q: string }) => [{ id: 'e1', q }] } },
 * });
 * const sandbox = createSandbox({ poolSize: 2 });
 * const r = await sandbox.run({
 *   code: 'export async function run(input, api) { return (await api.graph.search({ q: input.q })).length; }',
 *   manifest: { name: 'counter', version: '1.0.0', entry: 'index.js', capabilities: { graph: ['read'] } },
 *   input: { q: 'acme' },
 *   api: scopeHostApi(hostApi, ['graph:read']),
 * });
 * if (r.ok) console.log(r.value, r.usage.wallMs, r.provenance.hostCalls);
 * await sandbox.close();
 * ```
 */
export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const o = parseInput(OptionsSchema, options, 'sandbox options');
  const isolation = o.isolation === 'process' || o.isolation === undefined ? 'process' : 'in-process';
  const poolSize = o.poolSize ?? 2;
  const executor: Executor =
    isolation === 'process'
      ? new ProcessPool({
          processes: o.processes ?? 2,
          poolSize,
          graceMs: o.processGraceMs ?? 1000,
          ...(o.recycleAfterRuns ? { recycleAfterRuns: o.recycleAfterRuns } : {}),
        })
      : inProcessExecutor(
          new IsolateEngine({
            poolSize,
            ...(o.recycleAfterRuns ? { recycleAfterRuns: o.recycleAfterRuns } : {}),
          }),
        );
  const ctx: SandboxContext = {
    o,
    clock: o.clock ?? systemClock,
    ids: o.ids ?? randomIds,
    maxInputBytes: (o.maxInputKB ?? 1024) * 1024,
    maxCodeBytes: (o.maxCodeKB ?? 5120) * 1024,
    executor,
    manifests: new BoundedCache<string, ManifestFacts>({ maxEntries: 256 }),
    digests: new BoundedCache<string, string>({
      maxEntries: 256,
      maxWeight: DIGEST_CACHE_CHARS,
      weigh: (code) => code.length,
    }),
    state: { closed: false, runs: 0 },
  };

  return {
    run: <T>(request: SandboxRunRequest) => runPlugin<T>(ctx, request),
    evict(codeSha256: string) {
      parseInput(z.string().regex(/^[0-9a-f]{64}$/), codeSha256, 'codeSha256');
      executor.evict(codeSha256);
    },
    stats: () => ({
      isolation,
      runs: ctx.state.runs,
      isolatesCreated: executor.isolatesCreated(),
      workersStarted: executor.workersStarted(),
      workerPids: executor.workerPids(),
    }),
    async close() {
      if (ctx.state.closed) return;
      ctx.state.closed = true;
      await executor.close();
    },
  };
}

function inProcessExecutor(engine: IsolateEngine): Executor {
  return {
    run: (job, bridge, signal) => engine.run(job, bridge, signal),
    evict: (sha) => engine.evict(sha),
    close: async () => engine.close(),
    isolatesCreated: () => engine.pool.created,
    workersStarted: () => 0,
    workerPids: () => [],
  };
}
