import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { abortFailure, type EngineBridge, type EngineJob, type EngineOutcome } from './engine.js';
import type { Executor } from './sandbox-run/context.js';
import type { FromWorker, ToWorker, WireJob } from './worker-protocol.js';

/** Options of {@link ProcessPool}. */
export interface ProcessPoolOptions {
  processes: number;
  /** Isolates per worker. */
  poolSize: number;
  /** Extra wall time before the parent kills a worker that did not answer. */
  graceMs: number;
  recycleAfterRuns?: number;
  /** Plugin codes each worker keeps (default 256); beyond it a worker asks the parent again. */
  workerCodes?: number;
}

interface PendingRun {
  job: EngineJob;
  bridge: EngineBridge;
  abort: AbortController;
  timer: NodeJS.Timeout;
  resolve: (o: EngineOutcome) => void;
}

interface Worker {
  child: ChildProcess;
  runs: Map<number, PendingRun>;
  /** Digests whose code this worker was sent (it may have dropped some since: it then asks again). */
  codes: Set<string>;
  isolatesCreated: number;
  dead: boolean;
  /** The worker has loaded; runs sent before are queued, so start-up time does not count as wall time. */
  ready: boolean;
  queue: (() => void)[];
  /** Resident memory of the worker when it became ready, in bytes (0 where /proc is unavailable). */
  baseRss: number;
  /** Largest memory budget of a run this worker served, in MB (its isolates may each hold that much). */
  maxMemoryMB: number;
}

const MB = 1024 * 1024;
/** How often the parent reads the resident memory of workers with runs in flight. */
const RSS_CHECK_MS = 100;
/** Slack over the worker's own memory and its runs' budgets before it is killed. */
const RSS_SLACK = 64 * MB;

/** Keeps the host's event loop alive through a worker's IPC channel only while it has runs. */
function holdOpen(w: Worker): void {
  const channel = w.child.channel;
  if (!channel) return;
  if (w.runs.size > 0) channel.ref();
  else channel.unref();
}

/** Resident memory of a process, in bytes, from /proc (Linux); undefined elsewhere or once it is gone. */
function residentBytes(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return Number.isFinite(pages) ? pages * 4096 : undefined;
  } catch {
    return undefined;
  }
}

/** How a sandbox worker process is started: its script, Node flags and arguments. */
export interface WorkerLaunch {
  path: string;
  execArgv: string[];
  /** Paths the worker may read (the permission model's `--allow-fs-read`); it may write none. */
  reads: string[];
}

const require = createRequire(import.meta.url);

/**
 * Where Node looks for `name` when `fromDir` imports it, up to and including the directory it is found
 * in, with that directory's real path (pnpm links). The permission model checks each path Node reads.
 */
function lookupPaths(name: string, fromDir: string): string[] {
  const out: string[] = [];
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    out.push(candidate);
    if (existsSync(join(candidate, 'package.json'))) {
      out.push(realpathSync(candidate));
      return out;
    }
    if (dirname(dir) === dir) return out;
  }
}

/**
 * The launch of a sandbox worker: an empty environment (set by the caller), and Node's permission
 * model with reads limited to the worker's own code and the packages it loads (isolated-vm with its
 * native addon, which needs `--allow-addons`, node-gyp-build, acorn); no fs writes, no child
 * processes, no worker threads, no WASI.
 *
 * @internal
 */
