import {
  type Clock,
  IntelGraphError,
  type MigrationRuleStore,
  parseInput,
  type VersionDeprecationRecord,
} from '@intelgraph/core';
import { z } from 'zod';
import type { ContractIssue } from './issue.js';
import { CONTRACT_LIMITS } from './limits.js';
import { createMigrationContext, forget, rulesOf, toRule } from './migration/context.js';
import { contractTest } from './migration/contract-test.js';
import { migrateRecords } from './migration/migrate.js';
import { OperationSchema } from './migration/operations.js';
import { migrationPath } from './migration/paths.js';
import { subjectOf } from './registry/context.js';
import type { SchemaRegistry } from './registry.js';

export { applyMigrationOperations } from './migration/operations.js';

// Migration rules: a declarative transform between two adjacent versions of a subject, written as JSON
// Patch (RFC 6902) operations with one rule added for optional data (see migration/operations.ts). The
// parts live in migration/*.ts and share one context: the cached rules and paths.

/** One operation of a migration rule: JSON Patch, applied only where its source exists. */
export type MigrationOperation = z.infer<typeof OperationSchema>;

/** A migration rule as callers give it (subject aside); the CLI parses rule files with it. */
export const RuleInputSchema = z
  .object({
    from: z.number().int().min(1),
    to: z.number().int().min(1),
    operations: z.array(OperationSchema).max(200),
    description: z.string().max(500).optional(),
  })
  .strict()
  .refine((r) => Math.abs(r.from - r.to) === 1, 'a rule links two adjacent versions (to = from ± 1)');

/** What {@link MigrationRules.register} takes: an upgrade (`to = from + 1`) or a downgrade (`to = from - 1`). */
export type MigrationRuleInput = z.infer<typeof RuleInputSchema>;

/** A registered migration rule. */
export interface MigrationRule extends MigrationRuleInput {
  subject: string;
  direction: 'upgrade' | 'downgrade';
  /** ISO-8601 time of the (last) registration. */
  registeredAt: string;
}

/** One step a migration took: a rule, or a pass-through where the versions are compatible that way. */
export interface MigrationStep {
  from: number;
  to: number;
  via: 'rule' | 'compatible';
}

/** The answer of {@link MigrationRules.migrate}. */
export type MigrationResult =
  | { ok: true; records: unknown[]; steps: MigrationStep[] }
  | { ok: false; steps: MigrationStep[]; failures: { index: number; issues: ContractIssue[] }[] };

/** Migration rules of a registry's subjects, with the contract tests that guard them. */
export interface MigrationRules {
  /**
   * Runs a rule's contract test without storing it (what a governed registration checks at request
   * time and again at apply time). Same errors as {@link MigrationRules.register}.
   */
  test(subject: string, rule: MigrationRuleInput, options: { samples: readonly unknown[] }): Promise<void>;
  /**
   * Registers (or replaces) the rule from `from` to `to` after its contract test: every golden sample
   * (valid under `from`) must, once migrated, be valid under `to`; with the reverse rule present, samples
   * valid under both versions must round-trip unchanged. Throws `SCHEMA_INCOMPATIBLE` listing the samples
   * that fail, `NOT_FOUND` for an unknown version.
   */
  register(
    subject: string,
    rule: MigrationRuleInput,
    options: { samples: readonly unknown[] },
  ): Promise<MigrationRule>;
  /** The rules of a subject, by `from` then `to`. */
  list(subject: string): Promise<MigrationRule[]>;
  /**
   * Deprecates a version until `until` (ISO-8601; `null` lifts the deprecation). Past the window the
   * version stops negotiating (see {@link MigrationRules.deprecations}).
   */
  deprecate(subject: string, version: number, until: string | null): Promise<void>;
  /** The deprecated versions of a subject with the end of their windows, by version. */
  deprecations(subject: string): Promise<VersionDeprecationRecord[]>;
  /** Drops what this instance cached of a subject (rules read by another host meanwhile). */
  refresh(subject?: string): void;
  /** The steps from one version to another; `NOT_FOUND` naming the first step nothing bridges. */
  path(subject: string, from: number, to: number): Promise<MigrationStep[]>;
  /** Migrates records written under `from` to `to`, then validates them under `to`. */
  migrate(
    subject: string,
    records: readonly unknown[],
    options: { from: number; to: number },
  ): Promise<MigrationResult>;
}

