import {
  COMPATIBILITY_MODES,
  type CompatibilityMode,
  type GateEdge,
  type GateMode,
  type MigrationRule,
  type RegisteredSchema,
  type RegistrationResult,
} from '@intelgraph/contracts';
import { type Actor, parseInput, type VersionDeprecationRecord } from '@intelgraph/core';
import type { Span } from '@opentelemetry/api';
import { z } from 'zod';
import {
  DeprecateVersionInput,
  type MigrationRuleRequest,
  MigrationRuleRequestInput,
  migrateBatch,
} from '../contract-versions.js';
import { type EdgeResult, runEdge } from '../edges.js';
import { NameSchema } from '../inputs.js';
import { HOST_REVIEW_KINDS } from '../policies.js';
import { HOST_OWNED_KINDS, type HostKindPayload } from '../review-kinds.js';
import { inSpan, stringField } from '../tracing.js';
import type { HostViews } from '../views.js';
import { actorOf, type GovernedOutcome, governed, type HostContext } from './context.js';

/**
 * `host.contracts`: data contracts shared by every org. Reads and the edges (ingest, export, test) are
 * open to every actor; changes need `contracts.change` (in a platform org when the host names them).
 *
 * @example
 * ```ts
 * await host.contracts.register(steward, { subject: 'person', format: 'json', schema });
 * const r = await host.contracts.ingest(analyst, 'person', [{ id: 'p-1', name: 'Ada' }]);
 * console.log(r.status, r.accepted, r.rejected);
 * ```
 */
export interface ContractsApi {
  /** Registers the next version of a subject (`contracts.change`). */
  register(
    actor: Actor,
    input: { subject: string; format: 'json' | 'avro'; schema: unknown; compatibility?: CompatibilityMode },
  ): Promise<RegistrationResult>;
  /** Checks records against a contract without writing anything (the contract test runner). */
  test(actor: Actor, input: { subject: string; version?: number; records: unknown[] }): Promise<EdgeResult>;
  /**
   * Ingest under the subject's contract: a failing batch is rejected whole, with patches suggested. With
   * `version`, the batch is written under that version and migrated up to the current one before the gate.
   */
  ingest(
    actor: Actor,
    subject: string,
    batch: unknown[],
    options?: { version?: number },
  ): Promise<EdgeResult>;
  /**
   * Export under the subject's contract; exports over the policy threshold wait for approval. With
   * `version`, the checked batch is delivered migrated down to that version (a path must exist).
   */
  export(
    actor: Actor,
    subject: string,
    batch: unknown[],
    options?: { destination?: string; reason?: string; version?: number },
  ): Promise<EdgeResult>;
  /** Changes a contract's enforcement mode on an edge, through governance (`contracts.change`). */
  setEnforcement(
    actor: Actor,
    input: { subject: string; edge: GateEdge; mode: GateMode; reason: string },
  ): Promise<GovernedOutcome>;
  /**
   * Registers or replaces a migration rule between two adjacent versions, through governance
   * (`contracts.change`; every rule counts as relaxing). Its contract test runs over the golden samples
   * now (a failing rule opens no review: `SCHEMA_INCOMPATIBLE`) and again when the approved rule is
   * applied, exactly once.
   */
  registerMigrationRule(actor: Actor, input: MigrationRuleRequest): Promise<GovernedOutcome>;
  /**
   * Deprecates a contract version until the end of a window (`until: null` lifts it;
   * `contracts.change`). Past the window the version stops negotiating. Audited.
   */
  deprecateVersion(
    actor: Actor,
    input: { subject: string; version: number; until: string | null; reason: string },
  ): Promise<void>;
  /** Contract subjects with versions, compatibility mode and enforcement per edge. */
  list(actor: Actor): ReturnType<HostViews['contractViews']>;
  /** A typed change list between two versions of a subject, with compatibility issues. */
  diff(
    actor: Actor,
    input: { subject: string; from: number; to: number },
  ): ReturnType<HostViews['contractDiff']>;
  /** Applies a mapping patch to a record and re-validates it (one call). */
  applyPatch(
    actor: Actor,
    input: { subject: string; version?: number; record: unknown; patch: unknown[] },
  ): ReturnType<HostViews['applyPatch']>;
  /** A version of a subject, or its latest live one (`NOT_FOUND` when there is none). */
  schema(actor: Actor, subject: string, version?: number): Promise<RegisteredSchema>;
  /** The live versions of a subject, oldest first. */
  versions(actor: Actor, subject: string): Promise<RegisteredSchema[]>;
  /** The migration rules of a subject. */
  migrationRules(actor: Actor, subject: string): Promise<MigrationRule[]>;
  /** The deprecation windows of a subject's versions. */
  deprecations(actor: Actor, subject: string): Promise<VersionDeprecationRecord[]>;
  /**
   * Where a negotiated version stands: the subject's current version (null when it has none), the end
   * of the version's deprecation window, and whether that end is within `windowClosingDays` (default 30).
   */
  versionStatus(
    actor: Actor,
    input: { subject: string; version: number; windowClosingDays?: number },
  ): Promise<{ currentVersion: number | null; deprecatedUntil: string | null; windowClosing: boolean }>;
}

