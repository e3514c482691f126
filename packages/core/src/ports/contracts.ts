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
