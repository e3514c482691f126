// The server side of the load and soak runs, in a process of its own so the load generator does not
// share its event loop or its memory figures. Started by `startServerProcess` (server-process.ts) with
// LOAD_BACKEND=embedded|production; answers IPC messages:
//   { id, op: 'ledger' }        → { id, ok, value: Ledger }
//   { id, op: 'sample', on }    → starts (or stops) sampling RSS, heap and event-loop delay every second
//   { id, op: 'samples' }       → { id, ok, value: Sample[] }
//   { id, op: 'tracing', on }   → registers (or removes) an OpenTelemetry SDK; answers spans exported
//   { id, op: 'profile', file } → starts a V8 CPU profile (file: null stops it and writes it to the file
//                                 given when it started; answers the path)
//   { id, op: 'close' }         → closes the stack, answers, exits
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { readLedger } from './ledger.js';
import { type Backend, type SharedStores, startStack } from './stack.js';
import { tracingSwitch } from './tracing-switch.js';

/** One per-second sample of the server process. */
export interface Sample {
  /** Seconds since sampling started. */
  t: number;
  rssMB: number;
  heapUsedMB: number;
  /** Event-loop delay over the last second (ms). */
  loopP50Ms: number;
  loopP99Ms: number;
  loopMaxMs: number;
}

type Message =
  | { id: number; op: 'ledger' | 'samples' | 'close' }
  | { id: number; op: 'sample'; on: boolean }
  | { id: number; op: 'tracing'; on: boolean }
  | { id: number; op: 'profile'; file: string | null }
  | { id: number; op: 'auditBurst'; count: number; concurrency: number };

const send = (m: unknown) => process.send?.(m);
const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;

async function main(): Promise<void> {
  const backend = (process.env.LOAD_BACKEND ?? 'embedded') as Backend;
  const tracing = tracingSwitch();
  const stack = await startStack({
    backend,
    host: { tracerProvider: tracing.provider },
    ...(process.env.LOAD_SHARED ? { shared: JSON.parse(process.env.LOAD_SHARED) as SharedStores } : {}),
    ...(process.env.LOAD_POOL_SIZE ? { poolSize: Number(process.env.LOAD_POOL_SIZE) } : {}),
  });
  const samples: Sample[] = [];
  const loop = monitorEventLoopDelay({ resolution: 10 });
  let timer: NodeJS.Timeout | undefined;
  let started = 0;
  let profiling: { session: Session; file: string } | null = null;

  process.on('message', async (m: Message) => {
    try {
      if (m.op === 'ledger') send({ id: m.id, ok: true, value: await readLedger(stack.host, stack.sql) });
      else if (m.op === 'sample') {
        clearInterval(timer);
        if (m.on) {
          samples.length = 0;
          started = performance.now();
          loop.enable();
          loop.reset();
          timer = setInterval(() => {
            const mem = process.memoryUsage();
            samples.push({
              t: Math.round((performance.now() - started) / 100) / 10,
              rssMB: mb(mem.rss),
              heapUsedMB: mb(mem.heapUsed),
              loopP50Ms: Math.round(loop.percentile(50) / 1e4) / 100,
              loopP99Ms: Math.round(loop.percentile(99) / 1e4) / 100,
              loopMaxMs: Math.round(loop.max / 1e4) / 100,
            });
            loop.reset();
          }, 1000);
        } else loop.disable();
        send({ id: m.id, ok: true, value: null });
      } else if (m.op === 'samples') send({ id: m.id, ok: true, value: samples });
      else if (m.op === 'tracing') {
        await tracing.set(m.on);
        send({ id: m.id, ok: true, value: tracing.spansExported() });
      } else if (m.op === 'profile') {
        if (m.file !== null && !profiling) {
          const session = new Session();
          session.connect();
          await session.post('Profiler.enable');
          await session.post('Profiler.start');
          profiling = { session, file: m.file };
          send({ id: m.id, ok: true, value: m.file });
        } else if (m.file === null && profiling) {
          const { session, file } = profiling;
          profiling = null;
          const { profile } = await session.post('Profiler.stop');
          session.disconnect();
          writeFileSync(file, JSON.stringify(profile));
          send({ id: m.id, ok: true, value: file });
        } else send({ id: m.id, ok: false, error: 'profile: already in that state' });
      } else if (m.op === 'auditBurst') {
        // Appends `count` audit events, `concurrency` at a time; answers the elapsed milliseconds.
        const t0 = performance.now();
        let next = 0;
        const worker = async () => {
          while (next < m.count) {
            next++;
            await stack.host.internals.audit.record({
              type: 'bench.append',
              actor: null,
              subject: `bench:${process.pid}`,
              orgId: null,
              data: { n: next },
            });
          }
        };
        await Promise.all(Array.from({ length: m.concurrency }, worker));
        send({ id: m.id, ok: true, value: performance.now() - t0 });
      } else if (m.op === 'close') {
        clearInterval(timer);
        await stack.close();
        send({ id: m.id, ok: true, value: null });
        process.disconnect?.();
        setTimeout(() => process.exit(0), 100).unref();
      }
    } catch (err) {
      send({ id: m.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  });
  send({ ready: true, url: stack.url, stores: stack.stores, pid: process.pid });
}

main().catch((err: unknown) => {
  send({ ready: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100).unref();
});
