import { type HostApi, type ScopedHostApi, scopeHostApi } from '@intelgraph/capabilities';
import { type DecisionSummary, decisionSummary } from '@intelgraph/contracts';
import {
  type Actor,
  type AuditTrail,
  type Cost,
  type ErrorCode,
  findDangerousKeys,
  type IdSource,
  IntelGraphError,
  type JsonValue,
  type PluginManifest,
  type Provenance,
  type ReplayStore,
  toIntelGraphError,
  type Usage,
} from '@intelgraph/core';
import type { FinOps } from '@intelgraph/finops';
import type { InstalledPlugin, Marketplace } from '@intelgraph/marketplace';
import type { LogEntry, Sandbox } from '@intelgraph/sandbox';
import { context, type Tracer, trace } from '@opentelemetry/api';
import type { ContractGates } from './contract-gates.js';
import type { ContractMigrationTrace, RunContractVersions } from './contract-versions.js';
import { createRunRecorder, type ReplayPolicy, sandboxAnswer } from './replay-recorder.js';
import type { RunGuards } from './run-guard.js';
import {
  failSpanWithCode,
  type HostLogger,
  inSpan,
  logBackgroundFailure,
  traceHostCalls,
} from './tracing.js';

/** The budgets a run was held to, as resolved from the manifest (for "usage against budget" views). */
export interface RunBudgets {
  wallMs?: number;
  cpuMs?: number;
  memoryMB?: number;
  rows?: number;
  outputKB?: number;
}

/** Why a run did not produce a value: a stable code, a message and structured details. */
export interface PluginRunError {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
}

/** What every run result carries, whatever its outcome. */
interface PluginRunFacts {
  logs: LogEntry[];
  usage: Usage | null;
  budgets: RunBudgets | null;
  cost: Cost | null;
  /**
   * Present once the plugin was resolved (every run that got past the kill switch and installation).
   * `contractVersions` names the migrations made on each edge (both versions and the rules applied).
   */
  provenance:
    | (Provenance & {
        entities: string[];
        contractVersions?: { input?: ContractMigrationTrace; output?: ContractMigrationTrace };
      })
    | null;
}

/**
 * The result of {@link ExtensionHost.runPlugin}: never thrown for a denial, so provenance always
 * travels. A union on `ok`, generic over the plugin's output type, so it narrows like `SandboxResult`:
 *
 * @example
 * ```ts
 * const r = await host.plugins.run<{ id: string }[]>(analyst, 'sample-enricher', { q: 'acme' });
 * if (!r.ok) console.error(r.error.code); // narrowed: error is defined
 * else console.log(r.value.length); // narrowed: value is { id: string }[]
 * ```
 */
export type PluginRunResult<T = unknown> =
  | (PluginRunFacts & { ok: true; value: T; error?: undefined })
  | (PluginRunFacts & { ok: false; value?: undefined; error: PluginRunError });

/** What the run path needs; wired by createExtensionHost. */
export interface PluginRunDeps {
  marketplace: Marketplace;
  finops: FinOps;
  sandbox: Sandbox;
  gates: ContractGates;
  hostApi: HostApi;
  audit: AuditTrail;
  ids: IdSource;
  /** Re-checks kill switches, the installation and its grants on each host call; ends stopped runs. */
  guards: RunGuards;
  /** Spans of the run (`intelgraph.plugin.run` and one child per step); a no-op tracer costs nothing. */
  tracer: Tracer;
  /** Where failures no caller sees go (a settle retry that failed). */
  logger?: HostLogger;
  /** Migrates records between the subject's current version and the negotiated one (absent: never). */
  versions?: RunContractVersions;
  /** Records runs the replay policy names (see `host.plugins.replay`); absent: nothing is recorded. */
  replay?: { policy: ReplayPolicy; store: ReplayStore; now: () => number };
}

function budgetsOf(manifest: PluginManifest): RunBudgets {
  const b = manifest.budgets;
  return {
    ...(b.ms === undefined ? {} : { wallMs: b.ms }),
    ...(b.cpuMs === undefined ? {} : { cpuMs: b.cpuMs }),
    ...(b.memoryMB === undefined ? {} : { memoryMB: b.memoryMB }),
    ...(b.rows === undefined ? {} : { rows: b.rows }),
    ...(b.outputKB === undefined ? {} : { outputKB: b.outputKB }),
  };
}

