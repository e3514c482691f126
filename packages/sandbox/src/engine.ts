import type { ErrorCode } from '@intelgraph/core';
import type ivm from 'isolated-vm';
import { BOOTSTRAP_FILENAME, type BootstrapConfig, LOG_ENTRY_COST } from './bootstrap.js';
import { IsolatePool, type PreparedContext, releaseContext } from './isolate-pool.js';
import { type PluginForm, pluginForm } from './plugin-script.js';

/** The effective limits of one run, all resolved (see `resolveBudgets`). */
export interface EngineLimits {
  wallMs: number;
  cpuMs: number;
  memoryMB: number;
  rows: number;
  outputBytes: number;
  logBytes: number;
  /** Most log entries kept (each also costs {@link LOG_ENTRY_COST} bytes of `logBytes`). */
  maxLogEntries: number;
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
  /** 128-bit seed of the run's `Math.random` (32 hex digits) and the run clock's origin (epoch ms). */
  seed: string;
  clockOrigin: number;
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
  /** Log entries were dropped because the log budget (bytes or entries) was reached. */
  logsTruncated?: boolean;
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
  form: PluginForm;
  /** V8 code cache of the compiled Script (or Module), to compile quickly in the next isolate. */
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

const ABORT_CODES = new Set<string>([
  'KILL_SWITCH',
  'UNAVAILABLE',
  'FORBIDDEN',
  'NOT_FOUND',
  'QUOTA_EXCEEDED',
]);

/** The failure of a run ended by its caller's abort signal. */
export function abortFailure(reason: unknown): EngineFailure {
  const r = reason as { code?: unknown; message?: unknown } | null | undefined;
  const code = typeof r?.code === 'string' && ABORT_CODES.has(r.code) ? (r.code as ErrorCode) : 'UNAVAILABLE';
  const message =
    typeof r?.message === 'string' && r.message ? r.message.slice(0, 500) : 'the run was aborted';
  return { code, message, details: { reason: 'aborted' } };
}

function abortedOutcome(reason: unknown): EngineOutcome {
  return {
    failure: abortFailure(reason),
    usage: { wallMs: 0, cpuMs: 0, heapBytes: 0, rows: 0, outputBytes: 0, logBytes: 0 },
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

  /**
   * Runs a job. Aborting `signal` ends the run at once with the abort reason's code when it is an
   * IntelGraphError-like `{ code }` (for example `KILL_SWITCH`), else `UNAVAILABLE`; code still
   * executing is stopped (its isolate is disposed).
   */
  async run(job: EngineJob, bridge: EngineBridge, signal?: AbortSignal): Promise<EngineOutcome> {
    if (signal?.aborted) return abortedOutcome(signal.reason);
    const lease = await this.pool.acquire(job.limits.memoryMB, job.codeSha256);
    this.pool.touch(lease, job.codeSha256);
    return new RunState(this, job, bridge, lease, this.#cpuCheckMs, signal).start();
  }

  /** @internal The cache entry of a code digest (most recently used last), created on first sight. */
  cacheEntry(sha: string, code: string): CodeCacheEntry {
    const e = this.#codeCache.get(sha);
    if (e) {
      this.#codeCache.delete(sha);
      this.#codeCache.set(sha, e);
      return e;
    }
    const entry: CodeCacheEntry = { form: pluginForm(code) };
    this.#codeCache.set(sha, entry);
    while (this.#codeCache.size > this.#maxCached) {
      const oldest = this.#codeCache.keys().next().value;
      if (oldest === undefined) break;
      this.#codeCache.get(oldest)?.cachedData?.release();
      this.#codeCache.delete(oldest);
    }
    return entry;
  }
}

// isolated-vm sets `cachedData` on compiled code when `produceCachedData` is true; its typings omit it.
type WithCachedData<T> = T & { cachedData?: ivm.ExternalCopy<ArrayBuffer> };

type Lease = Awaited<ReturnType<IsolatePool['acquire']>>;

/** The abort reason host calls see when their run ends (one shared value: no DOMException per run). */
const RUN_ENDED = Object.freeze(new Error('the run has ended'));

class RunState {
  readonly #engine: IsolateEngine;
  readonly #job: EngineJob;
  readonly #bridge: EngineBridge;
  readonly #lease: Lease;
  readonly #cpuCheckMs: number;
  readonly #t0 = performance.now();
  readonly #cpu0: bigint;
  #abort: AbortController | undefined;
  #prepared: PreparedContext | undefined;
  #module: ivm.Module | undefined;
  #namespace: ivm.Reference | undefined;
  #busy = 0;
  #settled = false;
  #completed = false;
  /** Settled, waiting for isolate work in flight to end before the isolate goes back to the pool. */
  #draining: EngineOutcome | undefined;
  #kill = false;
  /** The isolate was lost and no error has said why yet; see {@link RunState.#onIsolateError}. */
  #lost: EngineFailure | undefined;
  #rows = 0;
  #calls = 0;
  #inFlight = 0;
  #logBytes = 0;
  #logEntries = 0;
  #logsClosed = false;
  /** Host calls answered with an error, by call id: a plugin's uncaught "host error" must match one. */
  readonly #hostErrors = new Map<number, string>();
  readonly #signal: AbortSignal | undefined;
  #onAbort: (() => void) | undefined;
  /** Heap and buffer bytes of a run whose isolate ended over its memory limit (see #finish). */
  #heapOverrun = 0;
  #outputBytes = 0;
  #wallTimer: NodeJS.Timeout | undefined;
  #cpuTimer: NodeJS.Timeout | undefined;
  #resolve: (o: EngineOutcome) => void = () => {};

  constructor(
    engine: IsolateEngine,
    job: EngineJob,
    bridge: EngineBridge,
    lease: Lease,
    cpuCheckMs: number,
    signal?: AbortSignal,
  ) {
    this.#signal = signal;
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
    this.#wallTimer = setTimeout(() => this.#onWallTimer(), limits.wallMs);
    if (limits.cpuMs < limits.wallMs) {
      const every = Math.max(1, Math.min(this.#cpuCheckMs, Math.floor(limits.cpuMs / 2)));
      // Armed until the isolate is idle again, not only until the plugin reports: code queued to run
      // after the report (a microtask from toJSON, a getter, a thenable) is this run's CPU too.
      this.#cpuTimer = setInterval(() => {
        const cpu = this.#cpuMs();
        if (cpu > limits.cpuMs) this.#overBudget(budget('cpu', limits.cpuMs, cpu, 'ms'));
      }, every);
    }
    if (this.#signal) {
      const signal = this.#signal;
      this.#onAbort = () => this.#overBudget(abortFailure(signal.reason));
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
    this.#execute().catch((error: unknown) => this.#onIsolateError(error));
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
      if (this.#busy === 0 && this.#draining) this.#complete(this.#draining, false);
      // The last operation's own error handler runs after this block: let it report first.
      const lost = this.#lost;
      if (this.#busy === 0 && lost && !this.#settled) setImmediate(() => this.#finish({ failure: lost }));
    }
  }

  /**
   * An isolate operation failed. When the isolate is gone, isolated-vm rejects every queued operation
   * with a bare "Isolate is disposed", and the one that says why (the memory limit, a timeout) can come
   * after thousands of those (a promise flood queues one host-call answer per promise). So a bare loss
   * waits for the operations in flight to settle, and the most specific reason wins; the wall timer
   * stays armed meanwhile.
   */
  #onIsolateError(error: unknown): void {
    if (this.#completed) return;
    if (this.#settled) {
      // Reported already, but the isolate failed while finishing (a late microtask ran out of time or
      // memory): the run failed after all.
      if (this.#draining) {
        const failure = this.#classify(error);
        if (failure.code !== 'PLUGIN_ERROR') this.#overBudget(failure);
      }
      return;
    }
    const failure = this.#classify(error);
    // `UNAVAILABLE` is what #classify says when the isolate is gone and the error does not say why.
    if (failure.code !== 'UNAVAILABLE' || this.#busy === 0) this.#finish({ failure });
    else this.#lost ??= failure;
  }

  /**
   * One run. With a prepared context and a wrapped plugin (the usual case) this queues three calls
   * into the isolate and waits for one: configure, define the plugin's function, start.
   */
  async #execute(): Promise<void> {
    const { job } = this;
    const prepared = await this.#track(this.#engine.pool.context(this.#lease));
    if (this.#completed) {
      releaseContext(prepared);
      return;
    }
    this.#prepared = prepared;
    if (this.#settled) return;
    prepared.route.handler = (op, a, b, c) => this.#onPost(op, a, b, c);
    const entry = this.#engine.cacheEntry(job.codeSha256, job.code);
    const { form } = entry;
    const config: BootstrapConfig = {
      methods: job.methods,
      form: form.kind,
      maxLogBytes: job.limits.logBytes,
      maxLogEntries: job.limits.maxLogEntries,
      maxLogEntryChars: 8192,
      maxOutputBytes: job.limits.outputBytes,
      maxHostCalls: job.limits.maxHostCalls,
      maxConcurrentCalls: job.limits.maxConcurrentCalls,
      seed: job.seed,
      clockOrigin: job.clockOrigin,
    };
    const { context, control } = prepared;
    // Asynchronous isolate calls run in the order they are queued; "ignored" ones skip the reply.
    control.applyIgnored(undefined, ['configure', JSON.stringify(config)]);
    let namespace: ivm.Reference | undefined;
    if (form.kind === 'cjs' || form.kind === 'esm') {
      const script = await this.#script(entry, form.source, form.lineOffset);
      if (this.#settled) return;
      script.runIgnored(context);
    } else if (form.kind === 'script') {
      control.applyIgnored(undefined, ['cjsGlobals']);
      const script = await this.#script(entry, job.code, 0);
      if (this.#settled) return;
      // Take the completion value as a Reference and release it: a non-transferable completion value
      // (`module.exports.run = fn` ends in a function) otherwise keeps the whole context alive.
      const completion = await this.#track(
        script.run(context, { timeout: this.#remaining(), reference: true }),
      );
      completion.release();
    } else {
      const module = await this.#compileModule(entry);
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
      control.apply(undefined, ['start', job.inputJson, namespace?.derefInto()], {
        timeout: this.#remaining(),
      }),
    );
  }

  get job(): EngineJob {
    return this.#job;
  }

  /** The compiled Script of this code in this isolate, compiling it (with V8's code cache) once. */
  async #script(entry: CodeCacheEntry, source: string, lineOffset: number): Promise<ivm.Script> {
    const { codeSha256, filename } = this.#job;
    const known = this.#lease.scripts.get(codeSha256);
    if (known) return known;
    const script = await this.#track(
      this.#lease.isolate.compileScript(source, {
        filename,
        lineOffset,
        ...(entry.cachedData ? { cachedData: entry.cachedData } : { produceCachedData: true }),
      }),
    );
    const produced = (script as WithCachedData<ivm.Script>).cachedData;
    if (!entry.cachedData && produced) entry.cachedData = produced;
    this.#engine.pool.remember(this.#lease, codeSha256, script);
    return script;
  }

  /** ES modules that cannot run as a Script are compiled per run: a Module belongs to one context. */
  async #compileModule(entry: CodeCacheEntry): Promise<ivm.Module> {
    const { code, filename } = this.#job;
    const module = await this.#track(
      this.#lease.isolate.compileModule(code, {
        filename,
        ...(entry.cachedData ? { cachedData: entry.cachedData } : { produceCachedData: true }),
      }),
    );
    const produced = (module as WithCachedData<ivm.Module>).cachedData;
    if (!entry.cachedData && produced) entry.cachedData = produced;
    return module;
  }

  /** Messages from the bootstrap. Runs on the host thread; never throws. */
  #onPost(op: unknown, a: unknown, b: unknown, c: unknown): void {
    if (this.#settled) return;
    if (op === 'log' && typeof a === 'string' && typeof b === 'string') this.#onLog(a, b);
    else if (op === 'call' && typeof a === 'number' && typeof b === 'string' && typeof c === 'string')
      this.#onCall(a, b, c);
    else if (op === 'done' && typeof a === 'boolean' && typeof b === 'string') this.#onDone(a, b);
  }

  #onLog(level: string, text: string): void {
    if (this.#logsClosed) return;
    // Every entry costs its bytes plus a fixed overhead, and entries are capped: empty lines count too.
    const cost = Buffer.byteLength(text) + LOG_ENTRY_COST;
    const { logBytes, maxLogEntries } = this.#job.limits;
    if (this.#logBytes + cost > logBytes || this.#logEntries >= maxLogEntries) {
      this.#logsClosed = true;
      this.#bridge.log(
        'warn',
        `[log budget of ${logBytes} bytes or ${maxLogEntries} entries reached; further logs dropped]`,
      );
      return;
    }
    this.#logBytes += cost;
    this.#logEntries += 1;
    this.#bridge.log(LEVELS.has(level) ? (level as LogLevel) : 'log', text);
  }

