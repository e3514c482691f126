import type { ErrorCode } from '@intelgraph/core';
import ivm from 'isolated-vm';
import { BOOTSTRAP_FILENAME, BOOTSTRAP_SOURCE, type BootstrapConfig } from './bootstrap.js';
import { IsolatePool } from './isolate-pool.js';

/** The effective limits of one run, all resolved (see `resolveBudgets`). */
export interface EngineLimits {
  wallMs: number;
  cpuMs: number;
  memoryMB: number;
  rows: number;
  outputBytes: number;
  logBytes: number;
  maxHostCalls: number;
  maxConcurrentCalls: number;
  /** Largest JSON value crossing in either direction through a host call. */
  maxValueBytes: number;
}

/** Everything the engine needs for a run; plain data, so it can cross a process boundary. */
export interface EngineJob {
  code: string;
  codeSha256: string;
  /** Script origin of the plugin code, for example `plugin:sample-enricher@0.1.0`. */
  filename: string;
  inputJson: string;
  /** Visible host API methods, `namespace.method`. */
  methods: string[];
  limits: EngineLimits;
}

/** A log line as the plugin wrote it. */
export type LogLevel = 'debug' | 'log' | 'info' | 'warn' | 'error';

/** The result of one host call, as the bridge reports it to the engine. */
export type BridgeCallResult =
  | { ok: true; json: string; rows: number }
  | { ok: false; code: ErrorCode; message: string; rows?: number };

/** How the engine reaches the host: host API calls and logs. */
export interface EngineBridge {
  call(
    path: string,
    argsJson: string,
    options: { signal: AbortSignal; rowsRemaining: number },
  ): Promise<BridgeCallResult>;
  log(level: LogLevel, text: string): void;
}

/** A typed failure of a run. */
export interface EngineFailure {
  code: ErrorCode;
  message: string;
  details: Record<string, string | number | boolean | null>;
}

/** What a run produced, before the sandbox adds logs and provenance. */
export interface EngineOutcome {
  outputJson?: string;
  failure?: EngineFailure;
  usage: {
    wallMs: number;
    cpuMs: number;
    heapBytes: number;
    rows: number;
    outputBytes: number;
    logBytes: number;
  };
}

/** Options of {@link IsolateEngine}. */
export interface IsolateEngineOptions {
  poolSize: number;
  recycleAfterRuns?: number;
  /** Compiled-code cache entries kept (by SHA-256). */
  maxCachedCode?: number;
  /** How often CPU time is sampled during a run. */
  cpuCheckMs?: number;
}

interface CodeCacheEntry {
  kind: 'script' | 'module';
  cachedData?: ivm.ExternalCopy<ArrayBuffer>;
}

const LEVELS = new Set<string>(['debug', 'log', 'info', 'warn', 'error']);
const MB = 1024 * 1024;

function budget(resource: string, limit: number, observed: number, unit: string): EngineFailure {
  return {
    code: 'BUDGET_EXCEEDED',
    message: `${resource} budget exceeded: ${Math.round(observed)} ${unit} observed, limit ${limit} ${unit}`,
    details: { resource, limit, observed: Math.round(observed), unit },
  };
}

/** Keeps only the plugin's own frames: no bootstrap, no ivm boundary, no host frames. */
export function pluginStack(stack: string, filename: string): string {
  const lines = stack.split('\n');
  const out: string[] = [];
  for (const [i, line] of lines.entries()) {
    if (!/^\s+at /.test(line)) {
      if (out.length === i) out.push(line); // header (message) lines before the first frame
      continue;
    }
    if (line.includes('<isolated-vm boundary>')) break;
    if (line.includes(filename) && !line.includes(BOOTSTRAP_FILENAME)) out.push(line);
  }
  return out.join('\n');
}

