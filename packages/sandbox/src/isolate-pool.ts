import ivm from 'isolated-vm';
import { BOOTSTRAP_FILENAME, BOOTSTRAP_SOURCE } from './bootstrap.js';

/** What the bootstrap posts to the host: `log`, `call` or `done`, with copied primitive arguments. */
export type PostHandler = (op: unknown, a: unknown, b: unknown, c: unknown) => void;

/** The bootstrap's `control` function, as the host calls it. */
export type Control = (op: string, a?: unknown, b?: unknown, c?: unknown) => void;

/**
 * A fresh context with the bootstrap already installed. It serves exactly one run; `route.handler` is
 * pointed at that run while it lasts (the `post` callback inside the context was bound at preparation).
 */
export interface PreparedContext {
  readonly context: ivm.Context;
  readonly control: ivm.Reference<Control>;
  readonly route: { handler: PostHandler };
}

const IGNORE: PostHandler = () => {};

/** An isolate in the pool, with the code compiled into it. */
export interface PooledIsolate {
  readonly isolate: ivm.Isolate;
  readonly memoryMB: number;
  /** Compiled CommonJS scripts by code SHA-256 (a Script can run in any context of its isolate). */
  readonly scripts: Map<string, ivm.Script>;
  /** Digests of every code that ran here (ES modules are compiled per run, so only listed). */
  readonly codes: Set<string>;
  /**
   * A context prepared ahead of time (created, bootstrap installed) while the isolate was idle. Every
   * context still serves exactly one run; preparing the next one off the critical path keeps V8's
   * context set-up and the bootstrap out of a run's latency.
   */
  spare: Promise<PreparedContext | undefined> | undefined;
  /** The spare has finished preparing. */
  spareReady: boolean;
  runs: number;
  busy: boolean;
}

/** Options of {@link IsolatePool}. */
export interface IsolatePoolOptions {
  /** Most isolates alive at once (busy or idle). */
  size: number;
  /** Scripts kept compiled per isolate (least recently used are dropped). */
  maxScriptsPerIsolate?: number;
  /** Replace an isolate after this many runs, to bound heap growth. */
  recycleAfterRuns?: number;
}

/**
 * A fixed-size pool of isolates. Each isolate serves one run at a time; isolates are created lazily,
 * keyed by memory limit (a V8 heap limit is fixed at creation), and replaced after a catastrophe,
 * a memory blowup, or `recycleAfterRuns` runs.
 */
export class IsolatePool {
  readonly #size: number;
  readonly #maxScripts: number;
  readonly #recycleAfter: number;
  readonly #all = new Set<PooledIsolate>();
  readonly #waiters: (() => void)[] = [];
  #closed = false;
  /**
   * A replacement isolate created ahead of time, with its first context prepared. Made in the
   * background after the pool disposes an isolate (eviction, recycling, a kill), so the run that needs
   * the replacement does not pay for V8 isolate creation.
   */
  #standby: PooledIsolate | undefined;
  #standbyPending = false;
  #standbyWanted = false;
  /** Background work in flight (standby creation), for {@link IsolatePool.settled}. */
  #background: Promise<unknown> = Promise.resolve();
  #lastMemoryMB = 0;
  /** Isolates put into service so far (for tests and stats). */
  created = 0;

  constructor(options: IsolatePoolOptions) {
    this.#size = options.size;
    this.#maxScripts = options.maxScriptsPerIsolate ?? 64;
    this.#recycleAfter = options.recycleAfterRuns ?? 10_000;
  }

  get size(): number {
    return this.#all.size;
  }

