import {
  type Clock,
  type CompatibilityMode,
  IntelGraphError,
  isIntelGraphError,
  parseInput,
  type SchemaFormat,
  type SchemaRegistryStore,
  type SchemaVersionRecord,
  systemClock,
} from '@intelgraph/core';
import { z } from 'zod';
import type { ContractAuditHook } from './audit-hook.js';
import {
  CompatibilityModeSchema,
  type CompatibilityResult,
  checkCompatibilityWithHistory,
} from './compatibility.js';
import { type CompiledContract, type ContractCache, createContractCache } from './compiled-contract.js';
import { FormatSchema } from './diff.js';
import type { ContractResult } from './issue.js';
import { CONTRACT_LIMITS } from './limits.js';
import { createMemorySchemaStore } from './memory-store.js';

/** A registered schema version (the store's record). */
export type RegisteredSchema = SchemaVersionRecord;

/** A registered version together with its compiled validator. */
export interface ResolvedContract {
  subject: string;
  version: number;
  format: SchemaFormat;
  fingerprint: string;
  compiled: CompiledContract;
}

/**
 * What {@link SchemaRegistry.register} returns: the version, whether it is new, and the schema's warnings
 * (strict-mode findings that do not refuse it, such as unknown keywords; also on
 * `resolve(...).compiled.warnings`).
 */
export type RegistrationResult = RegisteredSchema & { created: boolean; warnings: readonly string[] };

/** What {@link SchemaRegistry.register} takes. */
export interface SchemaDefinition {
  format: SchemaFormat;
  schema: unknown;
}

/** The schema registry: subjects with versions, compatibility modes and compiled validators. */
export interface SchemaRegistry {
  /**
   * Registers `schema` as the next version of `subject`, after checking it against the subject's mode.
   * Registering a schema identical to a live version returns that version (`created: false`).
   * Throws `SCHEMA_INCOMPATIBLE` listing every issue, or `INVALID_INPUT` for a bad schema.
   */
  register(subject: string, definition: SchemaDefinition): Promise<RegistrationResult>;
  /** The latest live version; `NOT_FOUND` when the subject has none. */
  getLatest(subject: string): Promise<RegisteredSchema>;
  /** A version; `NOT_FOUND` when it does not exist or was deleted (unless `includeDeleted`). */
  getVersion(
    subject: string,
    version: number,
    options?: { includeDeleted?: boolean },
  ): Promise<RegisteredSchema>;
  /** Subjects with at least one live version, sorted. */
  listSubjects(): Promise<string[]>;
  /** The versions of a subject, ascending. */
  listVersions(subject: string, options?: { includeDeleted?: boolean }): Promise<RegisteredSchema[]>;
  /** Soft-deletes a version; its number is never reused. `NOT_FOUND` when it is not live. */
  deleteVersion(subject: string, version: number): Promise<RegisteredSchema>;
  /** The mode in force for a subject: its own, else the registry's, else the default (BACKWARD). */
  getCompatibility(subject?: string): Promise<CompatibilityMode>;
  /** Sets a subject's mode, or the registry-wide mode when `subject` is omitted; `null` clears it. */
  setCompatibility(mode: CompatibilityMode | null, subject?: string): Promise<void>;
  /** Checks a candidate against a subject without registering it. */
  testCompatibility(subject: string, definition: SchemaDefinition): Promise<CompatibilityResult>;
  /** The compiled contract of a version (latest live when omitted); compiled once per fingerprint. */
  resolve(subject: string, version?: number): Promise<ResolvedContract>;
  /** Validates one payload against a version (latest live when omitted). */
  validate(
    subject: string,
    payload: unknown,
    options?: { version?: number },
  ): Promise<ContractResult<unknown>>;
}

/** Options of {@link createSchemaRegistry}. */
export interface SchemaRegistryOptions {
  /** Where versions live; in memory when omitted. */
  store?: SchemaRegistryStore;
  clock?: Clock;
  /** The mode used when neither the subject nor the registry has one. Default BACKWARD. */
  defaultCompatibility?: CompatibilityMode;
  /** Receives `contract.schema.registered`, `contract.schema.deleted` and `contract.compatibility.set`. */
  audit?: ContractAuditHook;
  /** Compiled-validator cache; a private one when omitted. */
  cache?: ContractCache;
}