const EnforcementInput = z
  .object({
    subject: NameSchema,
    edge: z.enum(['ingest', 'export']),
    mode: z.enum(['enforce', 'warn', 'off']),
    reason: z.string().min(1).max(2000),
  })
  .strict();

const RegisterInput = z
  .object({
    subject: NameSchema,
    format: z.enum(['json', 'avro']),
    schema: z.unknown(),
    compatibility: z.enum(COMPATIBILITY_MODES).optional(),
  })
  .strict();

const VersionSchema = z.number().int().min(1);
const VersionStatusInput = z
  .object({
    subject: NameSchema,
    version: VersionSchema,
    windowClosingDays: z.number().min(0).max(3650).optional(),
  })
  .strict();

function edgeAttributes(actor: unknown, subject: unknown) {
  const org = stringField(actor, 'orgId');
  return {
    ...(org === undefined ? {} : { 'intelgraph.org': org }),
    ...(typeof subject === 'string' ? { 'intelgraph.contract.subject': subject.slice(0, 200) } : {}),
  };
}

function edgeOutcome<R extends { status: string }>(span: Span, r: R): R {
  if (span.isRecording()) span.setAttribute('intelgraph.edge.status', r.status);
  return r;
}

const subjectOf = (raw: unknown): string => parseInput(NameSchema, raw, 'subject');

/** The edges: ingest, export and the dry-run contract test. */
function edges(ctx: HostContext): Pick<ContractsApi, 'test' | 'ingest' | 'export'> {
  const versionDeps = { versioning: ctx.versioning, migrations: ctx.migrations, finops: ctx.finops };
  return {
    test: async (actor, input) =>
      runEdge(ctx.edges, actorOf(actor), {
        edge: 'ingest',
        subject: input.subject,
        version: input.version,
        records: input.records,
        dryRun: true,
      }),
    ingest: async (actor, subject, batch, opts = {}) =>
      inSpan(
        ctx.tracer,
        'intelgraph.edge.ingest',
        () => edgeAttributes(actor, subject),
        async (span) => {
          const who = actorOf(actor);
          // Written under an older (or newer) version: migrated up to the current one before the gate.
          const records =
            opts.version === undefined
              ? batch
              : (
                  await migrateBatch(versionDeps, subjectOf(subject), batch, {
                    from: opts.version,
                    to: 'current',
                  })
                ).records;
          return edgeOutcome(span, await runEdge(ctx.edges, who, { edge: 'ingest', subject, records }));
        },
      ),
    export: async (actor, subject, batch, opts = {}) =>
      inSpan(
        ctx.tracer,
        'intelgraph.edge.export',
        () => edgeAttributes(actor, subject),
        async (span) => {
          const to = opts.version;
          const r = await runEdge(ctx.edges, actorOf(actor), {
            edge: 'export',
            subject,
            records: batch,
            destination: opts.destination ?? null,
            reason: opts.reason,
            // Refused before any review when no path leads down to the asked version.
            ...(to === undefined
              ? {}
              : {
                  deliver: {
                    version: to,
                    check: () =>
                      ctx.versioning
                        .current(subjectOf(subject))
                        .then((c) => ctx.migrations.path(subject, c, to)),
                  },
                }),
          });
          return edgeOutcome(span, r);
        },
      ),
  };
}