  /**
   * Takes an idle isolate with this memory limit, preferring one whose next context is ready and that
   * has `codeSha256` compiled.
   */
  async acquire(memoryMB: number, codeSha256: string): Promise<PooledIsolate> {
    this.#lastMemoryMB = memoryMB;
    for (;;) {
      if (this.#closed) throw new Error('the sandbox is closed');
      let match: PooledIsolate | undefined;
      let matchScore = -1;
      let idleOther: PooledIsolate | undefined;
      for (const p of this.#all) {
        if (p.busy) continue;
        if (p.memoryMB !== memoryMB) {
          idleOther ??= p;
          continue;
        }
        const score = (p.spareReady ? 2 : 0) + (p.codes.has(codeSha256) ? 1 : 0);
        if (score > matchScore) {
          match = p;
          matchScore = score;
        }
      }
      if (!match && this.#all.size >= this.#size && idleOther) {
        this.discard(idleOther);
      }
      // While the pool can grow, an isolate whose next context is still being prepared is passed over:
      // back-to-back runs then alternate, one isolate preparing while another runs. On an idle core
      // that hides context creation (p50 -25% measured on two quiet cores); on an oversubscribed
      // machine it costs about 10% more CPU per run. `poolSize: 1` turns it off.
      if (!match?.spareReady && this.#all.size < this.#size) match = this.#create(memoryMB);
      if (match) {
        match.busy = true;
        return match;
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Returns an isolate to the pool, or replaces it when it is worn out. */
  release(p: PooledIsolate): void {
    p.busy = false;
    p.runs += 1;
    // Garbage from earlier contexts is no reason to recycle: V8 collects it before the limit bites.
    if (p.isolate.isDisposed || p.runs >= this.#recycleAfter || this.#closed) this.discard(p);
    else this.#prepare(p);
    if (this.#standbyWanted) this.#scheduleStandby();
    this.#wake();
  }

  /** Disposes an isolate and forgets it (after a timeout, a memory blowup, or eviction). */
  discard(p: PooledIsolate): void {
    this.#all.delete(p);
    p.spare?.then((prepared) => prepared && releaseContext(prepared));
    p.spare = undefined;
    p.spareReady = false;
    for (const s of p.scripts.values()) s.release();
    p.scripts.clear();
    if (!p.isolate.isDisposed) p.isolate.dispose();
    this.#scheduleStandby();
    this.#wake();
  }

  #scheduleStandby(): void {
    if (this.#closed || this.#standbyPending || this.#standby?.memoryMB === this.#lastMemoryMB) return;
    this.#standbyPending = true;
    this.#standbyWanted = false;
    // Isolate creation blocks this thread for a few milliseconds: do it off the current call stack,
    // and only while no run is in progress (else after the next one ends).
    let resolve: () => void = () => {};
    this.#background = new Promise<void>((r) => {
      resolve = r;
    });
    setImmediate(() => {
      resolve();
      this.#standbyPending = false;
      const memoryMB = this.#lastMemoryMB;
      if (this.#closed || memoryMB === 0 || this.#standby?.memoryMB === memoryMB) return;
      if ([...this.#all].some((p) => p.busy)) {
        this.#standbyWanted = true;
        return;
      }
      this.#disposeStandby();
      const p = newPooled(memoryMB);
      this.#standby = p;
      this.#prepare(p);
      this.#background = p.spare ?? Promise.resolve();
    });
  }

  /** Resolves when background preparation (next contexts, a standby isolate) has finished. */
  async settled(): Promise<void> {
    for (;;) {
      const background = this.#background;
      await Promise.all([background, ...[...this.#all].map((p) => p.spare)]);
      if (background === this.#background) return;
    }
  }

  #disposeStandby(): void {
    const p = this.#standby;
    this.#standby = undefined;
    if (!p) return;
    p.spare?.then((prepared) => prepared && releaseContext(prepared));
    if (!p.isolate.isDisposed) p.isolate.dispose();
  }

  /** Takes the prepared context of an isolate, if any, else prepares one now. */
  async context(p: PooledIsolate): Promise<PreparedContext> {
    const spare = p.spare;
    p.spare = undefined;
    p.spareReady = false;
    return (spare ? await spare : undefined) ?? prepareContext(p.isolate);
  }

  #prepare(p: PooledIsolate): void {
    if (p.spare) return;
    const spare = prepareContext(p.isolate).then(
      (prepared) => {
        if (p.spare === spare) p.spareReady = true;
        return prepared;
      },
      () => undefined,
    );
    p.spare = spare;
  }

  /** Notes that `codeSha256` ran in this isolate (so eviction finds it). */
  touch(p: PooledIsolate, codeSha256: string): void {
    p.codes.add(codeSha256);
  }

  /** Remembers a compiled script, dropping the least recently used beyond the per-isolate cap. */
  remember(p: PooledIsolate, codeSha256: string, script: ivm.Script): void {
    p.scripts.delete(codeSha256);
    p.scripts.set(codeSha256, script);
    while (p.scripts.size > this.#maxScripts) {
      const oldest = p.scripts.keys().next().value;
      if (oldest === undefined) break;
      p.scripts.get(oldest)?.release();
      p.scripts.delete(oldest);
    }
  }

  /** Drops compiled code for `codeSha256`; idle isolates that held it are disposed. */
  evict(codeSha256: string): void {
    for (const p of [...this.#all]) {
      if (!p.codes.delete(codeSha256)) continue;
      p.scripts.get(codeSha256)?.release();
      p.scripts.delete(codeSha256);
      if (!p.busy) this.discard(p);
    }
  }

  close(): void {
    this.#closed = true;
    this.#disposeStandby();
    for (const p of [...this.#all]) if (!p.busy) this.discard(p);
    this.#wake();
  }

  #create(memoryMB: number): PooledIsolate {
    let p = this.#standby;
    if (p?.memoryMB === memoryMB && !p.isolate.isDisposed) this.#standby = undefined;
    else p = newPooled(memoryMB);
    this.created += 1;
    this.#all.add(p);
    return p;
  }

  #wake(): void {
    const waiters = this.#waiters.splice(0);
    for (const w of waiters) w();
  }
}

function newPooled(memoryMB: number): PooledIsolate {
  return {
    isolate: new ivm.Isolate({ memoryLimit: memoryMB }),
    memoryMB,
    scripts: new Map(),
    codes: new Set(),
    spare: undefined,
    spareReady: false,
    runs: 0,
    busy: false,
  };
}

/** Creates a context and installs the bootstrap in it; the bootstrap's posts go to `route.handler`. */
async function prepareContext(isolate: ivm.Isolate): Promise<PreparedContext> {
  const context = await isolate.createContext();
  const route = { handler: IGNORE };
  // "ignored": the isolate does not wait for the host (no thread round trip per log, call or result).
  const post = new ivm.Callback(
    (op: unknown, a: unknown, b: unknown, c: unknown) => route.handler(op, a, b, c),
    {
      ignored: true,
    },
  );
  try {
    const control = (await context.evalClosure(BOOTSTRAP_SOURCE, [post], {
      filename: BOOTSTRAP_FILENAME,
      result: { reference: true },
      timeout: 5000,
    })) as ivm.Reference<Control>;
    return { context, control, route };
  } catch (error) {
    context.release();
    throw error;
  }
}

/** Releases every handle into a prepared context, so the context does not outlive its run. */
export function releaseContext(prepared: PreparedContext): void {
  prepared.route.handler = IGNORE;
  try {
    prepared.control.release();
    prepared.context.release();
  } catch {
    // already gone with its isolate
  }
}