function denial(error: unknown): PluginRunResult<never> {
  const e = toIntelGraphError(error);
  return {
    ok: false,
    error: e.toJSON(),
    logs: [],
    usage: null,
    budgets: null,
    cost: null,
    provenance: null,
  };
}

/**
 * The hot path, one straight line: kill switch → installation → quota reservation →
 * input contract → scoped API → sandbox → output contract → settle and bill → audit.
 * Denials before the sandbox (kill switch, not installed, quota) come back as `ok: false` without usage;
 * from the sandbox on, every result carries usage, cost and provenance.
 */
export async function runPlugin<T = unknown>(
  deps: PluginRunDeps,
  actor: Actor,
  pluginId: string,
  input: unknown,
): Promise<PluginRunResult<T>> {
  const runId = deps.ids.next('run');
  return inSpan(
    deps.tracer,
    'intelgraph.plugin.run',
    () => ({ 'intelgraph.org': actor.orgId, 'intelgraph.plugin': pluginId, 'intelgraph.run.id': runId }),
    async (span) => {
      const result = await runSteps<T>(deps, actor, pluginId, input, runId);
      if (span.isRecording()) {
        span.setAttribute('intelgraph.run.outcome', result.ok ? 'ok' : result.error.code);
        if (!result.ok) failSpanWithCode(span, result.error.code);
      }
      return result;
    },
  );
}

/** The contract decisions and version migrations of one run (they join its audit event). */
interface RunContractsTrace {
  decisions: { input?: DecisionSummary; output?: DecisionSummary };
  migrated: { input?: ContractMigrationTrace; output?: ContractMigrationTrace };
}

/** Refuses hostile shapes, then checks the input contract (migrated to the negotiated version first). */
async function checkInput(
  deps: PluginRunDeps,
  actor: Actor,
  installed: InstalledPlugin,
  input: unknown,
  seen: RunContractsTrace,
): Promise<unknown> {
  const hostile = findDangerousKeys(input);
  if (hostile.length > 0) {
    throw new IntelGraphError('INVALID_INPUT', `invalid plugin input: ${hostile[0]?.message}`, {
      details: { issues: hostile },
    });
  }
  const inputSchema = installed.manifest.inputSchema;
  if (!inputSchema) return input;
  const { gates, versions } = deps;
  return inSpan(deps.tracer, 'intelgraph.contract.input', undefined, async () => {
    // Migrated from the current version to the negotiated one first (nothing read when equal).
    const served = versions
      ? await versions.edge(installed.installation.contracts, 'input', input)
      : { value: input, version: undefined, trace: null };
    if (served.trace) seen.migrated.input = served.trace;
    const ref =
      served.version === undefined ? inputSchema : { subject: inputSchema.subject, version: served.version };
    const decision = await gates.check('ingest', ref, [served.value], actor, { audit: 'caller' });
    seen.decisions.input = decisionSummary(decision);
    if (!decision.ok) throw gates.violation(decision, 'input');
    return decision.values[0];
  });
}

/**
 * The sandbox run under its span. The sandbox enforces the budgets and returns usage and provenance
 * either way; host calls are answered host-side, so their spans hang under this one in both isolation
 * modes.
 */
async function sandboxRun(
  deps: PluginRunDeps,
  run: {
    code: string;
    manifest: PluginManifest;
    input: unknown;
    api: ScopedHostApi;
    recorder: ReturnType<typeof createRunRecorder> | undefined | null | false;
    pluginId: string;
    runId: string;
    signal: AbortSignal;
  },
): Promise<Awaited<ReturnType<Sandbox['run']>>> {
  const { tracer } = deps;
  return inSpan(tracer, 'intelgraph.sandbox.run', undefined, async (span) => {
    const traced = traceHostCalls(run.api, tracer, trace.setSpan(context.active(), span));
    const r = await deps.sandbox.run({
      code: run.code,
      manifest: run.manifest,
      input: run.input,
      api: run.recorder ? run.recorder.wrap(traced) : traced,
      pluginId: run.pluginId,
      runId: run.runId,
      signal: run.signal,
    });
    if (span.isRecording()) {
      span.setAttributes({
        'intelgraph.sandbox.outcome': r.ok ? 'ok' : r.error.code,
        'intelgraph.sandbox.wall_ms': r.usage.wallMs,
        'intelgraph.sandbox.cpu_ms': r.usage.cpuMs,
        'intelgraph.sandbox.rows': r.usage.rows,
        'intelgraph.sandbox.host_calls': r.provenance.hostCalls.length,
      });
      if (!r.ok) failSpanWithCode(span, r.error.code);
    }
    return r;
  });
}

