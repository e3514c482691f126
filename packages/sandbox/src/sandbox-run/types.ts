import type { ScopedHostApi } from '@intelgraph/capabilities';
import type { IntelGraphError, Provenance, RunDeterminism, Usage } from '@intelgraph/core';
import type { LogLevel } from '../engine.js';

// What a run takes and returns (re-exported by sandbox.ts).

/** One captured `console` line. */
export interface LogEntry {
  level: LogLevel;
  /** The message, PII-redacted. */
  message: string;
  /** ISO-8601 time the host received it. */
  at: string;
}

/** What every run returns, success or failure. */
export interface RunReport {
  logs: LogEntry[];
  /** Whether logs were dropped because the log budget was reached. */
  logsTruncated: boolean;
  usage: Usage;
  provenance: Provenance;
}

/**
 * The result of {@link Sandbox.run}: `{ ok: true, value }` or `{ ok: false, error }`, with logs, usage
 * and provenance either way. `error.code` is `BUDGET_EXCEEDED` (with `details.resource` = `wall | cpu
 * | memory | rows | output`, `limit`, `observed`, `unit`), `PLUGIN_ERROR` (plugin message, `details.stack`
 * with only plugin frames), `CAPABILITY_DENIED` (only when the host denied a call), `UNAVAILABLE` (a
 * crashed worker, a closed sandbox, an aborted run), or the code of the abort reason (`KILL_SWITCH`…).
 */
export type SandboxResult<T = unknown> = ({ ok: true; value: T } | { ok: false; error: IntelGraphError }) &
  RunReport;

/** What to run. */
export interface SandboxRunRequest {
  /** The plugin source: an ES module exporting `run(input, api)`, or CommonJS setting `module.exports.run`. */
  code: string;
  /** The plugin manifest (validated here; budgets come from it). */
  manifest: unknown;
  /** JSON input handed to `run`. */
  input?: unknown;
  /** The scoped host API (from `scopeHostApi`); without it the plugin gets an empty `api`. */
  api?: ScopedHostApi;
  /** Plugin id for provenance; defaults to the manifest name. */
  pluginId?: string;
  /**
   * Ends the run when aborted (a kill switch, an uninstall, a client gone): code still running is
   * stopped in either isolation mode, and the run fails with the reason's code when it is
   * `KILL_SWITCH`, `FORBIDDEN`, `NOT_FOUND`, `QUOTA_EXCEEDED` or `UNAVAILABLE` (an `IntelGraphError`
   * as the reason), else `UNAVAILABLE`; `details.reason` is `aborted`.
   */
  signal?: AbortSignal;
  /** Run id for provenance (the host's id of the run); a fresh one by default. */
  runId?: string;
  /**
   * The run's `Math.random` seed (32 hex digits) and clock origin (epoch ms). A fresh random seed and
   * the current time by default; a replay passes the recorded ones. Either way they are in the
   * provenance (`provenance.determinism`).
   */
  determinism?: RunDeterminism;
}
