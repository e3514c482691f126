// Port interfaces of the contracts domain (schema registry storage), implemented in memory by
// @intelgraph/contracts and in PostgreSQL/PGlite by @intelgraph/adapters/postgres.
import type { JsonValue } from '../json.js';

/** The schema languages the registry understands. */
export type SchemaFormat = 'json' | 'avro';

/**
 * Compatibility modes, with Confluent Schema Registry's meaning:
 * BACKWARD (the new schema reads data written with the previous one), FORWARD (the previous schema
 * reads data written with the new one), FULL (both), their `_TRANSITIVE` forms (against every live
 * version, not only the latest) and NONE.
 */
export type CompatibilityMode =
  | 'BACKWARD'
  | 'BACKWARD_TRANSITIVE'
  | 'FORWARD'
  | 'FORWARD_TRANSITIVE'
  | 'FULL'
  | 'FULL_TRANSITIVE'
  | 'NONE';

/** One stored version of a subject's schema. */
export interface SchemaVersionRecord {
  subject: string;
  /** 1, 2, 3 … per subject; never reused, even after a soft delete. */
  version: number;
  format: SchemaFormat;
  schema: JsonValue;
  /** SHA-256 of the canonical JSON of `{ format, schema }`. */
  fingerprint: string;
  /** ISO-8601 time of registration. */
  createdAt: string;
  /** ISO-8601 time of the soft delete, or `null` while the version is live. */
  deletedAt: string | null;
}

/** What the registry hands to {@link SchemaRegistryStore.appendVersion}; the store assigns the version. */
export interface SchemaVersionInput {
  subject: string;
  format: SchemaFormat;
  schema: JsonValue;
  fingerprint: string;
  createdAt: string;
  /**
   * The highest version number (live or deleted) the caller saw when it checked compatibility, 0 for
   * a new subject. The append fails with `CONFLICT` when another version was appended meanwhile, so a
   * compatibility decision is never made against a stale history.
   */
  expectedLatestVersion: number;
}

/**
 * Port: durable storage of the schema registry. Versions are append-only; a soft delete only sets
 * `deletedAt`. Implementations must make `appendVersion` atomic per subject (exactly one of several
 * concurrent appends with the same `expectedLatestVersion` succeeds; the others throw `CONFLICT`).
 */
export interface SchemaRegistryStore {
  appendVersion(input: SchemaVersionInput): Promise<SchemaVersionRecord>;
  /** A version, live or deleted, or `null`. */
  getVersion(subject: string, version: number): Promise<SchemaVersionRecord | null>;
  /** Versions of a subject in ascending order; deleted ones only when asked. */
  listVersions(subject: string, options?: { includeDeleted?: boolean }): Promise<SchemaVersionRecord[]>;
  /** The highest version number ever assigned to a subject (deleted included), 0 when none. */
  maxVersion(subject: string): Promise<number>;
  /** Subjects in ascending order; by default only those with at least one live version. */
  listSubjects(options?: { includeDeleted?: boolean }): Promise<string[]>;
  /** Sets `deletedAt` on a live version; `false` when there is no such live version. */
  softDeleteVersion(subject: string, version: number, deletedAt: string): Promise<boolean>;
  /** The compatibility mode of a subject, or of the registry when `subject` is `null`. */
  getCompatibility(subject: string | null): Promise<CompatibilityMode | null>;
  /** Sets (or, with `null`, clears) the mode of a subject, or of the registry when `subject` is `null`. */
  setCompatibility(subject: string | null, mode: CompatibilityMode | null): Promise<void>;
}

/** One stored migration rule: JSON Patch operations leading from version `from` to the adjacent `to`. */
export interface MigrationRuleRecord {
  subject: string;
  from: number;
  /** `from + 1` (an upgrade) or `from - 1` (a downgrade). */
  to: number;
  /** The rule's operations (JSON Patch, validated by `@intelgraph/contracts` before they are stored). */
  operations: JsonValue[];
  description: string | null;
  /** ISO-8601 time of the (last) registration. */
  registeredAt: string;
}

/** A version deprecated until the end of a window, after which it stops negotiating. */
export interface VersionDeprecationRecord {
  subject: string;
  version: number;
  /** ISO-8601 end of the deprecation window. */
  until: string;
}

/**
 * Port: durable storage of migration rules and version deprecations. `putRule` replaces the rule of the
 * same (subject, from, to); listings come back by `from` then `to` (rules) or by version (deprecations).
 */
export interface MigrationRuleStore {
  putRule(rule: MigrationRuleRecord): Promise<MigrationRuleRecord>;
  getRule(subject: string, from: number, to: number): Promise<MigrationRuleRecord | null>;
  listRules(subject: string): Promise<MigrationRuleRecord[]>;
  /** Sets (or, with `null`, clears) the deprecation window of a version. */
  setDeprecation(subject: string, version: number, until: string | null): Promise<void>;
  listDeprecations(subject: string): Promise<VersionDeprecationRecord[]>;
}
