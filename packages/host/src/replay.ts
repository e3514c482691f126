import type { ScopedHostApi } from '@intelgraph/capabilities';
import {
  type Actor,
  type AuditTrail,
  type Authorizer,
  digestJson,
  IntelGraphError,
  type ReplayRecording,
  type ReplayStore,
  sha256Hex,
} from '@intelgraph/core';
import type { Sandbox } from '@intelgraph/sandbox';
import { sandboxAnswer } from './replay-recorder.js';

/**
 * Where a replay first departed from its recording:
 * - `call`: host call `index` (0-based, in the order the plugin made them) differs. `reason` is
 *   `method` (another method was called), `arguments` (same method, other arguments), `extra_call`
 *   (the recording has no call there), `missing_call` (the replay made fewer calls), or
 *   `recording_altered` (the stored request or response no longer matches its SHA-256 address);
 * - `code`: the stored code no longer matches the run's code digest;
 * - `output`: every call matched but the answer differs: `path` is the JSON Pointer of the first
 *   difference in `{ ok, value }` (or `{ ok, code }`), or the recorded answer no longer matches its
 *   address (`recording_altered`).
 */
export type ReplayDivergence =
  | {
      kind: 'call';
      index: number;
      reason: 'method' | 'arguments' | 'extra_call' | 'missing_call' | 'recording_altered';
      /** The method the replay called (null for `missing_call`). */
      path: string | null;
      /** The method the recording has there (null for `extra_call`). */
      recordedPath: string | null;
    }
  | { kind: 'code'; reason: 'recording_altered' }
  | { kind: 'output'; reason: 'differs' | 'recording_altered'; path: string | null };

/**
 * The answer of `host.plugins.replay`.
 *
 * @example
 * ```ts
 * const r: ReplayResult = await host.plugins.replay(auditor, runId);
 * if (r.divergence?.kind === 'call') console.log(`call ${r.divergence.index} differs: ${r.divergence.reason}`);
 * ```
 */
export interface ReplayResult {
  runId: string;
  /** False when the run was not recorded whole (over the size cap): then nothing was re-executed. */
  replayable: boolean;
  /** The replay made the same host calls and gave the same answer. */
  identical: boolean;
  /** Digest of this replay's answer (null when not replayable). */
  outputSha256: string | null;
  recordedOutputSha256: string;
  divergence?: ReplayDivergence;
  /** Why the run is not replayable, when it is not. */
  reason?: string;
}

/** What a replay needs; wired by createExtensionHost. */
export interface ReplayDeps {
  store: ReplayStore;
  sandbox: Sandbox;
  audit: AuditTrail;
  /** Decides `runs.replay`. */
  authorizer: Authorizer;
  now: () => number;
}

/**
 * A host API answering from the recording, in order: nothing live is read or written. The first call
 * that departs from the recording is kept as the divergence and refused, as is every later one.
 */
function recordedApi(
  rec: ReplayRecording,
  diverge: (d: ReplayDivergence) => void,
): {
  api: ScopedHostApi;
  made: () => number;
} {
  let next = 0;
  let stopped = false;
  const refuse = (d: ReplayDivergence) => {
    diverge(d);
    stopped = true;
    return new IntelGraphError('CONFLICT', 'the replay departed from the recorded run');
  };
  const api: ScopedHostApi = {
    grantedScopes: rec.grantedScopes,
    methods: rec.methods,
    has: (path) => rec.methods.includes(path),
    client: () => {
      throw new IntelGraphError('INTERNAL', 'a replay has no client');
    },
    async call(path, input, options) {
      const index = next++;
      if (stopped) throw new IntelGraphError('CONFLICT', 'the replay departed from the recorded run');
      const expected = rec.calls[index];
      if (!expected) throw refuse({ kind: 'call', index, reason: 'extra_call', path, recordedPath: null });
      const call = { kind: 'call' as const, index, path, recordedPath: expected.path };
      if (expected.path !== path) throw refuse({ ...call, reason: 'method' });
      if (digestJson({ path, args: input ?? null }) !== expected.requestSha256)
        throw refuse({ ...call, reason: 'arguments' });
      if (digestJson(expected.response) !== expected.responseSha256)
        throw refuse({ ...call, reason: 'recording_altered' });
      options?.onCall?.(expected.record);
      const r = expected.response;
      if (r.ok) return r.value;
      throw new IntelGraphError(r.code, r.message);
    },
  };
  return { api, made: () => next };
}