const VersionPair = z.object({
  from: z.number().int().min(1).max(2_147_483_647),
  to: z.number().int().min(1).max(2_147_483_647),
});
const UntilSchema = z.iso.datetime({ offset: true }).nullable();

/** What {@link createMigrationRules} takes. */
export interface MigrationRulesOptions {
  registry: SchemaRegistry;
  /** Where rules and deprecations live (default: in memory). */
  store?: MigrationRuleStore;
  clock?: Clock;
  /**
   * How long (ms) a subject's rules, once read, are trusted before they are read again (default 5,000):
   * the bound on how long a rule registered or changed through another host sharing the store takes to
   * reach this one. A step that finds no rule re-reads the store at once before it refuses.
   */
  maxStalenessMs?: number;
}

/**
 * Creates the migration rules of a registry's subjects over a {@link MigrationRuleStore} (in memory by
 * default). A step between adjacent versions uses the rule registered for it, else passes records through
 * when the target version reads all data of the source version (BACKWARD with the source as the previous
 * version; for Avro, schema resolution decides). Every migrated record is validated under the target
 * version. Rules and paths are cached per subject once read, for at most `maxStalenessMs` (a run that
 * needs no migration reads nothing); a step with no cached rule re-reads the store before it refuses, and
 * `refresh` drops everything.
 *
 * @example
 * ```ts
 * import { createMigrationRules, createSchemaRegistry } from '@intelgraph/contracts';
 * const registry = createSchemaRegistry();
 * const rules = createMigrationRules({ registry });
 * await rules.register('person', { from: 1, to: 2, operations: [{ op: 'move', from: '/dob', path: '/birthDate' }] },
 *   { samples: [{ id: 'p1', dob: '1990-01-01' }] });
 * await rules.migrate('person', [{ id: 'p2', dob: '1980-02-02' }], { from: 1, to: 2 });
 * ```
 */
export function createMigrationRules(options: MigrationRulesOptions): MigrationRules {
  const ctx = createMigrationContext(options);
  const { registry, store, clock } = ctx;
  return {
    async test(subjectInput, ruleInput, { samples }) {
      const subject = subjectOf(subjectInput);
      await contractTest(ctx, subject, parseInput(RuleInputSchema, ruleInput, 'migration rule'), samples);
    },
    async register(subjectInput, ruleInput, { samples }) {
      const subject = subjectOf(subjectInput);
      const input = parseInput(RuleInputSchema, ruleInput, 'migration rule');
      await contractTest(ctx, subject, input, samples);
      const stored = await store.putRule({
        subject,
        from: input.from,
        to: input.to,
        operations: input.operations,
        description: input.description ?? null,
        registeredAt: new Date(clock.now()).toISOString(),
      });
      forget(ctx, subject);
      return toRule(stored);
    },
    async list(subjectInput) {
      const subject = subjectOf(subjectInput);
      return [...(await rulesOf(ctx, subject)).values()].sort((a, b) => a.from - b.from || a.to - b.to);
    },
    async deprecate(subjectInput, versionInput, untilInput) {
      const subject = subjectOf(subjectInput);
      const version = parseInput(VersionPair.shape.from, versionInput, 'version');
      const until = parseInput(UntilSchema, untilInput, 'until');
      await registry.getVersion(subject, version);
      await store.setDeprecation(subject, version, until === null ? null : new Date(until).toISOString());
    },
    async deprecations(subjectInput) {
      return store.listDeprecations(subjectOf(subjectInput));
    },
    refresh: (subject) => forget(ctx, subject),
    async path(subjectInput, from, to) {
      const subject = subjectOf(subjectInput);
      const v = parseInput(VersionPair, { from, to }, 'versions');
      return migrationPath(ctx, subject, v.from, v.to);
    },
    async migrate(subjectInput, records, opts) {
      const subject = subjectOf(subjectInput);
      const v = parseInput(VersionPair, opts, 'versions');
      if (!Array.isArray(records)) throw new IntelGraphError('INVALID_INPUT', 'records must be an array');
      if (records.length > CONTRACT_LIMITS.maxBatchRecords)
        throw new IntelGraphError(
          'INVALID_INPUT',
          `at most ${CONTRACT_LIMITS.maxBatchRecords} records per migration`,
        );
      return migrateRecords(ctx, subject, records, v);
    },
  };
}
