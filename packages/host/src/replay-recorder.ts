import type { ScopedHostApi } from '@intelgraph/capabilities';
import {
  canonicalJson,
  digestJson,
  type HostCallRecord,
  IntelGraphError,
  isIntelGraphError,
  type ReplayCall,
  type ReplayRecording,
  type RunDeterminism,
} from '@intelgraph/core';
import { z } from 'zod';

/** Whether runs of a plugin in an org are recorded for replay. */
export type ReplayEnabled = boolean | ((orgId: string, pluginId: string) => boolean);

/**
 * The replay policy of a host (option `replay` of `createExtensionHost`).
 *
 * @example
 * ```ts
 * const host = await createExtensionHost({
 *   replay: { enabled: (org, plugin) => plugin === 'sample-enricher', maxBytes: 512 * 1024, retentionDays: 90 },
 * });
 * ```
 */
export interface ReplayPolicyOptions {
  /** Which runs are recorded: all, none, or per org and plugin. */
  enabled: ReplayEnabled;
  /** Most bytes (canonical JSON of input, requests and responses) one run records; default 1 MiB. */
  maxBytes?: number;
  /** Days a recording is kept; default 30. */
  retentionDays?: number;
}

/** The resolved replay policy. */
export interface ReplayPolicy {
  enabled(orgId: string, pluginId: string): boolean;
  maxBytes: number;
  retentionDays: number;
}

const PolicySchema = z
  .object({
    enabled: z.union([
      z.boolean(),
      z.custom<(o: string, p: string) => boolean>((v) => typeof v === 'function'),
    ]),
    maxBytes: z
      .number()
      .int()
      .positive()
      .max(1024 * 1024 * 1024)
      .optional(),
    retentionDays: z.number().int().positive().max(3650).optional(),
  })
  .strict();

/** @internal Parses the host option (undefined: replay off, nobody records). */
export function resolveReplayPolicy(input: ReplayPolicyOptions | undefined): ReplayPolicy {
  if (input === undefined) return { enabled: () => false, maxBytes: 0, retentionDays: 0 };
  const parsed = PolicySchema.safeParse(input);
  if (!parsed.success) {
    throw new IntelGraphError('INVALID_INPUT', 'invalid replay policy', {
      details: {
        issues: parsed.error.issues.map((i) => ({
          code: i.code,
          path: i.path.map(String),
          message: i.message,
        })),
      },
    });
  }
  const p = parsed.data;
  const enabled = p.enabled;
  return {
    enabled: typeof enabled === 'function' ? (o, pl) => enabled(o, pl) === true : () => enabled,
    maxBytes: p.maxBytes ?? 1024 * 1024,
    retentionDays: p.retentionDays ?? 30,
  };
}

/**
 * @internal What a replay compares (by the SHA-256 of its canonical JSON): the sandbox's answer, `{ ok: true,
 * value }` or `{ ok: false, code }` (before the output contract, which is the host's, not the plugin's).
 */
export function sandboxAnswer(
  run: { ok: true; value: unknown } | { ok: false; error: { code: string } },
): unknown {
  return run.ok ? { ok: true, value: run.value ?? null } : { ok: false, code: run.error.code };
}

/** The response a plugin saw, as the sandbox's bridge hands it over (JSON, errors as code and message). */
export function responseOf(
  path: string,
  outcome: { ok: true; value: unknown } | { ok: false; error: unknown },
) {
  if (outcome.ok) {
    const json = JSON.stringify(outcome.value === undefined ? null : outcome.value);
    return { ok: true as const, value: typeof json === 'string' ? (JSON.parse(json) as unknown) : null };
  }
  const e = outcome.error;
  return isIntelGraphError(e)
    ? { ok: false as const, code: e.code, message: e.message }
    : { ok: false as const, code: 'INTERNAL' as const, message: `host method ${path} failed` };
}

/** @internal Records one run's host calls, in the order the plugin made them, up to the size cap. */
export interface RunRecorder {
  /** The same API, recording every call's request and response. */
  wrap(api: ScopedHostApi): ScopedHostApi;
  /** The recording of the finished run. */
  finish(run: {
    runId: string;
    orgId: string;
    pluginId: string;
    version: string;
    codeSha256: string;
    code: string;
    manifest: unknown;
    input: unknown;
    inputSha256: string;
    determinism: RunDeterminism;
    /** The sandbox's answer (see {@link sandboxAnswer}). */
    output: unknown;
    now: number;
  }): ReplayRecording;
}

/** @internal A recorder for one run, or undefined when the policy does not record it. */
export function createRunRecorder(
  policy: ReplayPolicy,
  orgId: string,
  pluginId: string,
): RunRecorder | undefined {
  // A policy callback that throws records nothing: recording never fails a run.
  let enabled = false;
  try {
    enabled = policy.enabled(orgId, pluginId);
  } catch {
    enabled = false;
  }
  if (!enabled) return undefined;
  const calls: (ReplayCall | undefined)[] = [];
  let bytes = 0;
  let over = false;
  let methods: string[] = [];
  let grantedScopes: string[] = [];
  const count = (text: string) => {
    bytes += Buffer.byteLength(text);
    if (bytes > policy.maxBytes) over = true;
  };
  return {
    wrap(api) {
      methods = [...api.methods];
      grantedScopes = [...api.grantedScopes];
      return {
        grantedScopes: api.grantedScopes,
        methods: api.methods,
        has: (path) => api.has(path),
        client: (options) => api.client(options),
        async call(path, input, options) {
          const seq = calls.length;
          calls.push(undefined);
          let record: HostCallRecord | undefined;
          const onCall = (r: HostCallRecord) => {
            record = r;
            options?.onCall?.(r);
          };
          const save = (outcome: { ok: true; value: unknown } | { ok: false; error: unknown }) => {
            if (over) return;
            const request = canonicalJson({ path, args: input ?? null });
            const response = responseOf(path, outcome);
            const responseText = canonicalJson(response);
            count(request);
            count(responseText);
            if (over) return;
            calls[seq] = {
              path,
              args: input ?? null,
              requestSha256: digestJson({ path, args: input ?? null }),
              response,
              responseSha256: digestJson(response),
              // A call refused before the scoped API reported it (no record): an empty one, as in provenance.
              record: record ?? { scope: '', method: path, rows: 0, ms: 0, ok: response.ok },
            };
          };
          try {
            const value = await api.call(path, input, { ...options, onCall });
            save({ ok: true, value });
            return value;
          } catch (error) {
            save({ ok: false, error });
            throw error;
          }
        },
      };
    },
    finish(run) {
      count(canonicalJson(run.input ?? null));
      count(canonicalJson(run.output));
      const complete = calls.every((c) => c !== undefined);
      const replayable = !over && complete;
      const createdAt = new Date(run.now).toISOString();
      const expiresAt = new Date(run.now + policy.retentionDays * 86_400_000).toISOString();
      return {
        runId: run.runId,
        orgId: run.orgId,
        pluginId: run.pluginId,
        version: run.version,
        codeSha256: run.codeSha256,
        code: replayable ? run.code : '',
        manifest: run.manifest,
        methods,
        grantedScopes,
        input: replayable ? (run.input ?? null) : null,
        inputSha256: run.inputSha256,
        seed: run.determinism.seed,
        clockOrigin: run.determinism.clockOrigin,
        calls: replayable ? (calls as ReplayCall[]) : [],
        outputSha256: digestJson(run.output),
        output: replayable ? run.output : null,
        replayable,
        reason: replayable ? null : over ? 'over_size_cap' : 'incomplete',
        bytes,
        createdAt,
        expiresAt,
      };
    },
  };
}
