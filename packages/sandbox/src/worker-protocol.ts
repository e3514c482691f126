import type { BridgeCallResult, EngineJob, EngineOutcome, LogLevel } from './engine.js';

/** Messages from the parent to a sandbox worker process. */
export type ToWorker =
  | { t: 'run'; id: number; job: EngineJob }
  | { t: 'result'; id: number; callId: number; result: BridgeCallResult }
  | { t: 'evict'; sha: string }
  | { t: 'close' };

/** Messages from a sandbox worker process to the parent. */
export type FromWorker =
  | { t: 'ready'; pid: number }
  | { t: 'call'; id: number; callId: number; path: string; argsJson: string; rowsRemaining: number }
  | { t: 'log'; id: number; level: LogLevel; text: string }
  | { t: 'done'; id: number; outcome: EngineOutcome; isolatesCreated: number };
