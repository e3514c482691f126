import type {
  Clock,
  CompatibilityMode,
  SchemaFormat,
  SchemaRegistryStore,
  SchemaVersionRecord,
} from '@intelgraph/core';
import type { ContractAuditHook } from './audit-hook.js';
import type { CompatibilityResult } from './compatibility.js';
import type { CompiledContract, ContractCache } from './compiled-contract.js';
import type { ContractResult } from './issue.js';
import { createRegistryContext } from './registry/context.js';
import { createModes } from './registry/modes.js';
import { createRegistration } from './registry/registration.js';
import { createVersions } from './registry/versions.js';

export { SubjectSchema } from './registry/context.js';

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
  // One context shared by every part (registry/*.ts): the store, clock, compiled-contract cache, fallback
  // mode and audit hook.
  const ctx = createRegistryContext(options);
  return {
    ...createRegistration(ctx),
    ...createVersions(ctx),
    ...createModes(ctx),
  };
}
