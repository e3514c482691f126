import {
  type CompatibilityMode,
  IntelGraphError,
  type MigrationRuleRecord,
  type MigrationRuleStore,
  type SchemaRegistryStore,
  type SchemaVersionRecord,
} from '@intelgraph/core';

/**
 * The in-memory {@link SchemaRegistryStore}: the default for tests and embedded use. It passes the same
 * conformance suite as the PostgreSQL store (tests/conformance/contracts.test.ts).
 *
 * @example
 * ```ts
 * import { createMemorySchemaStore, createSchemaRegistry } from '@intelgraph/contracts';
 * const registry = createSchemaRegistry({ store: createMemorySchemaStore() });
 * ```
 */
export function createMemorySchemaStore(): SchemaRegistryStore {
  const versions = new Map<string, SchemaVersionRecord[]>();
  const modes = new Map<string | null, CompatibilityMode>();
  const copy = (r: SchemaVersionRecord): SchemaVersionRecord => structuredClone(r);
  return {
    async appendVersion(input) {
      const list = versions.get(input.subject) ?? [];
      const max = list.at(-1)?.version ?? 0;
      if (max !== input.expectedLatestVersion)
        throw new IntelGraphError(
          'CONFLICT',
          `subject ${input.subject} moved on: latest version is ${max}, expected ${input.expectedLatestVersion}`,
          { details: { subject: input.subject, latest: max, expected: input.expectedLatestVersion } },
        );
      const record: SchemaVersionRecord = {
        subject: input.subject,
        version: max + 1,
        format: input.format,
        schema: structuredClone(input.schema),
        fingerprint: input.fingerprint,
        createdAt: input.createdAt,
        deletedAt: null,
      };
      list.push(record);
      versions.set(input.subject, list);
      return copy(record);
    },
    async getVersion(subject, version) {
      const r = versions.get(subject)?.find((x) => x.version === version);
      return r ? copy(r) : null;
    },
    async listVersions(subject, options = {}) {
      return (versions.get(subject) ?? [])
        .filter((r) => options.includeDeleted || r.deletedAt === null)
        .map(copy);
    },
    async maxVersion(subject) {
      return versions.get(subject)?.at(-1)?.version ?? 0;
    },
    async listSubjects(options = {}) {
      return [...versions.entries()]
        .filter(([, list]) => options.includeDeleted || list.some((r) => r.deletedAt === null))
        .map(([s]) => s)
        .sort();
    },
    async softDeleteVersion(subject, version, deletedAt) {
      const r = versions.get(subject)?.find((x) => x.version === version && x.deletedAt === null);
      if (!r) return false;
      r.deletedAt = deletedAt;
      return true;
    },
    async getCompatibility(subject) {
      return modes.get(subject) ?? null;
    },
    async setCompatibility(subject, mode) {
      if (mode === null) modes.delete(subject);
      else modes.set(subject, mode);
    },
  };
}

/**
 * The in-memory {@link MigrationRuleStore}: rules and version deprecations for tests and embedded use. It
 * passes the same conformance suite as the PostgreSQL store (tests/conformance/migration-rules.test.ts).
 *
 * @example
 * ```ts
 * import { createMemoryMigrationRuleStore, createMigrationRules, createSchemaRegistry } from '@intelgraph/contracts';
 * const rules = createMigrationRules({ registry: createSchemaRegistry(), store: createMemoryMigrationRuleStore() });
 * ```
 */
export function createMemoryMigrationRuleStore(): MigrationRuleStore {
  const rules = new Map<string, MigrationRuleRecord>();
  const deprecations = new Map<string, { subject: string; version: number; until: string }>();
  const key = (subject: string, a: number, b = 0) => `${subject}\u0000${a}\u0000${b}`;
  return {
    async putRule(rule) {
      rules.set(key(rule.subject, rule.from, rule.to), structuredClone(rule));
      return structuredClone(rule);
    },
    async getRule(subject, from, to) {
      const r = rules.get(key(subject, from, to));
      return r ? structuredClone(r) : null;
    },
    async listRules(subject) {
      return [...rules.values()]
        .filter((r) => r.subject === subject)
        .sort((a, b) => a.from - b.from || a.to - b.to)
        .map((r) => structuredClone(r));
    },
    async setDeprecation(subject, version, until) {
      if (until === null) deprecations.delete(key(subject, version));
      else deprecations.set(key(subject, version), { subject, version, until });
    },
    async listDeprecations(subject) {
      return [...deprecations.values()]
        .filter((d) => d.subject === subject)
        .sort((a, b) => a.version - b.version)
        .map((d) => ({ ...d }));
    },
  };
}