/** Checks the output contract at the negotiated version, then migrates the value back to the current one. */
async function checkOutput(
  deps: PluginRunDeps,
  actor: Actor,
  installation: InstalledPlugin['installation'],
  outputSchema: NonNullable<PluginManifest['outputSchema']>,
  output: unknown,
  seen: RunContractsTrace,
): Promise<{ value: unknown; error?: PluginRunError }> {
  const { gates, versions } = deps;
  return inSpan(deps.tracer, 'intelgraph.contract.output', undefined, async (span) => {
    const negotiated = installation.contracts?.find((c) => c.edge === 'output');
    const ref = negotiated ? { subject: outputSchema.subject, version: negotiated.version } : outputSchema;
    const decision = await gates.check('export', ref, [output], actor, { audit: 'caller' });
    seen.decisions.output = decisionSummary(decision);
    if (!decision.ok) {
      const error = gates.violation(decision, 'output').toJSON();
      failSpanWithCode(span, error.code);
      return { value: undefined, error };
    }
    if (!versions) return { value: decision.values[0] };
    const back = await versions.edge(installation.contracts, 'output', decision.values[0]);
    if (back.trace) seen.migrated.output = back.trace;
    return { value: back.value };
  });
}

/** Appends the run's `plugin.run` event: outcome, digests, usage, cost and the contract decisions. */
async function auditRun(
  deps: PluginRunDeps,
  actor: Actor,
  installed: InstalledPlugin,
  run: {
    runId: string;
    outcome: string;
    replayable: boolean | null;
    result: PluginRunResult<unknown>;
    seen: RunContractsTrace;
  },
): Promise<void> {
  const { result, seen } = run;
  const { decisions, migrated } = seen;
  const org = actor.orgId;
  const pluginId = installed.installation.pluginId;
  const event = (withFailures: boolean) => ({
    type: 'plugin.run',
    actor: { userId: actor.userId, orgId: org },
    subject: `plugin:${pluginId}`,
    orgId: org,
    data: {
      runId: run.runId,
      version: installed.manifest.version,
      outcome: run.outcome,
      codeSha256: installed.codeSha256,
      inputSha256: result.provenance?.inputSha256 ?? null,
      scopes: installed.installation.grants,
      hostCalls: result.provenance?.hostCalls.length ?? 0,
      ...(run.replayable === null ? {} : { replayable: run.replayable }),
      usage: result.usage ? { ...result.usage } : null,
      cost: result.cost ? result.cost.amount : null,
      currency: result.cost ? result.cost.currency : null,
      ...(decisions.input ? { inputContract: summary(decisions.input, withFailures) } : {}),
      ...(decisions.output ? { outputContract: summary(decisions.output, withFailures) } : {}),
      ...(migrated.input || migrated.output
        ? { contractVersions: JSON.parse(JSON.stringify(migrated)) as JsonValue }
        : {}),
    },
  });
  await inSpan(deps.tracer, 'intelgraph.audit.append', undefined, async () => {
    try {
      await deps.audit.record(event(true));
    } catch (err) {
      // Plugin-controlled output can make the failures list huge (many long keys): the run is recorded
      // anyway, with the decisions' counts only, rather than leaving a settled, billed run unaudited.
      if (toIntelGraphError(err).code !== 'PAYLOAD_TOO_LARGE') throw err;
      await deps.audit.record(event(false));
    }
  });
}

/**
 * Steps 1 to 3 of a run: the kill switch, the pinned installation and its verified code, then one
 * atomic quota reservation. A refusal is audited and returned as `denied`.
 */
async function admit(
  deps: PluginRunDeps,
  actor: Actor,
  pluginId: string,
  runId: string,
): Promise<
  | { installed: InstalledPlugin; ticket: Awaited<ReturnType<FinOps['beginRun']>> }
  | { denied: PluginRunResult<never> }