export function workerLaunch(): WorkerLaunch {
  const here = import.meta.url;
  const fromSource = here.endsWith('.ts');
  const ownDir = dirname(fileURLToPath(here));
  const pkgDir = dirname(ownDir);
  const ext = fromSource ? 'ts' : here.endsWith('.cjs') ? 'cjs' : 'js';
  const path = join(ownDir, `worker.${ext}`);
  const ivmReal = dirname(realpathSync(require.resolve('isolated-vm/package.json')));
  const reads = new Set<string>([
    ownDir,
    join(pkgDir, 'package.json'),
    ...lookupPaths('isolated-vm', ownDir),
    ...lookupPaths('acorn', ownDir),
    ...lookupPaths('node-gyp-build', ivmReal),
    // node-gyp-build asks whether it runs on Alpine (musl) to pick the prebuilt addon.
    '/etc/alpine-release',
  ]);
  const execArgv = [
    '--no-node-snapshot',
    // Node 22.13+ and 23.5+ spell it --permission; earlier 22.x releases, --experimental-permission.
    process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission',
    '--allow-addons',
    ...[...reads].map((p) => `--allow-fs-read=${p}`),
    // --allow-addons is required for isolated-vm itself; its warning is expected, once per worker.
    '--disable-warning=SecurityWarning',
  ];
  // From TypeScript sources (tests, benchmarks), Node strips the types; a resolve hook maps `.js` to `.ts`.
  if (fromSource) execArgv.push('--import', pathToFileURL(join(ownDir, 'worker-source-hooks.mjs')).href);
  return { path, execArgv, reads: [...reads] };
}

function withoutCode(job: EngineJob): WireJob {
  const { code: _code, ...rest } = job;
  return rest;
}

function failed(
  code: 'UNAVAILABLE' | 'BUDGET_EXCEEDED',
  message: string,
  details: Record<string, string | number | boolean | null>,
): EngineOutcome {
  return {
    failure: { code, message, details },
    usage: { wallMs: 0, cpuMs: 0, heapBytes: 0, rows: 0, outputBytes: 0, logBytes: 0 },
  };
}

/**
 * Process-isolated executor: isolates run inside a small pool of child processes. A worker that
 * crashes (a V8 out-of-memory abort) or stops answering is killed and replaced; only the runs it
 * carried fail, with a typed error, and the host process is untouched.
 */
export class ProcessPool implements Executor {
  readonly #options: ProcessPoolOptions;
  readonly #workers = new Set<Worker>();
  #started = 0;
  #nextRun = 0;
  #closed = false;
  #rssTimer: NodeJS.Timeout | undefined;

  constructor(options: ProcessPoolOptions) {
    this.#options = options;
  }

  run(job: EngineJob, bridge: EngineBridge, signal?: AbortSignal): Promise<EngineOutcome> {
    if (this.#closed) return Promise.resolve(failed('UNAVAILABLE', 'the sandbox is closed', {}));
    if (signal?.aborted)
      return Promise.resolve({
        failure: abortFailure(signal.reason),
        usage: failed('UNAVAILABLE', '', {}).usage,
      });
    const worker = this.#pick(job.codeSha256);
    const id = ++this.#nextRun;
    const sendCode = !worker.codes.has(job.codeSha256);
    worker.codes.add(job.codeSha256);
    return new Promise<EngineOutcome>((resolve) => {
      const pending: PendingRun = {
        job,
        bridge,
        abort: new AbortController(),
        timer: setTimeout(() => {}, 0),
        resolve,
      };
      worker.runs.set(id, pending);
      holdOpen(worker);
      if (signal) {
        // The caller's answer does not wait for the worker: the run fails now, the worker stops the
        // isolate (and the parent's wall timer still kills the worker if it does not).
        const onAbort = () => {
          const reason = signal.reason as { code?: unknown; message?: unknown } | undefined;
          const failure = abortFailure(reason);
          this.#send(worker, { t: 'abort', id, code: failure.code, message: failure.message });
          pending.abort.abort();
          pending.resolve = () => {};
          resolve({ failure, usage: failed('UNAVAILABLE', '', {}).usage });
        };
        signal.addEventListener('abort', onAbort, { once: true });
        const settle = pending.resolve;
        pending.resolve = (o) => {
          signal.removeEventListener('abort', onAbort);
          settle(o);
        };
      }
      const dispatch = () => {
        if (!worker.runs.has(id)) return;
        worker.maxMemoryMB = Math.max(worker.maxMemoryMB, job.limits.memoryMB);
        this.#watchMemory();
        const started = performance.now();
        pending.timer = setTimeout(() => {
          // The worker did not stop the run itself: kill it. The run fails on wall time.
          const observed = Math.round(performance.now() - started);
          worker.runs.delete(id);
          holdOpen(worker);
          pending.abort.abort();
          pending.resolve(
            failed(
              'BUDGET_EXCEEDED',
              `wall budget exceeded: ${observed} ms observed, limit ${job.limits.wallMs} ms`,
              {
                resource: 'wall',
                limit: job.limits.wallMs,
                observed,
                unit: 'ms',
              },
            ),
          );
          this.#kill(worker, 'a run did not stop in time');
        }, job.limits.wallMs + this.#options.graceMs);
        this.#send(worker, { t: 'run', id, job: sendCode ? job : withoutCode(job) });
      };
      if (worker.ready) dispatch();
      else worker.queue.push(dispatch);
    });
  }

  evict(codeSha256: string): void {
    for (const w of this.#workers) {
      if (!w.codes.delete(codeSha256)) continue;
      this.#send(w, { t: 'evict', sha: codeSha256 });
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#rssTimer);
    this.#rssTimer = undefined;
    const exits = [...this.#workers].map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.dead || w.child.exitCode !== null) {
            resolve();
            return;
          }
          const t = setTimeout(() => w.child.kill('SIGKILL'), 2000);
          w.child.once('exit', () => {
            clearTimeout(t);
            resolve();
          });
          this.#send(w, { t: 'close' });
        }),
    );
    await Promise.all(exits);
  }