/** Subject names: letters, digits and `. _ - :`, up to 200 characters. */
export const SubjectSchema = z
  .string()
  .min(1)
  .max(CONTRACT_LIMITS.maxSubjectLength)
  .regex(
    /^[A-Za-z0-9][\w.:-]*$/u,
    'a subject is letters, digits and . _ - : and starts with a letter or digit',
  );
const VersionSchema = z.number().int().min(1).max(2_147_483_647);
const DefinitionSchema = z.object({ format: FormatSchema, schema: z.unknown() });

const MAX_APPEND_ATTEMPTS = 20;

/**
 * Creates a schema registry over a store (in memory by default).
 *
 * @example
 * ```ts
 * import { createSchemaRegistry } from '@intelgraph/contracts';
 * const registry = createSchemaRegistry();
 * await registry.register('person', { format: 'json', schema: { type: 'object', required: ['id'] } });
 * const latest = await registry.getLatest('person'); // { version: 1, … }
 * await registry.validate('person', { id: 'p1' }); // { ok: true, value: { id: 'p1' } }
 * ```
 */
export function createSchemaRegistry(options: SchemaRegistryOptions = {}): SchemaRegistry {
  const store = options.store ?? createMemorySchemaStore();
  const clock = options.clock ?? systemClock;
  const cache = options.cache ?? createContractCache();
  const fallbackMode = parseInput(
    CompatibilityModeSchema,
    options.defaultCompatibility ?? 'BACKWARD',
    'defaultCompatibility',
  );
  const audit = options.audit;

  const subjectOf = (s: unknown): string => parseInput(SubjectSchema, s, 'subject');
  const versionOf = (v: unknown): number => parseInput(VersionSchema, v, 'version');

  async function effectiveMode(subject: string): Promise<CompatibilityMode> {
    return (await store.getCompatibility(subject)) ?? (await store.getCompatibility(null)) ?? fallbackMode;
  }

  async function latestLive(subject: string): Promise<RegisteredSchema> {
    const live = await store.listVersions(subject);
    const last = live.at(-1);
    if (!last)
      throw new IntelGraphError('NOT_FOUND', `subject ${subject} has no live schema version`, {
        details: { subject },
      });
    return last;
  }

  function check(
    live: RegisteredSchema[],
    format: SchemaFormat,
    schema: unknown,
    mode: CompatibilityMode,
  ): CompatibilityResult {
    const formatClash = live.find((r) => r.format !== format);
    if (formatClash)
      return {
        compatible: false,
        issues: [
          {
            code: 'format-changed',
            path: '',
            version: formatClash.version,
            message: `the subject holds ${formatClash.format} schemas; a ${format} schema cannot follow them`,
          },
        ],
      };
    return checkCompatibilityWithHistory(
      live.map((r) => r.schema),
      schema,
      { format, mode, versions: live.map((r) => r.version) },
    );
  }

  async function getVersion(
    subjectInput: string,
    versionInput: number,
    opts: { includeDeleted?: boolean } = {},
  ): Promise<RegisteredSchema> {
    const subject = subjectOf(subjectInput);
    const version = versionOf(versionInput);
    const r = await store.getVersion(subject, version);
    if (!r || (r.deletedAt !== null && !opts.includeDeleted))
      throw new IntelGraphError('NOT_FOUND', `subject ${subject} has no live version ${version}`, {
        details: { subject, version },
      });
    return r;
  }

  async function resolve(subjectInput: string, versionInput?: number): Promise<ResolvedContract> {
    const subject = subjectOf(subjectInput);
    const record =
      versionInput === undefined ? await latestLive(subject) : await getVersion(subject, versionInput);
    return {
      subject,
      version: record.version,
      format: record.format,
      fingerprint: record.fingerprint,
      compiled: cache.lookup(record.fingerprint) ?? cache.compile(record.format, record.schema),
    };
  }

  return {
    async register(subjectInput, definitionInput) {
      const subject = subjectOf(subjectInput);
      const def = parseInput(DefinitionSchema, definitionInput, 'schema definition');
      const compiled = cache.compile(def.format, def.schema);
      for (let attempt = 1; ; attempt++) {
        const expectedLatestVersion = await store.maxVersion(subject);
        const live = await store.listVersions(subject);
        const same = live.find((r) => r.fingerprint === compiled.fingerprint);
        if (same) return { ...same, created: false, warnings: compiled.warnings };
        const mode = await effectiveMode(subject);
        const result =
          live.length === 0
            ? { compatible: true, issues: [] }
            : check(live, def.format, compiled.schema, mode);
        if (!result.compatible)
          throw new IntelGraphError(
            'SCHEMA_INCOMPATIBLE',
            `schema is not ${mode} compatible with subject ${subject}: ${result.issues.length} issue(s); first: ${result.issues[0]?.message}`,
            { details: { subject, mode, issues: result.issues } },
          );
        try {
          const record = await store.appendVersion({
            subject,
            format: def.format,
            schema: compiled.schema,
            fingerprint: compiled.fingerprint,
            createdAt: new Date(clock.now()).toISOString(),
            expectedLatestVersion,
          });
          await audit?.({
            type: 'contract.schema.registered',
            subject: `contract:${subject}`,
            data: {
              subject,
              version: record.version,
              format: record.format,
              fingerprint: record.fingerprint,
              mode,
            },
          });
          return { ...record, created: true, warnings: compiled.warnings };
        } catch (e) {
          // Another writer appended first: re-check against the history it created.
          if (!isIntelGraphError(e, 'CONFLICT') || attempt >= MAX_APPEND_ATTEMPTS) throw e;
        }
      }
    },

    async getLatest(subject) {
      return latestLive(subjectOf(subject));
    },

    getVersion,

    listSubjects: () => store.listSubjects(),

    async listVersions(subject, opts = {}) {
      return store.listVersions(subjectOf(subject), { includeDeleted: opts.includeDeleted === true });
    },

    async deleteVersion(subjectInput, versionInput) {
      const subject = subjectOf(subjectInput);
      const version = versionOf(versionInput);
      const at = new Date(clock.now()).toISOString();
      if (!(await store.softDeleteVersion(subject, version, at)))
        throw new IntelGraphError('NOT_FOUND', `subject ${subject} has no live version ${version}`, {
          details: { subject, version },
        });
      await audit?.({
        type: 'contract.schema.deleted',
        subject: `contract:${subject}`,
        data: { subject, version },
      });
      const r = await store.getVersion(subject, version);
      if (!r) throw new IntelGraphError('INTERNAL', `version ${version} of ${subject} vanished`);
      return r;
    },

    async getCompatibility(subject) {
      return subject === undefined
        ? ((await store.getCompatibility(null)) ?? fallbackMode)
        : effectiveMode(subjectOf(subject));
    },

    async setCompatibility(modeInput, subjectInput) {
      const mode =
        modeInput === null ? null : parseInput(CompatibilityModeSchema, modeInput, 'compatibility mode');
      const subject = subjectInput === undefined ? null : subjectOf(subjectInput);
      await store.setCompatibility(subject, mode);
      await audit?.({
        type: 'contract.compatibility.set',
        subject: subject === null ? 'contract:*' : `contract:${subject}`,
        data: { subject, mode },
      });
    },

    async testCompatibility(subjectInput, definitionInput) {
      const subject = subjectOf(subjectInput);
      const def = parseInput(DefinitionSchema, definitionInput, 'schema definition');
      const compiled = cache.compile(def.format, def.schema);
      const live = await store.listVersions(subject);
      if (live.length === 0) return { compatible: true, issues: [] };
      return check(live, def.format, compiled.schema, await effectiveMode(subject));
    },

    resolve,

    async validate(subject, payload, opts = {}) {
      const resolved = await resolve(subject, opts.version);
      return resolved.compiled.validate(payload);
    },
  };
}
