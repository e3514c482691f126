import { randomBytes } from 'node:crypto';
import type { ScopedHostApi } from '@intelgraph/capabilities';
import {
  type Clock,
  type ErrorCode,
  findDangerousKeys,
  type HostCallRecord,
  IntelGraphError,
  isIntelGraphError,
  type Provenance,
  type RunDeterminism,
  type Usage,
} from '@intelgraph/core';
import type { BridgeCallResult, EngineBridge, EngineJob, EngineOutcome } from '../engine.js';
import { redactPii } from '../redact.js';
import { codeDigest, type SandboxContext } from './context.js';
import { type CheckedRequest, checkRequest } from './request.js';
import type { LogEntry, RunReport, SandboxResult, SandboxRunRequest } from './types.js';

// One run: check the request, build the job and the bridge to the scoped host API, execute, and turn
// the engine's outcome into a result with logs, usage and provenance.

const EMPTY_API: Pick<ScopedHostApi, 'methods' | 'grantedScopes'> = { methods: [], grantedScopes: [] };

/** The bridge the engine calls back: captured logs, and host calls through the scoped API only. */
function createBridge(
  clock: Clock,
  api: ScopedHostApi | undefined,
  logs: LogEntry[],
  hostCalls: HostCallRecord[],
): EngineBridge {
  return {
    log(level, text) {
      logs.push({ level, message: redactPii(text), at: new Date(clock.now()).toISOString() });
    },
    async call(path, argsJson, callOptions): Promise<BridgeCallResult> {
      if (!api)
        return { ok: false, code: 'CAPABILITY_DENIED', message: `no host method "${path}" is granted` };
      let rows = 0;
      try {
        const value = await api.call(path, JSON.parse(argsJson), {
          signal: callOptions.signal,
          rowsRemaining: callOptions.rowsRemaining,
          onCall: (record) => {
            rows = record.rows;
            hostCalls.push(record);
          },
        });
        const json = JSON.stringify(value === undefined ? null : value);
        return { ok: true, json: typeof json === 'string' ? json : 'null', rows };
      } catch (error) {
        const e = isIntelGraphError(error)
          ? error
          : new IntelGraphError('INTERNAL', `host method ${path} failed`, { cause: error });
        return { ok: false, code: e.code, message: e.message, rows };
      }
    },
  };
}

/** The engine job of a checked request: code, input, granted methods and every limit. */
function jobOf(
  ctx: SandboxContext,
  checked: CheckedRequest,
  codeSha256: string,
  determinism: RunDeterminism,
): EngineJob {
  const { o } = ctx;
  const { req, facts, inputJson } = checked;
  const { budgets } = facts;
  return {
    code: req.code,
    codeSha256,
    filename: facts.filename,
    inputJson,
    methods: [...(req.api ?? EMPTY_API).methods],
    limits: {
      wallMs: budgets.wallMs,
      cpuMs: budgets.cpuMs,
      memoryMB: budgets.memoryMB,
      rows: budgets.rows,
      outputBytes: budgets.outputKB * 1024,
      logBytes: budgets.logKB * 1024,
      maxLogEntries: o.maxLogEntries ?? 1000,
      maxHostCalls: o.maxHostCalls ?? 1000,
      maxConcurrentCalls: o.maxConcurrentHostCalls ?? 32,
      maxValueBytes: (o.maxValueKB ?? 1024) * 1024,
    },
    seed: determinism.seed,
    clockOrigin: determinism.clockOrigin,
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** The engine's outcome as a value, or as a failure when it failed or its result carries dangerous keys. */
function settle(outcome: EngineOutcome): { value: unknown; failure: EngineOutcome['failure'] } {
  let value: unknown = null;
  let failure = outcome.failure;
  if (!failure && outcome.outputJson !== undefined) {
    value = JSON.parse(outcome.outputJson);
    const issues = findDangerousKeys(value, 64);
    if (issues.length > 0) {
      failure = {
        code: 'PLUGIN_ERROR',
        message: `the result is refused: ${issues[0]?.message} at ${issues[0]?.path.join('.')}`,
        details: { reason: issues[0]?.code ?? 'dangerous_key', path: issues[0]?.path.join('.') ?? '' },
      };
      value = null;
    }
  }
  return { value, failure };
}

/** Runs plugin code with budgets and the scoped API. Throws only for a malformed request. */
export async function runPlugin<T>(
  ctx: SandboxContext,
  request: SandboxRunRequest,
): Promise<SandboxResult<T>> {
  const { clock, state } = ctx;
  const checked = checkRequest(ctx, request);
  const { req, facts, inputSha256 } = checked;
  const { manifest, manifestSha256 } = facts;
  const api = req.api;
  const codeSha256 = codeDigest(ctx, req.code);
  const runId = req.runId ?? ctx.ids.next('run');
  const determinism: RunDeterminism = req.determinism ?? {
    seed: randomBytes(16).toString('hex'),
    clockOrigin: Math.floor(clock.now()),
  };
  const startedAt = new Date(clock.now()).toISOString();
  const hostCalls: HostCallRecord[] = [];
  const logs: LogEntry[] = [];
  const bridge = createBridge(clock, api, logs, hostCalls);
  const job = jobOf(ctx, checked, codeSha256, determinism);

  let outcome: EngineOutcome;
  if (state.closed) {
    outcome = {
      failure: { code: 'UNAVAILABLE', message: 'the sandbox is closed', details: {} },
      usage: { wallMs: 0, cpuMs: 0, heapBytes: 0, rows: 0, outputBytes: 0, logBytes: 0 },
    };
  } else {
    state.runs += 1;
    outcome = await ctx.executor.run(job, bridge, req.signal);
  }
  const logsTruncated = outcome.logsTruncated === true;

  const { value, failure } = settle(outcome);
  const usage: Usage = {
    wallMs: round(outcome.usage.wallMs),
    cpuMs: round(outcome.usage.cpuMs),
    heapBytes: outcome.usage.heapBytes,
    rows: outcome.usage.rows,
    outputBytes: outcome.usage.outputBytes,
    logBytes: outcome.usage.logBytes,
  };
  const outcomeCode: 'ok' | ErrorCode = failure ? failure.code : 'ok';
  const provenance: Provenance = {
    runId,
    plugin: {
      id: req.pluginId ?? manifest.name,
      version: manifest.version,
      manifestSha256,
      codeSha256,
    },
    grantedScopes: [...(api ?? EMPTY_API).grantedScopes],
    inputSha256,
    hostCalls,
    usage,
    outcome: outcomeCode,
    startedAt,
    endedAt: new Date(clock.now()).toISOString(),
    determinism: { ...determinism },
  };
  const report: RunReport = { logs, logsTruncated, usage, provenance };
  if (!failure) return { ok: true, value: value as T, ...report };
  const details: Record<string, unknown> = { ...failure.details };
  if (typeof details.stack === 'string') details.stack = redactPii(details.stack);
  const error = new IntelGraphError(failure.code, redactPii(failure.message), { details });
  return { ok: false, error, ...report };
}
