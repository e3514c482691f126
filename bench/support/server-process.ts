import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { Ledger } from './ledger.js';
import type { Sample } from './server.js';
import type { Backend, SharedStores } from './stack.js';

const root = join(import.meta.dirname, '..', '..');

/** The parent's handle on the server process (see server.ts). */
export interface ServerProcess {
  url: string;
  stores: string;
  pid: number;
  ledger(): Promise<Ledger>;
  sample(on: boolean): Promise<void>;
  samples(): Promise<Sample[]>;
  /** Registers (true) or removes (false) an OpenTelemetry SDK in the server; resolves to spans exported. */
  tracing(on: boolean): Promise<number>;
  /** Starts a V8 CPU profile of the server (`file`), or stops the running one and writes it (`null`). */
  profile(file: string | null): Promise<string>;
  /** Appends `count` audit events from this server, `concurrency` at a time; resolves to elapsed ms. */
  auditBurst(count: number, concurrency: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * Forks the server (source conditions, tsx, `--no-node-snapshot` for isolated-vm) and waits until it
 * listens. Rejects with the child's error if seeding fails; the child is killed if it does not start
 * within `startTimeoutMs`.
 */
export async function startServerProcess(options: {
  backend: Backend;
  poolSize?: number;
  startTimeoutMs?: number;
  /** Join stores shared with other server processes (see `SharedStores`). */
  shared?: SharedStores;
  /** Another checkout of the repository to run the server from (bench/hot-path.ts compares two). */
  root?: string;
}): Promise<ServerProcess> {
  const from = options.root ?? root;
  const child: ChildProcess = fork(join(from, 'bench/support/server.ts'), [], {
    cwd: from,
    execPath: process.execPath,
    execArgv: ['--no-node-snapshot', '--conditions=@intelgraph/source', '--import', 'tsx'],
    env: {
      ...process.env,
      LOAD_BACKEND: options.backend,
      ...(options.poolSize ? { LOAD_POOL_SIZE: String(options.poolSize) } : {}),
      ...(options.shared ? { LOAD_SHARED: JSON.stringify(options.shared) } : {}),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let nextId = 1;
  let exited: string | null = null;

  const ready = await new Promise<{ url: string; stores: string; pid: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the load server did not start in time'));
    }, options.startTimeoutMs ?? 120_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the load server exited during start (code ${code})`));
    });
    child.on(
      'message',
      (m: { ready?: boolean; url?: string; stores?: string; pid?: number; error?: string }) => {
        if (m.ready === true) {
          clearTimeout(timer);
          resolve({ url: m.url ?? '', stores: m.stores ?? '', pid: m.pid ?? 0 });
        } else if (m.ready === false) {
          clearTimeout(timer);
          reject(new Error(`the load server failed to start: ${m.error}`));
        }
      },
    );
  });
  child.removeAllListeners('exit');
  child.on('exit', (code, signal) => {
    exited = `code ${code}, signal ${signal}`;
    for (const p of pending.values()) p.reject(new Error(`the load server exited (${exited})`));
    pending.clear();
  });
  child.on('message', (m: { id?: number; ok?: boolean; value?: unknown; error?: string }) => {
    if (m.id === undefined) return;
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(new Error(`load server: ${m.error}`));
  });

  const call = <T>(op: string, extra: Record<string, unknown> = {}) =>
    new Promise<T>((resolve, reject) => {
      if (exited) return reject(new Error(`the load server has exited (${exited})`));
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, op, ...extra });
    });

  return {
    ...ready,
    ledger: () => call<Ledger>('ledger'),
    sample: (on) => call<void>('sample', { on }),
    samples: () => call<Sample[]>('samples'),
    tracing: (on) => call<number>('tracing', { on }),
    profile: (file) => call<string>('profile', { file }),
    auditBurst: (count, concurrency) => call<number>('auditBurst', { count, concurrency }),
    async close() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const kill = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await call<void>('close').catch(() => undefined);
      await gone;
      clearTimeout(kill);
    },
  };
}