> {
  const { marketplace, finops, audit, tracer } = deps;
  const org = actor.orgId;
  // 1. Kill switch first: a killed plugin costs no database round trip (and `beginRun` is told it was
  //    checked, so it is asked once per run).
  // 2. The pinned installation, its verified code and the scopes it holds.
  let installed: InstalledPlugin;
  try {
    installed = await inSpan(tracer, 'intelgraph.plugin.admit', undefined, async () => {
      await finops.killSwitch.check({ org, plugin: pluginId });
      return marketplace.installation(org, pluginId);
    });
    // Metric labels take only registered values (a bounded set): plugins installed in an org, and the org.
    finops.meters.guard.register('plugin', pluginId);
    finops.meters.guard.register('org', org);
  } catch (err) {
    return { denied: await auditDenial(audit, tracer, actor, pluginId, runId, denial(err)) };
  }
  const { manifest } = installed;

  // 3. One atomic reservation against the org's and plugin's quotas (estimate from recent history).
  let ticket: Awaited<ReturnType<FinOps['beginRun']>>;
  try {
    ticket = await inSpan(tracer, 'intelgraph.quota.reserve', undefined, () =>
      finops.beginRun({ org, plugin: pluginId, runId, killSwitchChecked: true }),
    );
  } catch (err) {
    return {
      denied: await auditDenial(audit, tracer, actor, pluginId, runId, {
        ...denial(err),
        budgets: budgetsOf(manifest),
      }),
    };
  }
  return { installed, ticket };
}

async function runSteps<T>(
  deps: PluginRunDeps,
  actor: Actor,
  pluginId: string,
  input: unknown,
  runId: string,
): Promise<PluginRunResult<T>> {
  const { finops, hostApi, tracer, guards } = deps;
  const org = actor.orgId;
  // Read before the first checks: a change after this point makes the run's first host call re-check.
  const generation = guards.generation();

  const admitted = await admit(deps, actor, pluginId, runId);
  if ('denied' in admitted) return admitted.denied;
  const { installed, ticket } = admitted;
  const { manifest, code, installation } = installed;

  const entities = new Set<string>();
  // The contract decisions join the run's own audit event (one event per run, not three).
  const seen: RunContractsTrace = { decisions: {}, migrated: {} };
  const { migrated } = seen;
  let outcome = 'ok';
  // What the run used once the sandbox has answered (a failed settle is retried with it, not with 0).
  let used = { wallMs: 0, cpuMs: 0, rows: 0 };
  let result: PluginRunResult<T>;
  let replayable: boolean | null = null;
  const guard = guards.begin({ org, plugin: pluginId, scopes: installation.grants, generation });
  try {
    // 4. Hostile shapes first (prototype keys, nesting deeper than the sandbox takes), then the input
    //    contract when the manifest names one.
    const checkedInput = await checkInput(deps, actor, installed, input, seen);

    // 5. Only the granted methods exist; every call is recorded for provenance. Each call first
    //    re-checks (cheaply) that the kill switches, the installation and its grants still hold.
    const scoped = scopeHostApi(hostApi, installation.grants, {
      context: { actor, orgId: org, pluginId, runId, touch: (id: string) => entities.add(id) },
      signal: guard.signal,
      beforeCall: () => guard.check(),
    });

    // 6. The sandbox enforces the budgets and returns usage and provenance either way. When the guard
    //    stops the run (kill switch, uninstall, revocation), its host calls are refused from that
    //    moment, the isolate (or its worker) is stopped through the signal, and its result is
    //    withheld below.
    const recorder = deps.replay && createRunRecorder(deps.replay.policy, org, pluginId);
    const run = await sandboxRun(deps, {
      code,
      manifest,
      input: checkedInput,
      api: scoped,
      recorder,
      pluginId,
      runId,
      signal: guard.signal,
    });
    // Recorded for replay when the policy says so; over the size cap it is kept as not replayable,
    // and a store failure never fails the run (the audit event says whether it was recorded).
    if (recorder && deps.replay)
      replayable = await saveRecording(deps.replay.store, recorder, run, deps.replay.now(), {
        runId,
        org,
        pluginId,
        code,
        manifest,
        input: checkedInput,
      });
    used = { wallMs: run.usage.wallMs, cpuMs: run.usage.cpuMs, rows: run.usage.rows };
    let value = run.ok ? run.value : undefined;
    let error: PluginRunError | undefined = run.ok ? undefined : run.error.toJSON();
    // A run stopped while it ran (or whose installation no longer holds) gives no value.
    const stopped = await guard.settle();
    if (stopped) {
      error = stopped.toJSON();
      value = undefined;
    }

    // 7. The output contract.
    if (error === undefined && manifest.outputSchema) {
      const out = await checkOutput(deps, actor, installation, manifest.outputSchema, value, seen);
      value = out.value;
      error = out.error;
    }
    outcome = error ? error.code : 'ok';
    for (const call of run.provenance.hostCalls) {
      if (!call.ok && call.error === 'CAPABILITY_DENIED')
        finops.meters.recordBlockedCapability({ plugin: pluginId, scope: call.scope });
    }

    // 8. Settle the reservation with what was really used, price it, meter it, append the billing event.
    const settled = await inSpan(tracer, 'intelgraph.finops.settle', undefined, () =>
      finops.settleRun(ticket, { outcome, usage: run.usage }),
    );
    const provenance = {
      ...run.provenance,
      outcome: error ? (error.code as Provenance['outcome']) : 'ok',
      entities: [...entities].sort(),
      ...(migrated.input || migrated.output ? { contractVersions: { ...migrated } } : {}),
    };
    const facts = {
      logs: run.logs,
      usage: run.usage,
      budgets: budgetsOf(manifest),
      cost: settled.cost,
      provenance,
    };
    // The plugin's output is not checked against T (a caller-side assertion, like a JSON response's).
    result = error === undefined ? { ok: true, value: value as T, ...facts } : { ok: false, error, ...facts };
  } catch (err) {
    // Anything unexpected still settles the reservation, so quotas stay exact.
    const e = toIntelGraphError(err);
    outcome = e.code;
    await inSpan(tracer, 'intelgraph.finops.settle', undefined, () =>
      finops.settleRun(ticket, { outcome, usage: used }),
    ).catch((settleError: unknown) =>
      logBackgroundFailure(deps.logger, 'settling a failed run failed', settleError, {
        runId,
        plugin: pluginId,
      }),
    );
    result = { ...denial(e), budgets: budgetsOf(manifest) };
  } finally {
    guard.end();
  }

  // 9. The run's provenance joins the audit chain.
  await auditRun(deps, actor, installed, { runId, outcome, replayable, result, seen });
  return result;
}

