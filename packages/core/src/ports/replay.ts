// Port of replayable run recordings. Owned by @intelgraph/host (replay).
import type { ErrorCode } from '../errors.js';
import type { HostCallRecord } from '../provenance.js';

/**
 * One host call of a recorded run: the request (method and arguments) and the response (value or
 * error), each addressed by the SHA-256 of its canonical JSON. Stores keep the bodies by address, so
 * an altered body no longer matches its address.
 */
export interface ReplayCall {
  /** `namespace.method`. */
  path: string;
  args: unknown;
  /** SHA-256 of the canonical JSON of `{ path, args }`. */
  requestSha256: string;
  response: { ok: true; value: unknown } | { ok: false; code: ErrorCode; message: string };
  /** SHA-256 of the canonical JSON of `response`. */
  responseSha256: string;
  /** The provenance record of the call (scope, rows…), handed back to the sandbox on replay. */
  record: HostCallRecord;
}

/** Everything needed to run a past plugin run again, without live data. */
export interface ReplayRecording {
  runId: string;
  orgId: string;
  pluginId: string;
  version: string;
  /** SHA-256 of the plugin code (as in provenance); the code itself is kept by this digest. */
  codeSha256: string;
  code: string;
  /** The manifest the run was held to (its budgets apply again). */
  manifest: unknown;
  /** Visible host methods and granted scopes of the run. */
  methods: string[];
  grantedScopes: string[];
  input: unknown;
  inputSha256: string;
  seed: string;
  clockOrigin: number;
  calls: ReplayCall[];
  /** SHA-256 of the canonical JSON of the sandbox's answer (see the host's replay docs). */
  outputSha256: string;
  /**
   * The sandbox's answer, `{ ok: true, value }` or `{ ok: false, code }`, kept by `outputSha256`, so a
   * replay can name the first output path that differs (null when not replayable).
   */
  output: unknown;
  /** False when the recording went over the size cap: then `calls` is empty and `code`/`input` too. */
  replayable: boolean;
  /** Why the run is not replayable: `over_size_cap`, or `incomplete` (a host call was still in flight when the run ended). */
  reason: string | null;
  /** Bytes of canonical JSON recorded (input, requests, responses). */
  bytes: number;
  /** ISO-8601. */
  createdAt: string;
  expiresAt: string;
}

/**
 * Where recordings live. Implementations: memory (`@intelgraph/host`), PostgreSQL/PGlite (adapters).
 *
 * @example
 * ```ts
 * import type { ReplayStore } from '@intelgraph/core';
 * const purged = await (store as ReplayStore).purgeExpired(new Date().toISOString());
 * ```
 */
export interface ReplayStore {
  /** Stores a recording (a run id is recorded once; a second save of the same id is ignored). */
  save(recording: ReplayRecording): Promise<void>;
  /** The recording of a run, or null (unknown or expired and purged). */
  get(runId: string): Promise<ReplayRecording | null>;
  /** Deletes recordings whose `expiresAt` is before `now` (ISO-8601); returns how many. */
  purgeExpired(now: string): Promise<number>;
}