  isolatesCreated(): number {
    let n = 0;
    for (const w of this.#workers) n += w.isolatesCreated;
    return n;
  }

  workersStarted(): number {
    return this.#started;
  }

  workerPids(): number[] {
    return [...this.#workers]
      .filter((w) => !w.dead && w.child.pid !== undefined)
      .map((w) => w.child.pid as number);
  }

  #pick(codeSha256: string): Worker {
    const live = [...this.#workers].filter((w) => !w.dead);
    const idleWithCode = live.find((w) => w.codes.has(codeSha256) && w.runs.size < this.#options.poolSize);
    if (idleWithCode) return idleWithCode;
    // A started worker with a free isolate beats a new process: a cold worker takes seconds to load.
    const idle = live.find((w) => w.ready && w.runs.size < this.#options.poolSize);
    if (idle) return idle;
    if (live.length < this.#options.processes) return this.#spawn();
    live.sort((a, b) => a.runs.size - b.runs.size);
    return live[0] as Worker;
  }

  #spawn(): Worker {
    const launch = workerLaunch();
    const args = [
      String(this.#options.poolSize),
      String(this.#options.recycleAfterRuns ?? 0),
      String(this.#options.workerCodes ?? 256),
    ];
    // An empty environment: nothing of the host's (database URLs, API keys) is in the worker.
    const child = fork(launch.path, args, {
      execArgv: launch.execArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: {},
    });
    const worker: Worker = {
      child,
      runs: new Map(),
      codes: new Set(),
      isolatesCreated: 0,
      dead: false,
      ready: false,
      queue: [],
      baseRss: 0,
      maxMemoryMB: 0,
    };
    this.#started += 1;
    this.#workers.add(worker);
    child.on('message', (m: FromWorker) => this.#onMessage(worker, m));
    child.on('exit', (code, signal) => this.#onExit(worker, code, signal));
    // An idle pool does not keep the host process alive (as isolates in-process do not); a worker
    // with runs in flight does (see holdOpen).
    child.unref();
    holdOpen(worker);
    child.on('error', () => this.#kill(worker, 'the worker failed'));
    return worker;
  }

  #send(w: Worker, m: ToWorker): void {
    if (w.dead || !w.child.connected) return;
    w.child.send(m);
  }

  #onMessage(w: Worker, m: FromWorker): void {
    switch (m.t) {
      case 'ready': {
        w.ready = true;
        w.baseRss = residentBytes(w.child.pid) ?? 0;
        for (const dispatch of w.queue.splice(0)) dispatch();
        return;
      }
      case 'need': {
        const run = w.runs.get(m.id);
        if (run) this.#send(w, { t: 'run', id: m.id, job: run.job });
        return;
      }
      case 'log':
        w.runs.get(m.id)?.bridge.log(m.level, String(m.text));
        return;
      case 'call': {
        const run = w.runs.get(m.id);
        if (!run) return;
        run.bridge
          .call(m.path, m.argsJson, { signal: run.abort.signal, rowsRemaining: m.rowsRemaining })
          .catch(() => ({
            ok: false as const,
            code: 'INTERNAL' as const,
            message: `host method ${m.path} failed`,
          }))
          .then((result) => this.#send(w, { t: 'result', id: m.id, callId: m.callId, result }));
        return;
      }
      case 'done': {
        w.isolatesCreated = m.isolatesCreated;
        const run = w.runs.get(m.id);
        if (!run) return;
        w.runs.delete(m.id);
        holdOpen(w);
        clearTimeout(run.timer);
        run.abort.abort();
        run.resolve(m.outcome);
        return;
      }
    }
  }

  /**
   * Memory a plugin causes outside the isolate's accounting (ICU data behind `Intl` objects, for one)
   * grows the worker, not the host. While runs are in flight the parent reads each worker's resident
   * memory; beyond what the worker can legitimately hold (its memory at start, plus every isolate of
   * its pool at twice the largest `memoryMB` it served, heap and buffers, plus 64 MB), the worker is
   * killed and its runs fail `BUDGET_EXCEEDED` (`memory`, `scope: 'worker'`). Linux only.
   */
  #watchMemory(): void {
    if (this.#rssTimer) return;
    this.#rssTimer = setInterval(() => {
      let busy = false;
      for (const w of this.#workers) {
        if (w.dead || w.runs.size === 0 || w.baseRss === 0) continue;
        busy = true;
        const rss = residentBytes(w.child.pid);
        if (rss === undefined) continue;
        const limit = w.baseRss + RSS_SLACK + this.#options.poolSize * 2 * w.maxMemoryMB * MB;
        if (rss > limit) this.#killForMemory(w, rss, limit);
      }
      if (!busy) {
        clearInterval(this.#rssTimer);
        this.#rssTimer = undefined;
      }
    }, RSS_CHECK_MS);
    this.#rssTimer.unref();
  }

  #killForMemory(w: Worker, rss: number, limit: number): void {
    w.child.kill('SIGKILL');
    const runs = [...w.runs.values()];
    w.runs.clear();
    for (const run of runs) {
      clearTimeout(run.timer);
      run.abort.abort();
      const observed = Math.round(rss);
      run.resolve(
        failed(
          'BUDGET_EXCEEDED',
          `memory budget exceeded: the sandbox worker reached ${observed} bytes, limit ${limit} bytes`,
          { resource: 'memory', limit, observed, unit: 'bytes', scope: 'worker' },
        ),
      );
    }
    this.#fail(w, 'the sandbox worker exceeded its memory', { reason: 'memory' });
  }

  #kill(w: Worker, reason: string): void {
    if (w.dead) return;
    w.child.kill('SIGKILL');
    this.#fail(w, reason, {});
  }

  #onExit(w: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    if (w.dead) return;
    this.#fail(w, `the sandbox worker exited (${signal ?? `code ${code}`})`, { exitCode: code, signal });
  }

  /** Marks a worker dead; its in-flight runs fail; the next run starts a replacement. */
  #fail(w: Worker, reason: string, details: Record<string, string | number | null>): void {
    w.dead = true;
    this.#workers.delete(w);
    for (const run of w.runs.values()) {
      clearTimeout(run.timer);
      run.abort.abort();
      run.resolve(failed('UNAVAILABLE', reason, { reason: 'worker_lost', ...details }));
    }
    w.runs.clear();
    // Start the replacement now, so the next run does not wait for a cold worker; only for a worker
    // that had started (one that failed to start would fail again, in a loop).
    if (w.ready && !this.#closed && ![...this.#workers].some((x) => !x.dead)) this.#spawn();
  }
}
