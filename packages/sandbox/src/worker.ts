// Entry point of a sandbox worker process (process-isolated mode). It runs an IsolateEngine and
// forwards host API calls and logs to the parent over IPC. If V8 aborts here, only this process dies.
import { BoundedCache } from './bounded-cache.js';
import { type BridgeCallResult, IsolateEngine } from './engine.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

const send = (m: FromWorker) => {
  if (process.connected) process.send?.(m);
};

// Started with an empty environment: the configuration comes as arguments.
const [poolArg, recycleArg, codesArg] = process.argv.slice(2);
const poolSize = Number(poolArg ?? '2');
const recycle = Number(recycleArg ?? '0');
const engine = new IsolateEngine({ poolSize, ...(recycle > 0 ? { recycleAfterRuns: recycle } : {}) });
const waiting = new Map<string, (r: BridgeCallResult) => void>();
const aborts = new Map<number, AbortController>();
// Plugin code by digest, so the parent sends each code once (see WireJob).
const codes = new BoundedCache<string, string>({
  maxEntries: Math.max(1, Number(codesArg ?? '256')),
  maxWeight: 64 * 1024 * 1024,
  weigh: (_, code) => code.length,
});
let nextCall = 0;

process.on('message', (raw: ToWorker) => {
  switch (raw.t) {
    case 'run': {
      const { id, job: wire } = raw;
      if (wire.code !== undefined) codes.set(wire.codeSha256, wire.code);
      const code = wire.code ?? codes.get(wire.codeSha256);
      if (code === undefined) {
        send({ t: 'need', id });
        break;
      }
      const job = { ...wire, code };
      const abort = new AbortController();
      aborts.set(id, abort);
      engine
        .run(
          job,
          {
            log: (level, text) => send({ t: 'log', id, level, text }),
            call: (path, argsJson, options) =>
              new Promise<BridgeCallResult>((resolve) => {
                const callId = ++nextCall;
                const key = `${id}:${callId}`;
                waiting.set(key, resolve);
                options.signal.addEventListener('abort', () => {
                  waiting.delete(key);
                  resolve({ ok: false, code: 'UNAVAILABLE', message: 'the run has ended' });
                });
                send({ t: 'call', id, callId, path, argsJson, rowsRemaining: options.rowsRemaining });
              }),
          },
          abort.signal,
        )
        .then((outcome) => {
          aborts.delete(id);
          send({ t: 'done', id, outcome, isolatesCreated: engine.pool.created });
        });
      break;
    }
    case 'result': {
      const key = `${raw.id}:${raw.callId}`;
      const resolve = waiting.get(key);
      waiting.delete(key);
      resolve?.(raw.result);
      break;
    }
    case 'abort':
      aborts.get(raw.id)?.abort({ code: raw.code, message: raw.message });
      break;
    case 'evict':
      codes.delete(raw.sha);
      engine.evict(raw.sha);
      break;
    case 'close':
      engine.close();
      process.disconnect();
      break;
  }
});
process.on('disconnect', () => {
  engine.close();
  process.exit(0);
});
send({ t: 'ready', pid: process.pid });