  /** Settles a host call inside the context. */
  #deliver(id: number, ok: boolean, payload: string): void {
    const control = this.#prepared?.control;
    if (!control || this.#settled) return;
    this.#track(control.apply(undefined, ['deliver', id, ok, payload], { timeout: this.#remaining() })).catch(
      (error: unknown) => this.#onIsolateError(error),
    );
  }

  /** Why a host call is refused before it reaches the host API, if it is. */
  #refusal(path: string, argsJson: string): { code: ErrorCode; message: string } | undefined {
    const { limits } = this.#job;
    if (!this.#job.methods.includes(path))
      return { code: 'CAPABILITY_DENIED', message: `no host method "${path.slice(0, 100)}" is granted` };
    if (this.#calls >= limits.maxHostCalls)
      return { code: 'RATE_LIMITED', message: `at most ${limits.maxHostCalls} host calls per run` };
    if (this.#inFlight >= limits.maxConcurrentCalls)
      return { code: 'RATE_LIMITED', message: `at most ${limits.maxConcurrentCalls} host calls in flight` };
    if (Buffer.byteLength(argsJson) > limits.maxValueBytes)
      return {
        code: 'PAYLOAD_TOO_LARGE',
        message: `host call arguments larger than ${limits.maxValueBytes} bytes`,
      };
    return undefined;
  }

  #onCall(id: number, path: string, argsJson: string): void {
    const { limits } = this.#job;
    const refused = this.#refusal(path, argsJson);
    if (refused) {
      this.#hostErrors.set(id, refused.code);
      this.#deliver(id, false, JSON.stringify(refused));
      return;
    }
    this.#calls += 1;
    this.#inFlight += 1;
    const rowsRemaining = Math.max(0, limits.rows - this.#rows);
    this.#abort ??= new AbortController();
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
        if (!r.ok) {
          this.#hostErrors.set(id, r.code);
          this.#deliver(id, false, JSON.stringify({ code: r.code, message: r.message }));
        } else if (Buffer.byteLength(r.json) > limits.maxValueBytes) {
          const message = `host call result larger than ${limits.maxValueBytes} bytes`;
          this.#deliver(id, false, JSON.stringify({ code: 'PAYLOAD_TOO_LARGE', message }));
        } else {
          this.#deliver(id, true, r.json);
        }
      });
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
      this.#finish({ outputJson: json }, true);
      return;
    }
    this.#finish({ failure: this.#describe(json) }, true);
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
        // Only an error the host really answered (same call id, same code) keeps a host code; anything
        // else the plugin threw is PLUGIN_ERROR, whatever `code` it carries.
        const code = str(e.code, 40);
        const callId = typeof e.callId === 'number' ? e.callId : -1;
        const genuine = this.#hostErrors.get(callId) === code;
        if (genuine && code === 'CAPABILITY_DENIED')
          return { code: 'CAPABILITY_DENIED', message: str(e.message, 500), details: {} };
        return {
          code: 'PLUGIN_ERROR',
          message: `uncaught host API error ${code}: ${str(e.message, 500)}`,
          details: genuine ? { hostErrorCode: code } : {},
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
      // A CPU budget equal to the wall budget (the default) is the wall budget: a busy loop exhausts
      // both at once, and which clock reads higher at that instant is noise. Only a separate, smaller
      // CPU budget (the one the CPU timer watches) is reported as such.
      const cpu = this.#cpuMs();
      if (limits.cpuMs < limits.wallMs && cpu > limits.cpuMs) return budget('cpu', limits.cpuMs, cpu, 'ms');
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

  /**
   * Ends the run once. `reported` means the plugin itself reported its outcome (its code is finishing
   * its last task); any other stop while the isolate is executing means the code is still running, so
   * the isolate is disposed.
   */
  #finish(result: { outputJson?: string; failure?: EngineFailure }, reported = false): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#abort?.abort(RUN_ENDED);
    const outcome: EngineOutcome = {
      ...(result.outputJson !== undefined ? { outputJson: result.outputJson } : {}),
      ...(result.failure ? { failure: result.failure } : {}),
      usage: {
        wallMs: this.#wallMs(),
        cpuMs: this.#cpuMs(),
        heapBytes: 0,
        rows: this.#rows,
        outputBytes: this.#outputBytes,
        logBytes: this.#logBytes,
      },
    };
    if (result.failure) outcome.logsTruncated = this.#logsClosed;
    const isolate = this.#lease.isolate;
    if (this.#kill || (this.#busy > 0 && !reported) || isolate.isDisposed) {
      this.#complete(outcome, true);
      return;
    }
    // Heap statistics are read asynchronously, queued behind whatever the isolate is finishing (a sync
    // read would block this thread until then). The run completes when the isolate has no work left
    // for it; the wall timer stays armed in case the code keeps the isolate busy past its deadline.
    this.#draining = outcome;
    // The reading is stored inside the tracked operation, so it is in place when the run completes.
    this.#track(
      isolate.getHeapStatistics().then((h) => {
        outcome.usage.heapBytes = h.used_heap_size + h.externally_allocated_size;
        // V8 lets some allocations (a large flattened string) past its own heap limit; garbage not yet
        // collected stays within it. Over the limit V8 itself reports, or buffers over the budget, is
        // memory the run really took.
        const limit = this.#job.limits.memoryMB * MB;
        if (h.used_heap_size > Math.max(h.heap_size_limit, limit) || h.externally_allocated_size > limit)
          this.#heapOverrun = outcome.usage.heapBytes;
      }),
    ).catch(() => {});
  }

  #onWallTimer(): void {
    this.#overBudget(budget('wall', this.#job.limits.wallMs, this.#wallMs(), 'ms'));
  }

  /**
   * A budget ran out (or the caller aborted): before the plugin reported, the run fails; after it
   * reported but while its code still runs (late microtasks), the reported outcome is replaced by the
   * failure, because the run is not over until the isolate is idle.
   */
  #overBudget(failure: EngineFailure): void {
    if (this.#completed) return;
    const draining = this.#draining;
    if (!draining) {
      this.#finish({ failure });
      return;
    }
    delete draining.outputJson;
    draining.failure = failure;
    this.#complete(draining, true);
  }

  /** Reports the outcome, then frees the run's context and hands the isolate back (or disposes it). */
  #complete(outcome: EngineOutcome, kill: boolean): void {
    if (this.#completed) return;
    this.#completed = true;
    this.#draining = undefined;
    clearTimeout(this.#wallTimer);
    clearInterval(this.#cpuTimer);
    if (this.#onAbort) this.#signal?.removeEventListener('abort', this.#onAbort);
    // Usage is read now, with the isolate idle (or stopped): every CPU millisecond the run caused.
    const { limits } = this.#job;
    outcome.usage.wallMs = this.#wallMs();
    outcome.usage.cpuMs = Math.max(outcome.usage.cpuMs, this.#cpuMs());
    outcome.usage.logBytes = this.#logBytes;
    outcome.logsTruncated = this.#logsClosed;
    if (!outcome.failure) {
      if (outcome.usage.cpuMs > limits.cpuMs && limits.cpuMs < limits.wallMs) {
        outcome.failure = budget('cpu', limits.cpuMs, outcome.usage.cpuMs, 'ms');
      } else if (outcome.usage.wallMs > limits.wallMs) {
        outcome.failure = budget('wall', limits.wallMs, outcome.usage.wallMs, 'ms');
      } else if (this.#heapOverrun > 0) {
        outcome.failure = budget('memory', limits.memoryMB * MB, this.#heapOverrun, 'bytes');
      }
      if (outcome.failure) delete outcome.outputJson;
    }
    const failure = outcome.failure;
    if (failure?.details.resource === 'memory') {
      failure.details.observed = Math.max(Number(failure.details.observed), outcome.usage.heapBytes);
    }
    const cleanUp = () => {
      // Every handle that points into the run's context must go, or the context outlives the run.
      if (this.#prepared) releaseContext(this.#prepared);
      try {
        this.#namespace?.release();
        this.#module?.release();
      } catch {
        // already gone with its isolate
      }
      if (kill || this.#lease.isolate.isDisposed) this.#engine.pool.discard(this.#lease);
      else this.#engine.pool.release(this.#lease);
    };
    this.#resolve(outcome);
    // Code that must stop is stopped now; otherwise the caller's continuation runs first, and only
    // then does preparing the isolate's next context wake its thread.
    if (kill) cleanUp();
    else queueMicrotask(cleanUp);
  }
}
