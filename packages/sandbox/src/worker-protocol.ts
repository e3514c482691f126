import type { BridgeCallResult, EngineJob, EngineOutcome, LogLevel } from './engine.js';

/**
 * A job as it crosses to a worker: the code travels only the first time a worker sees its digest
 * (the worker keeps it); later runs send the digest alone, and a worker that no longer has the code
 * answers `need`, so the parent sends the job again with it.
 */
export type WireJob = Omit<EngineJob, 'code'> & { code?: string };

/** Messages from the parent to a sandbox worker process. */
export type ToWorker =
  | { t: 'run'; id: number; job: WireJob }
  | { t: 'result'; id: number; callId: number; result: BridgeCallResult }
  | { t: 'abort'; id: number; code: string; message: string }
  | { t: 'evict'; sha: string }
  | { t: 'close' };

/** Messages from a sandbox worker process to the parent. */
export type FromWorker =
  | { t: 'ready'; pid: number }
  | { t: 'need'; id: number }
  | { t: 'call'; id: number; callId: number; path: string; argsJson: string; rowsRemaining: number }
  | { t: 'log'; id: number; level: LogLevel; text: string }
  | { t: 'done'; id: number; outcome: EngineOutcome; isolatesCreated: number };