/** The governed and direct changes; each needs `contracts.change`. */
function changes(
  ctx: HostContext,
): Pick<ContractsApi, 'register' | 'setEnforcement' | 'registerMigrationRule' | 'deprecateVersion'> {
  const { authorizer, governance, owner, migrations } = ctx;
  const steward = (raw: unknown, what: string): Actor => {
    const actor = actorOf(raw);
    authorizer.require(actor, 'contracts.change', what);
    return actor;
  };
  return {
    register: async (actorInput, raw) => {
      steward(actorInput, 'registering a contract');
      const input = parseInput(RegisterInput, raw, 'contract');
      const r = await ctx.schemas.register(input.subject, { format: input.format, schema: input.schema });
      ctx.finops.meters.guard.register('subject', input.subject);
      if (input.compatibility) await ctx.schemas.setCompatibility(input.compatibility, input.subject);
      ctx.gates.refresh(input.subject);
      ctx.versioning.refresh(input.subject);
      return r;
    },
    setEnforcement: async (actorInput, raw) => {
      const actor = steward(actorInput, 'changing contract enforcement');
      const input = parseInput(EnforcementInput, raw, 'enforcement');
      const payload: HostKindPayload<'contractEnforcement'> = {
        subject: input.subject,
        edge: input.edge,
        mode: input.mode,
      };
      const task = await governance.request(
        actor,
        { kind: HOST_REVIEW_KINDS.contractEnforcement, reason: input.reason, payload },
        { owner },
      );
      return governed(task);
    },
    registerMigrationRule: async (actorInput, raw) => {
      const actor = steward(actorInput, 'registering a migration rule');
      const input = parseInput(MigrationRuleRequestInput, raw, 'migration rule');
      const rule = {
        from: input.from,
        to: input.to,
        // Parsed in full (JSON Patch) by the contract test below, before anything is requested.
        operations: input.operations as MigrationRuleRequest['operations'],
        ...(input.description === undefined ? {} : { description: input.description }),
      };
      // A rule that fails its contract test opens no review.
      await migrations.test(input.subject, rule, { samples: input.samples });
      const payload = parseInput(
        HOST_OWNED_KINDS.contractMigrationRule.payload,
        { ...rule, subject: input.subject, description: input.description ?? null, samples: input.samples },
        'migration rule',
      );
      const task = await governance.request(
        actor,
        { kind: HOST_REVIEW_KINDS.contractMigrationRule, reason: input.reason, payload },
        { owner },
      );
      return governed(task);
    },
    deprecateVersion: async (actorInput, raw) => {
      const actor = steward(actorInput, 'deprecating a contract version');
      const input = parseInput(DeprecateVersionInput, raw, 'deprecation');
      await migrations.deprecate(input.subject, input.version, input.until);
      await ctx.audit.record({
        type: 'contract.version.deprecated',
        actor: { userId: actor.userId, orgId: actor.orgId },
        subject: `contract:${input.subject}`,
        orgId: actor.orgId,
        data: { subject: input.subject, version: input.version, until: input.until, reason: input.reason },
      });
    },
  };
}

/** Creates `host.contracts` over the host's context. */
export function createContractsApi(ctx: HostContext): ContractsApi {
  const { views, schemas, migrations } = ctx;
  const deprecatedUntil = async (subject: string, version: number) =>
    (await migrations.deprecations(subject)).find((d) => d.version === version)?.until ?? null;
  return {
    ...edges(ctx),
    ...changes(ctx),
    list: async (actor) => views.contractViews(actorOf(actor)),
    diff: async (actor, input) => views.contractDiff(actorOf(actor), input),
    applyPatch: async (actor, input) => views.applyPatch(actorOf(actor), input),
    schema: async (actor, subject, version) => {
      actorOf(actor);
      return version === undefined
        ? schemas.getLatest(subjectOf(subject))
        : schemas.getVersion(subjectOf(subject), parseInput(VersionSchema, version, 'version'));
    },
    versions: async (actor, subject) => {
      actorOf(actor);
      return schemas.listVersions(subjectOf(subject));
    },
    migrationRules: async (actor, subject) => {
      actorOf(actor);
      return migrations.list(subjectOf(subject));
    },
    deprecations: async (actor, subject) => {
      actorOf(actor);
      return migrations.deprecations(subjectOf(subject));
    },
    versionStatus: async (actor, raw) => {
      actorOf(actor);
      const input = parseInput(VersionStatusInput, raw, 'version status');
      const [currentVersion, until] = await Promise.all([
        schemas.getLatest(input.subject).then(
          (r) => r.version,
          () => null,
        ),
        deprecatedUntil(input.subject, input.version),
      ]);
      const closingMs = (input.windowClosingDays ?? 30) * 86_400_000;
      return {
        currentVersion,
        deprecatedUntil: until,
        windowClosing: until !== null && Date.parse(until) - ctx.clock.now() <= closingMs,
      };
    },
  };
}