async function saveRecording(
  store: ReplayStore,
  recorder: NonNullable<ReturnType<typeof createRunRecorder>>,
  run: Awaited<ReturnType<Sandbox['run']>>,
  now: number,
  facts: {
    runId: string;
    org: string;
    pluginId: string;
    code: string;
    manifest: PluginManifest;
    input: unknown;
  },
): Promise<boolean> {
  const { provenance } = run;
  if (!provenance.determinism) return false;
  try {
    const recording = recorder.finish({
      runId: facts.runId,
      orgId: facts.org,
      pluginId: facts.pluginId,
      version: facts.manifest.version,
      codeSha256: provenance.plugin.codeSha256,
      code: facts.code,
      manifest: facts.manifest,
      input: facts.input,
      inputSha256: provenance.inputSha256,
      determinism: provenance.determinism,
      output: sandboxAnswer(run),
      now,
    });
    await store.save(recording);
    return recording.replayable;
  } catch {
    return false;
  }
}

function summary(
  decision: DecisionSummary,
  withFailures: boolean,
): DecisionSummary | (Omit<DecisionSummary, 'failures'> & { failuresOmitted: true }) {
  if (withFailures) return decision;
  const { failures: _omitted, ...rest } = decision;
  return { ...rest, failuresOmitted: true };
}

async function auditDenial(
  audit: AuditTrail,
  tracer: Tracer,
  actor: Actor,
  pluginId: string,
  runId: string,
  result: PluginRunResult<never>,
): Promise<PluginRunResult<never>> {
  await inSpan(tracer, 'intelgraph.audit.append', undefined, () =>
    audit.record({
      type: 'plugin.run.denied',
      actor: { userId: actor.userId, orgId: actor.orgId },
      subject: `plugin:${pluginId}`,
      orgId: actor.orgId,
      data: { runId, code: result.error?.code ?? null, message: result.error?.message ?? null },
    }),
  );
  return result;
}
