import {
  type CompatibilityMode,
  IntelGraphError,
  type MigrationRuleRecord,
  type MigrationRuleStore,
  type SchemaFormat,
  type SchemaRegistryStore,
  type SchemaVersionRecord,
} from '@intelgraph/core';
import { errorCode, jsonArrayOf, member, parseStoredJson } from '../narrow.js';
import type { SqlDatabase } from './sql.js';

type Row = Record<string, unknown>;

const SCHEMA_FORMAT: Record<SchemaFormat, true> = { json: true, avro: true };
const COMPATIBILITY: Record<CompatibilityMode, true> = {
  BACKWARD: true,
  BACKWARD_TRANSITIVE: true,
  FORWARD: true,
  FORWARD_TRANSITIVE: true,
  FULL: true,
  FULL_TRANSITIVE: true,
  NONE: true,
};

const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();

const toRecord = (r: Row): SchemaVersionRecord => ({
  subject: String(r.subject),
  version: Number(r.version),
  format: member(SCHEMA_FORMAT, r.format, 'schema format'),
  schema: parseStoredJson(r.schema_json),
  fingerprint: String(r.fingerprint),
  createdAt: iso(r.created_at),
  deletedAt: r.deleted_at === null || r.deleted_at === undefined ? null : iso(r.deleted_at),
});

// The registry-wide mode is stored under this scope; subject names cannot contain '*'.
const GLOBAL_SCOPE = '*';
const COLUMNS = 'subject, version, format, schema_json, fingerprint, created_at, deleted_at';

/**
 * The schema registry store on PostgreSQL or PGlite. Versions are append-only rows keyed by
 * (subject, version); an append only succeeds when the subject's highest version is still the one the
 * caller saw, and the primary key settles races, so a version number is never assigned twice.
 *
 * @example
 * ```ts
 * import { createPGliteDatabase, createPgSchemaRegistryStore, migrate } from '@intelgraph/adapters/postgres';
 * import { createSchemaRegistry } from '@intelgraph/contracts';
 * const db = await createPGliteDatabase();
 * await migrate(db);
 * const registry = createSchemaRegistry({ store: createPgSchemaRegistryStore(db) });
 * ```
 */
export function createPgSchemaRegistryStore(db: SqlDatabase): SchemaRegistryStore {
  return {
    async appendVersion(input) {
      let rows: Row[];
      try {
        ({ rows } = await db.query<Row>(
          `INSERT INTO ig_contracts_versions (subject, version, format, schema_json, fingerprint, created_at)
           SELECT $1, $2::integer + 1, $3, $4, $5, $6
            WHERE (SELECT coalesce(max(version), 0) FROM ig_contracts_versions WHERE subject = $1) = $2::integer
           RETURNING ${COLUMNS}`,
          [
            input.subject,
            input.expectedLatestVersion,
            input.format,
            JSON.stringify(input.schema),
            input.fingerprint,
            input.createdAt,
          ],
        ));
      } catch (err) {
        if (errorCode(err) !== '23505') throw err;
        rows = [];
      }
      const row = rows[0];
      if (!row)
        throw new IntelGraphError(
          'CONFLICT',
          `subject ${input.subject} moved on since version ${input.expectedLatestVersion}`,
          { details: { subject: input.subject, expected: input.expectedLatestVersion } },
        );
      return toRecord(row);
    },

    async getVersion(subject, version) {
      const { rows } = await db.query<Row>(
        `SELECT ${COLUMNS} FROM ig_contracts_versions WHERE subject = $1 AND version = $2`,
        [subject, version],
      );
      return rows[0] ? toRecord(rows[0]) : null;
    },

    async listVersions(subject, options = {}) {
      const { rows } = await db.query<Row>(
        `SELECT ${COLUMNS} FROM ig_contracts_versions
          WHERE subject = $1 AND ($2::boolean OR deleted_at IS NULL)
          ORDER BY version`,
        [subject, options.includeDeleted === true],
      );
      return rows.map(toRecord);
    },

    async maxVersion(subject) {
      const { rows } = await db.query<{ max: number | null }>(
        'SELECT max(version) AS max FROM ig_contracts_versions WHERE subject = $1',
        [subject],
      );
      return Number(rows[0]?.max ?? 0);
    },

    async listSubjects(options = {}) {
      const { rows } = await db.query<{ subject: string }>(
        `SELECT subject FROM ig_contracts_versions
          WHERE ($1::boolean OR deleted_at IS NULL)
          GROUP BY subject
          ORDER BY subject COLLATE "C"`,
        [options.includeDeleted === true],
      );
      return rows.map((r) => String(r.subject));
    },

    async softDeleteVersion(subject, version, deletedAt) {
      const { rowCount } = await db.query(
        `UPDATE ig_contracts_versions SET deleted_at = $3
          WHERE subject = $1 AND version = $2 AND deleted_at IS NULL`,
        [subject, version, deletedAt],
      );
      return rowCount === 1;
    },

    async getCompatibility(subject) {
      const { rows } = await db.query<{ compatibility: string }>(
        'SELECT compatibility FROM ig_contracts_config WHERE scope = $1',
        [subject ?? GLOBAL_SCOPE],
      );
      return rows[0] ? member(COMPATIBILITY, rows[0].compatibility, 'compatibility mode') : null;
    },

    async setCompatibility(subject, mode) {
      const scope = subject ?? GLOBAL_SCOPE;
      if (mode === null) {
        await db.query('DELETE FROM ig_contracts_config WHERE scope = $1', [scope]);
        return;
      }
      await db.query(
        `INSERT INTO ig_contracts_config (scope, compatibility) VALUES ($1, $2)
         ON CONFLICT (scope) DO UPDATE SET compatibility = EXCLUDED.compatibility`,
        [scope, mode],
      );
    },
  };
}

