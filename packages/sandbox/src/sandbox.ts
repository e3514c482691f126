import { randomBytes } from 'node:crypto';
import type { ScopedHostApi } from '@intelgraph/capabilities';
import {
  type Clock,
  digestJson,
  type ErrorCode,
  findDangerousKeys,
  type HostCallRecord,
  type IdSource,
  IntelGraphError,
  isIntelGraphError,
  type PluginManifest,
  type Provenance,
  parseInput,
  type RunDeterminism,
  randomIds,
  sha256Hex,
  systemClock,
  type Usage,
  validateManifest,
} from '@intelgraph/core';
import { z } from 'zod';
import { BoundedCache } from './bounded-cache.js';
import { PartialBudgetsSchema, resolveBudgets, type SandboxBudgets } from './budgets.js';
import type { BridgeCallResult, EngineBridge, EngineJob, EngineOutcome, LogLevel } from './engine.js';
import { IsolateEngine } from './engine.js';
import { ProcessPool } from './process-pool.js';
import { redactPii } from './redact.js';

/** One captured `console` line. */
export interface LogEntry {
  level: LogLevel;
  /** The message, PII-redacted. */
  message: string;
  /** ISO-8601 time the host received it. */
  at: string;
}

/** What every run returns, success or failure. */
interface RunReport {
  logs: LogEntry[];
  /** Whether logs were dropped because the log budget was reached. */
  logsTruncated: boolean;
  usage: Usage;
  provenance: Provenance;
}

/**
 * The result of {@link Sandbox.run}: `{ ok: true, value }` or `{ ok: false, error }`, with logs, usage
 * and provenance either way. `error.code` is `BUDGET_EXCEEDED` (with `details.resource` = `wall | cpu
 * | memory | rows | output`, `limit`, `observed`, `unit`), `PLUGIN_ERROR` (plugin message, `details.stack`
 * with only plugin frames), `CAPABILITY_DENIED` (only when the host denied a call), `UNAVAILABLE` (a
 * crashed worker, a closed sandbox, an aborted run), or the code of the abort reason (`KILL_SWITCH`…).
 */
export type SandboxResult<T = unknown> = ({ ok: true; value: T } | { ok: false; error: IntelGraphError }) &
  RunReport;

/** What to run. */
export interface SandboxRunRequest {
  /** The plugin source: an ES module exporting `run(input, api)`, or CommonJS setting `module.exports.run`. */
  code: string;
  /** The plugin manifest (validated here; budgets come from it). */
  manifest: unknown;
  /** JSON input handed to `run`. */
  input?: unknown;
  /** The scoped host API (from `scopeHostApi`); without it the plugin gets an empty `api`. */
  api?: ScopedHostApi;
  /** Plugin id for provenance; defaults to the manifest name. */
  pluginId?: string;
  /**
   * Ends the run when aborted (a kill switch, an uninstall, a client gone): code still running is
   * stopped in either isolation mode, and the run fails with the reason's code when it is
   * `KILL_SWITCH`, `FORBIDDEN`, `NOT_FOUND`, `QUOTA_EXCEEDED` or `UNAVAILABLE` (an `IntelGraphError`
   * as the reason), else `UNAVAILABLE`; `details.reason` is `aborted`.
   */
  signal?: AbortSignal;
  /** Run id for provenance (the host's id of the run); a fresh one by default. */
  runId?: string;
  /**
   * The run's `Math.random` seed (32 hex digits) and clock origin (epoch ms). A fresh random seed and
   * the current time by default; a replay passes the recorded ones. Either way they are in the
   * provenance (`provenance.determinism`).
   */
  determinism?: RunDeterminism;
}

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

/** @internal What runs jobs: the in-process engine or the worker-process pool. */
export interface Executor {
  run(job: EngineJob, bridge: EngineBridge, signal?: AbortSignal): Promise<EngineOutcome>;
  evict(codeSha256: string): void;
  close(): Promise<void>;
  isolatesCreated(): number;
  workersStarted(): number;
  workerPids(): number[];
}

const OptionsSchema = z
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

function isScopedHostApi(v: unknown): v is ScopedHostApi {
  const api = v as ScopedHostApi | null;
  return (
    typeof api === 'object' &&
    api !== null &&
    typeof api.call === 'function' &&
    Array.isArray(api.methods) &&
    Array.isArray(api.grantedScopes)
  );
}