/**
 * Re-executes a recorded run: the same code (by digest), manifest budgets, input, seed, clock origin
 * and host responses, through a host API that answers from the recording. Only members of the run's
 * org holding `runs.replay` may replay it (another org's run is `NOT_FOUND`). Audited as
 * `plugin.replay`.
 *
 * @example
 * ```ts
 * const r = await host.plugins.replay(auditor, result.provenance.runId);
 * if (!r.identical) console.log(r.divergence);
 * ```
 */
export async function replayRun(deps: ReplayDeps, actor: Actor, runId: string): Promise<ReplayResult> {
  const { store, sandbox, audit } = deps;
  deps.authorizer.require(actor, 'runs.replay', 'replay');
  const rec = await store.get(runId);
  // An expired recording is gone even before the store's purge removes it.
  if (!rec || rec.orgId !== actor.orgId || Date.parse(rec.expiresAt) < deps.now())
    throw new IntelGraphError('NOT_FOUND', `no recorded run ${runId}`);

  let result: ReplayResult;
  if (!rec.replayable) {
    result = {
      runId,
      replayable: false,
      identical: false,
      outputSha256: null,
      recordedOutputSha256: rec.outputSha256,
      reason: rec.reason ?? 'not_recorded',
    };
  } else if (sha256Hex(rec.code) !== rec.codeSha256) {
    result = {
      runId,
      replayable: true,
      identical: false,
      outputSha256: null,
      recordedOutputSha256: rec.outputSha256,
      divergence: { kind: 'code', reason: 'recording_altered' },
    };
  } else {
    let divergence: ReplayDivergence | undefined;
    const { api, made } = recordedApi(rec, (d) => {
      divergence ??= d;
    });
    const run = await sandbox.run({
      code: rec.code,
      manifest: rec.manifest,
      input: rec.input,
      api,
      pluginId: rec.pluginId,
      determinism: { seed: rec.seed, clockOrigin: rec.clockOrigin },
    });
    const answer = sandboxAnswer(run);
    const outputSha256 = digestJson(answer);
    if (!divergence && made() < rec.calls.length) {
      divergence = {
        kind: 'call',
        index: made(),
        reason: 'missing_call',
        path: null,
        recordedPath: rec.calls[made()]?.path ?? null,
      };
    }
    if (!divergence && outputSha256 !== rec.outputSha256) {
      divergence =
        digestJson(rec.output) === rec.outputSha256
          ? { kind: 'output', reason: 'differs', path: firstDifference(rec.output, answer, '') }
          : { kind: 'output', reason: 'recording_altered', path: null };
    }
    result = {
      runId,
      replayable: true,
      identical: divergence === undefined,
      outputSha256,
      recordedOutputSha256: rec.outputSha256,
      ...(divergence ? { divergence } : {}),
    };
  }
  await audit.record({
    type: 'plugin.replay',
    actor: { userId: actor.userId, orgId: actor.orgId },
    subject: `plugin:${rec.pluginId}`,
    orgId: actor.orgId,
    data: {
      runId,
      replayable: result.replayable,
      identical: result.identical,
      outputSha256: result.outputSha256,
      recordedOutputSha256: result.recordedOutputSha256,
      divergence: result.divergence ? { ...result.divergence } : null,
    },
  });
  return result;
}

const pointer = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON Pointer of the first place two JSON values differ (keys in sorted order), or null when equal. */
function firstDifference(a: unknown, b: unknown, at: string): string | null {
  if (digestJson(a ?? null) === digestJson(b ?? null)) return null;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (i >= a.length || i >= b.length) return `${at}/${i}`;
      const d = firstDifference(a[i], b[i], `${at}/${i}`);
      if (d !== null) return d;
    }
    return at;
  }
  if (isObject(a) && isObject(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      if (!(key in a) || !(key in b)) return `${at}/${pointer(key)}`;
      const d = firstDifference(a[key], b[key], `${at}/${pointer(key)}`);
      if (d !== null) return d;
    }
  }
  return at;
}