const RULE_COLUMNS = 'subject, from_version, to_version, operations_json, description, registered_at';
const toRule = (r: Row): MigrationRuleRecord => ({
  subject: String(r.subject),
  from: Number(r.from_version),
  to: Number(r.to_version),
  operations: jsonArrayOf(parseStoredJson(r.operations_json), 'migration operations'),
  description: r.description === null || r.description === undefined ? null : String(r.description),
  registeredAt: iso(r.registered_at),
});

/**
 * The migration rule store on PostgreSQL or PGlite: one row per (subject, from, to), replaced on
 * re-registration, and one row per deprecated version.
 *
 * @example
 * ```ts
 * import { createPGliteDatabase, createPgMigrationRuleStore, migrate } from '@intelgraph/adapters/postgres';
 * import { createMigrationRules, createSchemaRegistry } from '@intelgraph/contracts';
 * const db = await createPGliteDatabase();
 * await migrate(db);
 * const rules = createMigrationRules({ registry: createSchemaRegistry(), store: createPgMigrationRuleStore(db) });
 * ```
 */
export function createPgMigrationRuleStore(db: SqlDatabase): MigrationRuleStore {
  return {
    async putRule(rule) {
      const { rows } = await db.query<Row>(
        `INSERT INTO ig_contracts_migration_rules (${RULE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (subject, from_version, to_version) DO UPDATE
           SET operations_json = EXCLUDED.operations_json, description = EXCLUDED.description,
               registered_at = EXCLUDED.registered_at
         RETURNING ${RULE_COLUMNS}`,
        [
          rule.subject,
          rule.from,
          rule.to,
          JSON.stringify(rule.operations),
          rule.description,
          rule.registeredAt,
        ],
      );
      const row = rows[0];
      if (!row) throw new IntelGraphError('INTERNAL', 'the database returned no migration rule row');
      return toRule(row);
    },
    async getRule(subject, from, to) {
      const { rows } = await db.query<Row>(
        `SELECT ${RULE_COLUMNS} FROM ig_contracts_migration_rules
          WHERE subject = $1 AND from_version = $2 AND to_version = $3`,
        [subject, from, to],
      );
      return rows[0] ? toRule(rows[0]) : null;
    },
    async listRules(subject) {
      const { rows } = await db.query<Row>(
        `SELECT ${RULE_COLUMNS} FROM ig_contracts_migration_rules WHERE subject = $1
          ORDER BY from_version, to_version`,
        [subject],
      );
      return rows.map(toRule);
    },
    async setDeprecation(subject, version, until) {
      if (until === null) {
        await db.query('DELETE FROM ig_contracts_deprecations WHERE subject = $1 AND version = $2', [
          subject,
          version,
        ]);
        return;
      }
      await db.query(
        `INSERT INTO ig_contracts_deprecations (subject, version, until) VALUES ($1, $2, $3)
         ON CONFLICT (subject, version) DO UPDATE SET until = EXCLUDED.until`,
        [subject, version, until],
      );
    },
    async listDeprecations(subject) {
      const { rows } = await db.query<Row>(
        'SELECT subject, version, until FROM ig_contracts_deprecations WHERE subject = $1 ORDER BY version',
        [subject],
      );
      return rows.map((r) => ({
        subject: String(r.subject),
        version: Number(r.version),
        until: iso(r.until),
      }));
    },
  };
}
