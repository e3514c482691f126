import ivm from 'isolated-vm';

/** An isolate in the pool, with the code compiled into it. */
export interface PooledIsolate {
  readonly isolate: ivm.Isolate;
  readonly memoryMB: number;
  /** Compiled CommonJS scripts by code SHA-256 (a Script can run in any context of its isolate). */
  readonly scripts: Map<string, ivm.Script>;
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
        if (p.scripts.has(codeSha256)) {
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
  release(p: PooledIsolate, options: { heapBytes?: number } = {}): void {
    p.busy = false;
    p.runs += 1;
    const heavy = options.heapBytes !== undefined && options.heapBytes > p.memoryMB * 1024 * 1024 * 0.6;
    if (p.isolate.isDisposed || p.runs >= this.#recycleAfter || heavy || this.#closed) this.discard(p);
    this.#wake();
  }

  /** Disposes an isolate and forgets it (after a timeout, a memory blowup, or eviction). */
  discard(p: PooledIsolate): void {
    this.#all.delete(p);
    for (const s of p.scripts.values()) s.release();
    p.scripts.clear();
    if (!p.isolate.isDisposed) p.isolate.dispose();
    this.#wake();
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
      const script = p.scripts.get(codeSha256);
      if (!script) continue;
      p.scripts.delete(codeSha256);
      script.release();
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
