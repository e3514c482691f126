import ivm from 'isolated-vm';

/** An isolate in the pool, with the code compiled into it. */
export interface PooledIsolate {
  readonly isolate: ivm.Isolate;
  readonly memoryMB: number;
  /** Compiled CommonJS scripts by code SHA-256 (a Script can run in any context of its isolate). */
  readonly scripts: Map<string, ivm.Script>;
  /** Digests of every code that ran here (ES modules are compiled per run, so only listed). */
  readonly codes: Set<string>;
  /**
   * A context created ahead of time while the isolate was idle. Every context still serves exactly
   * one run; preparing the next one off the critical path keeps V8's context set-up out of latency.
   */
  spare: Promise<ivm.Context | undefined> | undefined;
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
  /** Isolates ever created (for tests and stats). */
  created = 0;

  constructor(options: IsolatePoolOptions) {
    this.#size = options.size;
    this.#maxScripts = options.maxScriptsPerIsolate ?? 64;
    this.#recycleAfter = options.recycleAfterRuns ?? 10_000;
  }

  get size(): number {
    return this.#all.size;
  }

  /** Takes an idle isolate with this memory limit (preferring one that has `codeSha256` compiled). */
  async acquire(memoryMB: number, codeSha256: string): Promise<PooledIsolate> {
    for (;;) {
      if (this.#closed) throw new Error('the sandbox is closed');
      let match: PooledIsolate | undefined;
      let idleOther: PooledIsolate | undefined;
      for (const p of this.#all) {
        if (p.busy) continue;
        if (p.memoryMB !== memoryMB) {
          idleOther ??= p;
          continue;
        }
        if (p.codes.has(codeSha256)) {
          match = p;
          break;
        }
        match ??= p;
      }
      if (!match && this.#all.size >= this.#size && idleOther) {
        this.discard(idleOther);
      }
      if (!match && this.#all.size < this.#size) match = this.#create(memoryMB);
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
    this.#wake();
  }

  /** Disposes an isolate and forgets it (after a timeout, a memory blowup, or eviction). */
  discard(p: PooledIsolate): void {
    this.#all.delete(p);
    p.spare = undefined;
    for (const s of p.scripts.values()) s.release();
    p.scripts.clear();
    if (!p.isolate.isDisposed) p.isolate.dispose();
    this.#wake();
  }

  /** Takes the pre-created context of an isolate, if any, else creates one. */
  async context(p: PooledIsolate): Promise<ivm.Context> {
    const spare = p.spare;
    p.spare = undefined;
    return (spare ? await spare : undefined) ?? p.isolate.createContext();
  }

  #prepare(p: PooledIsolate): void {
    if (p.spare) return;
    p.spare = p.isolate.createContext().catch(() => undefined);
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
    for (const p of [...this.#all]) if (!p.busy) this.discard(p);
    this.#wake();
  }

  #create(memoryMB: number): PooledIsolate {
    const p: PooledIsolate = {
      isolate: new ivm.Isolate({ memoryLimit: memoryMB }),
      memoryMB,
      scripts: new Map(),
      codes: new Set(),
      spare: undefined,
      runs: 0,
      busy: false,
    };
    this.created += 1;
    this.#all.add(p);
    return p;
  }

  #wake(): void {
    const waiters = this.#waiters.splice(0);
    for (const w of waiters) w();
  }
}