const RequestSchema = z
  .object({
    code: z.string().min(1),
    manifest: z.unknown(),
    input: z.unknown().optional(),
    api: z.custom<ScopedHostApi>(isScopedHostApi, 'must be a scoped host API from scopeHostApi()').optional(),
    pluginId: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[\w.@:/+-]+$/)
      .optional(),
    signal: z.instanceof(AbortSignal).optional(),
    runId: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[\w.:-]+$/)
      .optional(),
    determinism: z
      .object({
        seed: z.string().regex(/^[0-9a-f]{32}$/),
        clockOrigin: z.number().int().min(0).max(8.64e15),
      })
      .strict()
      .optional(),
  })
  .strict();

const EMPTY_API: Pick<ScopedHostApi, 'methods' | 'grantedScopes'> = { methods: [], grantedScopes: [] };

/** What a manifest yields for a run: validated once per distinct manifest text. */
interface ManifestFacts {
  manifest: PluginManifest;
  manifestSha256: string;
  budgets: SandboxBudgets;
  filename: string;
}

/** Total characters of plugin code whose digest is remembered (beyond it, the oldest are forgotten). */
const DIGEST_CACHE_CHARS = 32 * 1024 * 1024;

function jsonText(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined; // cycles, BigInt: left to validation, which reports them
  }
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
  const clock = o.clock ?? systemClock;
  const ids = o.ids ?? randomIds;
  const isolation = o.isolation === 'process' || o.isolation === undefined ? 'process' : 'in-process';
  const poolSize = o.poolSize ?? 2;
  const maxInputBytes = (o.maxInputKB ?? 1024) * 1024;
  const maxCodeBytes = (o.maxCodeKB ?? 5120) * 1024;
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
  let closed = false;
  let runs = 0;
  // Per-run work that depends only on the manifest or the code is done once per distinct value.
  const manifests = new BoundedCache<string, ManifestFacts>({ maxEntries: 256 });
  const digests = new BoundedCache<string, string>({
    maxEntries: 256,
    maxWeight: DIGEST_CACHE_CHARS,
    weigh: (code) => code.length,
  });

  /** Validates a manifest (cached by its JSON text) and derives its digest and effective budgets. */
  function manifestFacts(raw: unknown): ManifestFacts {
    const text = jsonText(raw);
    const cached = text === undefined ? undefined : manifests.get(text);
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
      budgets: resolveBudgets(manifest.budgets, o.defaults, o.caps),
      filename: `plugin:${manifest.name}@${manifest.version}`,
    };
    if (text !== undefined) manifests.set(text, facts);
    return facts;
  }

  function codeDigest(code: string): string {
    let sha = digests.get(code);
    if (sha === undefined) {
      sha = sha256Hex(code);
      digests.set(code, sha);
    }
    return sha;
  }

  async function run<T>(request: SandboxRunRequest): Promise<SandboxResult<T>> {
    const req = parseInput(RequestSchema, request, 'run request');
    const { manifest, manifestSha256, budgets, filename } = manifestFacts(req.manifest);
    // UTF-8 takes at most 3 bytes per UTF-16 unit: short code cannot be over the limit, skip the count.
    const codeBytes = req.code.length > maxCodeBytes / 3 ? Buffer.byteLength(req.code) : req.code.length;
    if (codeBytes > maxCodeBytes) {
      throw new IntelGraphError('PAYLOAD_TOO_LARGE', `plugin code larger than ${maxCodeBytes} bytes`, {
        details: { limit: maxCodeBytes, observed: codeBytes },
      });
    }
    const input = req.input ?? null;
    const dangerous = findDangerousKeys(input, 64);
    if (dangerous.length > 0) {
      throw new IntelGraphError('INVALID_INPUT', `invalid input: ${dangerous[0]?.message}`, {
        details: { issues: dangerous },
      });
    }
    let inputJson: string;
    let inputSha256: string;
    try {
      inputJson = JSON.stringify(input);
      inputSha256 = digestJson(JSON.parse(inputJson));
    } catch (error) {
      throw new IntelGraphError('INVALID_INPUT', 'input must be JSON-serialisable', { cause: error });
    }
    if (Buffer.byteLength(inputJson) > maxInputBytes) {
      throw new IntelGraphError('PAYLOAD_TOO_LARGE', `input larger than ${maxInputBytes} bytes`, {
        details: { limit: maxInputBytes, observed: Buffer.byteLength(inputJson) },
      });
    }

    const api = req.api;
    const codeSha256 = codeDigest(req.code);
    const runId = req.runId ?? ids.next('run');
    const determinism: RunDeterminism = req.determinism ?? {
      seed: randomBytes(16).toString('hex'),
      clockOrigin: Math.floor(clock.now()),
    };
    const startedAt = new Date(clock.now()).toISOString();
    const hostCalls: HostCallRecord[] = [];
    const logs: LogEntry[] = [];
    const maxValueBytes = (o.maxValueKB ?? 1024) * 1024;

    const bridge: EngineBridge = {
      log(level, text) {
        logs.push({ level, message: redactPii(text), at: new Date(clock.now()).toISOString() });
      },
      async call(path, argsJson, callOptions): Promise<BridgeCallResult> {
        if (!api)
          return { ok: false, code: 'CAPABILITY_DENIED', message: `no host method "${path}" is granted` };
        let rows = 0;
        try {
          const value = await api.call(path, JSON.parse(argsJson), {
            signal: callOptions.signal,
            rowsRemaining: callOptions.rowsRemaining,
            onCall: (record) => {
              rows = record.rows;
              hostCalls.push(record);
            },
          });
          const json = JSON.stringify(value === undefined ? null : value);
          return { ok: true, json: typeof json === 'string' ? json : 'null', rows };
        } catch (error) {
          const e = isIntelGraphError(error)
            ? error
            : new IntelGraphError('INTERNAL', `host method ${path} failed`, { cause: error });
          return { ok: false, code: e.code, message: e.message, rows };
        }
      },
    };

    const job: EngineJob = {
      code: req.code,
      codeSha256,
      filename,
      inputJson,
      methods: [...(api ?? EMPTY_API).methods],
      limits: {
        wallMs: budgets.wallMs,
        cpuMs: budgets.cpuMs,
        memoryMB: budgets.memoryMB,
        rows: budgets.rows,
        outputBytes: budgets.outputKB * 1024,
        logBytes: budgets.logKB * 1024,
        maxLogEntries: o.maxLogEntries ?? 1000,
        maxHostCalls: o.maxHostCalls ?? 1000,
        maxConcurrentCalls: o.maxConcurrentHostCalls ?? 32,
        maxValueBytes,
      },
      seed: determinism.seed,
      clockOrigin: determinism.clockOrigin,
    };

    let outcome: EngineOutcome;
    if (closed) {
      outcome = {
        failure: { code: 'UNAVAILABLE', message: 'the sandbox is closed', details: {} },
        usage: { wallMs: 0, cpuMs: 0, heapBytes: 0, rows: 0, outputBytes: 0, logBytes: 0 },
      };
    } else {
      runs += 1;
      outcome = await executor.run(job, bridge, req.signal);
    }
    const logsTruncated = outcome.logsTruncated === true;

    let value: unknown = null;
    let failure = outcome.failure;
    if (!failure && outcome.outputJson !== undefined) {
      value = JSON.parse(outcome.outputJson);
      const issues = findDangerousKeys(value, 64);
      if (issues.length > 0) {
        failure = {
          code: 'PLUGIN_ERROR',
          message: `the result is refused: ${issues[0]?.message} at ${issues[0]?.path.join('.')}`,
          details: { reason: issues[0]?.code ?? 'dangerous_key', path: issues[0]?.path.join('.') ?? '' },
        };
        value = null;
      }
    }
    const usage: Usage = {
      wallMs: round(outcome.usage.wallMs),
      cpuMs: round(outcome.usage.cpuMs),
      heapBytes: outcome.usage.heapBytes,
      rows: outcome.usage.rows,
      outputBytes: outcome.usage.outputBytes,
      logBytes: outcome.usage.logBytes,
    };
    const outcomeCode: 'ok' | ErrorCode = failure ? failure.code : 'ok';
    const provenance: Provenance = {
      runId,
      plugin: {
        id: req.pluginId ?? manifest.name,
        version: manifest.version,
        manifestSha256,
        codeSha256,
      },
      grantedScopes: [...(api ?? EMPTY_API).grantedScopes],
      inputSha256,
      hostCalls,
      usage,
      outcome: outcomeCode,
      startedAt,
      endedAt: new Date(clock.now()).toISOString(),
      determinism: { ...determinism },
    };
    const report: RunReport = { logs, logsTruncated, usage, provenance };
    if (!failure) return { ok: true, value: value as T, ...report };
    const details: Record<string, unknown> = { ...failure.details };
    if (typeof details.stack === 'string') details.stack = redactPii(details.stack);
    const error = new IntelGraphError(failure.code, redactPii(failure.message), { details });
    return { ok: false, error, ...report };
  }

  return {
    run,
    evict(codeSha256: string) {
      parseInput(z.string().regex(/^[0-9a-f]{64}$/), codeSha256, 'codeSha256');
      executor.evict(codeSha256);
    },
    stats: () => ({
      isolation,
      runs,
      isolatesCreated: executor.isolatesCreated(),
      workersStarted: executor.workersStarted(),
      workerPids: executor.workerPids(),
    }),
    async close() {
      if (closed) return;
      closed = true;
      await executor.close();
    },
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
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