function looksLikeModule(code: string): boolean {
  return /^\s*(export\s|import\s*[\w{*'"])/m.test(code);
}

/**
 * Runs plugin code in pooled isolates: a fresh context per run, compiled code cached by SHA-256,
 * wall/CPU/memory/rows/output/log budgets enforced by the host, and runaway code really stopped.
 * Transport-agnostic: the in-process sandbox and each worker process of the process-isolated mode
 * use it the same way.
 */
export class IsolateEngine {
  readonly pool: IsolatePool;
  readonly #codeCache = new Map<string, CodeCacheEntry>();
  readonly #maxCached: number;
  readonly #cpuCheckMs: number;

  constructor(options: IsolateEngineOptions) {
    this.pool = new IsolatePool({
      size: options.poolSize,
      ...(options.recycleAfterRuns ? { recycleAfterRuns: options.recycleAfterRuns } : {}),
    });
    this.#maxCached = options.maxCachedCode ?? 256;
    this.#cpuCheckMs = options.cpuCheckMs ?? 5;
  }

  /** Drops cached compiled code (and pooled isolates holding it) for a code digest. */
  evict(codeSha256: string): void {
    this.#codeCache.get(codeSha256)?.cachedData?.release();
    this.#codeCache.delete(codeSha256);
    this.pool.evict(codeSha256);
  }

  close(): void {
    for (const e of this.#codeCache.values()) e.cachedData?.release();
    this.#codeCache.clear();
    this.pool.close();
  }

  async run(job: EngineJob, bridge: EngineBridge): Promise<EngineOutcome> {
    const lease = await this.pool.acquire(job.limits.memoryMB, job.codeSha256);
    this.pool.touch(lease, job.codeSha256);
    return new RunState(this, job, bridge, lease, this.#cpuCheckMs).start();
  }

  /** @internal */
  cacheEntry(sha: string): CodeCacheEntry | undefined {
    const e = this.#codeCache.get(sha);
    if (e) {
      this.#codeCache.delete(sha);
      this.#codeCache.set(sha, e);
    }
    return e;
  }

  /** @internal */
  rememberCode(sha: string, entry: CodeCacheEntry): void {
    this.#codeCache.set(sha, entry);
    while (this.#codeCache.size > this.#maxCached) {
      const oldest = this.#codeCache.keys().next().value;
      if (oldest === undefined) break;
      this.#codeCache.get(oldest)?.cachedData?.release();
      this.#codeCache.delete(oldest);
    }
  }
}

// isolated-vm sets `cachedData` on compiled code when `produceCachedData` is true; its typings omit it.
type WithCachedData<T> = T & { cachedData?: ivm.ExternalCopy<ArrayBuffer> };

type Lease = Awaited<ReturnType<IsolatePool['acquire']>>;

class RunState {
  readonly #engine: IsolateEngine;
  readonly #job: EngineJob;
  readonly #bridge: EngineBridge;
  readonly #lease: Lease;
  readonly #cpuCheckMs: number;
  readonly #abort = new AbortController();
  readonly #t0 = performance.now();
  readonly #cpu0: bigint;
  #context: ivm.Context | undefined;
  #control: ivm.Reference<(op: string, a?: unknown, b?: unknown, c?: unknown) => void> | undefined;
  #module: ivm.Module | undefined;
  #namespace: ivm.Reference | undefined;
  #busy = 0;
  #settled = false;
  #kill = false;
  #rows = 0;
  #calls = 0;
  #inFlight = 0;
  #logBytes = 0;
  #logsClosed = false;
  #outputBytes = 0;
  #timers: NodeJS.Timeout[] = [];
  #resolve: (o: EngineOutcome) => void = () => {};

  constructor(engine: IsolateEngine, job: EngineJob, bridge: EngineBridge, lease: Lease, cpuCheckMs: number) {
    this.#engine = engine;
    this.#job = job;
    this.#bridge = bridge;
    this.#lease = lease;
    this.#cpuCheckMs = cpuCheckMs;
    this.#cpu0 = lease.isolate.cpuTime;
  }

  start(): Promise<EngineOutcome> {
    const done = new Promise<EngineOutcome>((resolve) => {
      this.#resolve = resolve;
    });
    const { limits } = this.#job;
    this.#timers.push(
      setTimeout(
        () => this.#finish({ failure: budget('wall', limits.wallMs, this.#wallMs(), 'ms') }),
        limits.wallMs,
      ),
    );
    if (limits.cpuMs < limits.wallMs) {
      const every = Math.max(1, Math.min(this.#cpuCheckMs, Math.floor(limits.cpuMs / 2)));
      this.#timers.push(
        setInterval(() => {
          const cpu = this.#cpuMs();
          if (cpu > limits.cpuMs) this.#finish({ failure: budget('cpu', limits.cpuMs, cpu, 'ms') });
        }, every),
      );
    }
    this.#execute().catch((error: unknown) => this.#finish({ failure: this.#classify(error) }));
    return done;
  }

  #wallMs(): number {
    return performance.now() - this.#t0;
  }

  #cpuMs(): number {
    try {
      return Number(this.#lease.isolate.cpuTime - this.#cpu0) / 1e6;
    } catch {
      return 0;
    }
  }

  #remaining(): number {
    return Math.max(1, Math.ceil(this.#job.limits.wallMs - this.#wallMs()));
  }

  /** Counts isolate work in flight: if a run must stop while the isolate is busy, it is disposed. */
  async #track<T>(p: Promise<T>): Promise<T> {
    this.#busy += 1;
    try {
      return await p;
    } finally {
      this.#busy -= 1;
    }
  }

  async #execute(): Promise<void> {
    const { job } = this;
    const context = await this.#track(this.#engine.pool.context(this.#lease));
    this.#context = context;
    if (this.#settled) return;
    const kind = await this.#kind();
    const config: BootstrapConfig = {
      methods: job.methods,
      commonJs: kind === 'script',
      maxLogBytes: job.limits.logBytes,
      maxLogEntryChars: 8192,
      maxOutputBytes: job.limits.outputBytes,
    };
    const post = new ivm.Callback((op: unknown, a: unknown, b: unknown, c: unknown) =>
      this.#onPost(op, a, b, c),
    );
    this.#control = (await this.#track(
      context.evalClosure(BOOTSTRAP_SOURCE, [post, JSON.stringify(config)], {
        filename: BOOTSTRAP_FILENAME,
        result: { reference: true },
        timeout: this.#remaining(),
      }),
    )) as ivm.Reference<(op: string, a?: unknown, b?: unknown, c?: unknown) => void>;
    if (this.#settled) return;
    let namespace: ivm.Reference | undefined;
    if (kind === 'script') {
      const script = await this.#script();
      if (this.#settled) return;
      // Take the completion value as a Reference and release it: a non-transferable completion value
      // (`module.exports.run = fn` ends in a function) otherwise keeps the whole context alive.
      const completion = await this.#track(
        script.run(context, { timeout: this.#remaining(), reference: true }),
      );
      completion.release();
    } else {
      const module = await this.#compileModule();
      this.#module = module;
      if (this.#settled) return;
      await this.#track(
        module.instantiate(context, (specifier) => {
          throw new Error(`import "${specifier.slice(0, 100)}" is not allowed: plugins are single files`);
        }),
      );
      await this.#track(module.evaluate({ timeout: this.#remaining() }));
      namespace = module.namespace;
      this.#namespace = namespace;
    }
    if (this.#settled) return;
    await this.#track(
      this.#control.apply(undefined, ['start', job.inputJson, namespace?.derefInto()], {
        timeout: this.#remaining(),
      }),
    );
  }

  get job(): EngineJob {
    return this.#job;
  }

  async #kind(): Promise<'script' | 'module'> {
    const cached = this.#engine.cacheEntry(this.#job.codeSha256);
    if (cached) return cached.kind;
    return looksLikeModule(this.#job.code) ? 'module' : 'script';
  }

  async #script(): Promise<ivm.Script> {
    const { code, codeSha256, filename } = this.#job;
    const known = this.#lease.scripts.get(codeSha256);
    if (known) return known;
    const cached = this.#engine.cacheEntry(codeSha256);
    const script = await this.#track(
      this.#lease.isolate.compileScript(code, {
        filename,
        ...(cached?.cachedData ? { cachedData: cached.cachedData } : { produceCachedData: true }),
      }),
    );
    const produced = (script as WithCachedData<ivm.Script>).cachedData;
    if (!cached && produced) this.#engine.rememberCode(codeSha256, { kind: 'script', cachedData: produced });
    this.#engine.pool.remember(this.#lease, codeSha256, script);
    return script;
  }

  async #compileModule(): Promise<ivm.Module> {
    const { code, codeSha256, filename } = this.#job;
    const cached = this.#engine.cacheEntry(codeSha256);
    const module = await this.#track(
      this.#lease.isolate.compileModule(code, {
        filename,
        ...(cached?.cachedData ? { cachedData: cached.cachedData } : { produceCachedData: true }),
      }),
    );
    const produced = (module as WithCachedData<ivm.Module>).cachedData;
    if (!cached && produced) this.#engine.rememberCode(codeSha256, { kind: 'module', cachedData: produced });
    return module;
  }

  /** Messages from the bootstrap. Runs synchronously on the host thread; never throws. */
  #onPost(op: unknown, a: unknown, b: unknown, c: unknown): string {
    if (this.#settled) return '{"code":"UNAVAILABLE","message":"the run has ended"}';
    if (op === 'log' && typeof a === 'string' && typeof b === 'string') {
      this.#onLog(a, b);
      return '';
    }
    if (op === 'call' && typeof a === 'number' && typeof b === 'string' && typeof c === 'string') {
      return this.#onCall(a, b, c);
    }
    if (op === 'done' && typeof a === 'boolean' && typeof b === 'string') {
      this.#onDone(a, b);
      return '';
    }
    return '{"code":"INVALID_INPUT","message":"unknown message"}';
  }

  #onLog(level: string, text: string): void {
    if (this.#logsClosed) return;
    const bytes = Buffer.byteLength(text);
    if (this.#logBytes + bytes > this.#job.limits.logBytes) {
      this.#logsClosed = true;
      this.#bridge.log(
        'warn',
        `[log budget of ${this.#job.limits.logBytes} bytes reached; further logs dropped]`,
      );
      return;
    }
    this.#logBytes += bytes;
    this.#bridge.log(LEVELS.has(level) ? (level as LogLevel) : 'log', text);
  }

  #onCall(id: number, path: string, argsJson: string): string {
    const { limits } = this.#job;
    const refuse = (code: ErrorCode, message: string) => JSON.stringify({ code, message });
    if (!this.#job.methods.includes(path))
      return refuse('CAPABILITY_DENIED', `no host method "${path.slice(0, 100)}" is granted`);
    if (this.#calls >= limits.maxHostCalls)
      return refuse('RATE_LIMITED', `at most ${limits.maxHostCalls} host calls per run`);
    if (this.#inFlight >= limits.maxConcurrentCalls) {
      return refuse('RATE_LIMITED', `at most ${limits.maxConcurrentCalls} host calls in flight`);
    }
    if (Buffer.byteLength(argsJson) > limits.maxValueBytes) {
      return refuse('PAYLOAD_TOO_LARGE', `host call arguments larger than ${limits.maxValueBytes} bytes`);
    }
    this.#calls += 1;
    this.#inFlight += 1;
    const rowsRemaining = Math.max(0, limits.rows - this.#rows);
    this.#bridge
      .call(path, argsJson, { signal: this.#abort.signal, rowsRemaining })
      .catch((): BridgeCallResult => ({ ok: false, code: 'INTERNAL', message: `host method ${path} failed` }))
      .then((r) => {
        this.#inFlight -= 1;
        if (this.#settled) return;
        this.#rows += r.rows ?? 0;
        if (this.#rows > limits.rows) {
          this.#finish({ failure: budget('rows', limits.rows, this.#rows, 'rows') });
          return;
        }
        let ok = r.ok;
        let payload = r.ok ? r.json : JSON.stringify({ code: r.code, message: r.message });
        if (r.ok && Buffer.byteLength(r.json) > limits.maxValueBytes) {
          ok = false;
          payload = JSON.stringify({
            code: 'PAYLOAD_TOO_LARGE',
            message: `host call result larger than ${limits.maxValueBytes} bytes`,
          });
        }
        const control = this.#control;
        if (!control) return;
        this.#track(
          control.apply(undefined, ['deliver', id, ok, payload], { timeout: this.#remaining() }),
        ).catch((error: unknown) => this.#finish({ failure: this.#classify(error) }));
      });
    return '';
  }

  #onDone(ok: boolean, json: string): void {
    const { limits } = this.#job;
    if (ok) {
      const bytes = Buffer.byteLength(json);
      this.#outputBytes = bytes;
      if (bytes > limits.outputBytes) {
        this.#finish({ failure: budget('output', limits.outputBytes, bytes, 'bytes') });
        return;
      }
      this.#finish({ outputJson: json });
      return;
    }
    this.#finish({ failure: this.#describe(json) });
  }

  #describe(json: string): EngineFailure {
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(json) as Record<string, unknown>;
    } catch {
      return { code: 'PLUGIN_ERROR', message: 'the plugin failed', details: {} };
    }
    const str = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '');
    switch (e.kind) {
      case 'output': {
        const observed = typeof e.observed === 'number' ? e.observed : this.#job.limits.outputBytes + 1;
        this.#outputBytes = observed;
        return budget('output', this.#job.limits.outputBytes, observed, 'bytes');
      }
      case 'host': {
        const code = str(e.code, 40);
        if (code === 'CAPABILITY_DENIED')
          return { code: 'CAPABILITY_DENIED', message: str(e.message, 500), details: {} };
        return {
          code: 'PLUGIN_ERROR',
          message: `uncaught host API error ${code}: ${str(e.message, 500)}`,
          details: { hostErrorCode: code },
        };
      }
      case 'no_run':
      case 'unserialisable':
        return { code: 'PLUGIN_ERROR', message: str(e.message, 600), details: { reason: String(e.kind) } };
      default:
        if (/^Array buffer allocation failed/.test(str(e.message, 100))) {
          // ArrayBuffers live outside the V8 heap; their allocator refuses beyond the isolate's limit.
          const limit = this.#job.limits.memoryMB * MB;
          return budget('memory', limit, limit, 'bytes');
        }
        return {
          code: 'PLUGIN_ERROR',
          message: str(e.message, 4096) || 'the plugin threw',
          details: {
            name: str(e.name, 200) || 'Error',
            stack: pluginStack(str(e.stack, 16384), this.#job.filename),
          },
        };
    }
  }

  /** Maps an error from an isolate operation to a typed failure. */
  #classify(error: unknown): EngineFailure {
    const message = error instanceof Error ? error.message : String(error);
    const { limits } = this.#job;
    if (/memory limit/i.test(message) || /Array buffer allocation failed/i.test(message)) {
      this.#kill = true;
      return budget('memory', limits.memoryMB * MB, limits.memoryMB * MB, 'bytes');
    }
    if (/execution timed out/i.test(message)) {
      this.#kill = true;
      const cpu = this.#cpuMs();
      if (cpu > limits.cpuMs) return budget('cpu', limits.cpuMs, cpu, 'ms');
      return budget('wall', limits.wallMs, this.#wallMs(), 'ms');
    }
    if (/Maximum call stack size exceeded/.test(message)) {
      return {
        code: 'PLUGIN_ERROR',
        message: 'RangeError: Maximum call stack size exceeded',
        details: { name: 'RangeError', stack: '' },
      };
    }
    if (this.#lease.isolate.isDisposed) {
      this.#kill = true;
      return { code: 'UNAVAILABLE', message: 'the isolate was lost', details: {} };
    }
    const name = error instanceof Error ? error.name : 'Error';
    const stack = error instanceof Error && typeof error.stack === 'string' ? error.stack : '';
    return {
      code: 'PLUGIN_ERROR',
      message: message.slice(0, 4096),
      details: { name, stack: pluginStack(stack, this.#job.filename) },
    };
  }

  #finish(result: { outputJson?: string; failure?: EngineFailure }): void {
    if (this.#settled) return;
    this.#settled = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#abort.abort();
    const wallMs = this.#wallMs();
    const cpuMs = this.#cpuMs();
    // A budget stop while the isolate is executing means the code is still running: dispose it.
    const kill = this.#kill || (this.#busy > 0 && result.failure !== undefined);
    let heapBytes = 0;
    const isolate = this.#lease.isolate;
    if (!kill && !isolate.isDisposed) {
      try {
        const h = isolate.getHeapStatisticsSync();
        heapBytes = h.used_heap_size + h.externally_allocated_size;
      } catch {
        heapBytes = 0;
      }
    }
    if (result.failure?.details.resource === 'memory') {
      result.failure.details.observed = Math.max(Number(result.failure.details.observed), heapBytes);
    }
    try {
      // Every handle that points into the run's context must go, or the context outlives the run.
      this.#control?.release();
      this.#namespace?.release();
      this.#module?.release();
      this.#context?.release();
    } catch {
      // already gone with its isolate
    }
    if (kill || isolate.isDisposed) this.#engine.pool.discard(this.#lease);
    else this.#engine.pool.release(this.#lease);
    this.#resolve({
      ...(result.outputJson !== undefined ? { outputJson: result.outputJson } : {}),
      ...(result.failure ? { failure: result.failure } : {}),
      usage: {
        wallMs,
        cpuMs,
        heapBytes,
        rows: this.#rows,
        outputBytes: this.#outputBytes,
        logBytes: this.#logBytes,
      },
    });
  }
}
