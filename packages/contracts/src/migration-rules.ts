import { IntelGraphError, isIntelGraphError, parseInput } from '@intelgraph/core';
import fastJsonPatch from 'fast-json-patch';
import { z } from 'zod';
import { checkCompatibility } from './compatibility.js';
import { assertSafeJson } from './input-guard.js';
import type { ContractIssue } from './issue.js';
import { CONTRACT_LIMITS } from './limits.js';
import { type SchemaRegistry, SubjectSchema } from './registry.js';

// Migration rules (issue 24, contracts side): a declarative transform between two adjacent versions of a
// subject, written as JSON Patch (RFC 6902) operations with one rule added for optional data: an operation
// whose source is absent from the record is skipped, and `add` never overwrites (it fills a default).

const Pointer = z.string().regex(/^(\/([^~]|~[01])*)*$/u, 'must be a JSON pointer');
const OperationSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add'), path: Pointer.min(1), value: z.json() }).strict(),
  z.object({ op: z.literal('replace'), path: Pointer.min(1), value: z.json() }).strict(),
  z.object({ op: z.literal('remove'), path: Pointer.min(1) }).strict(),
  z.object({ op: z.literal('move'), from: Pointer.min(1), path: Pointer.min(1) }).strict(),
  z.object({ op: z.literal('copy'), from: Pointer.min(1), path: Pointer.min(1) }).strict(),
]);

/** One operation of a migration rule: JSON Patch, applied only where its source exists. */
export type MigrationOperation = z.infer<typeof OperationSchema>;

const RuleInputSchema = z
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
  /** The steps from one version to another; `NOT_FOUND` naming the first step nothing bridges. */
  path(subject: string, from: number, to: number): Promise<MigrationStep[]>;
  /** Migrates records written under `from` to `to`, then validates them under `to`. */
  migrate(
    subject: string,
    records: readonly unknown[],
    options: { from: number; to: number },
  ): Promise<MigrationResult>;
}

function exists(doc: unknown, pointer: string): boolean {
  try {
    return fastJsonPatch.getValueByPointer(doc, pointer) !== undefined;
  } catch {
    return false;
  }
}

function parentExists(doc: unknown, pointer: string): boolean {
  const parent = pointer.slice(0, pointer.lastIndexOf('/'));
  if (parent === '') return typeof doc === 'object' && doc !== null;
  try {
    const v: unknown = fastJsonPatch.getValueByPointer(doc, parent);
    return typeof v === 'object' && v !== null;
  } catch {
    return false;
  }
}

/**
 * Applies a rule's operations to a copy of one record: an operation whose source (`from`, or `path` for
 * `remove`/`replace`) is absent is skipped, and `add` only fills an absent value (a default).
 *
 * @example
 * ```ts
 * import { applyMigrationOperations } from '@intelgraph/contracts';
 * applyMigrationOperations({ id: 'p1', dob: '1990-01-01' }, [{ op: 'move', from: '/dob', path: '/birthDate' }]);
 * // { id: 'p1', birthDate: '1990-01-01' }
 * ```
 */
export function applyMigrationOperations(
  record: unknown,
  operations: readonly MigrationOperation[],
): unknown {
  let doc = structuredClone(assertSafeJson(record, 'record', CONTRACT_LIMITS.maxPayloadBytes));
  for (const op of operations) {
    const source = op.op === 'move' || op.op === 'copy' ? op.from : op.path;
    if (op.op === 'add' ? exists(doc, op.path) || !parentExists(doc, op.path) : !exists(doc, source))
      continue;
    if ((op.op === 'move' || op.op === 'copy') && !parentExists(doc, op.path)) continue;
    doc = fastJsonPatch.applyOperation(doc, op as fastJsonPatch.Operation, false, true, false).newDocument;
  }
  return doc;
}

const equalJson = (a: unknown, b: unknown): boolean =>
  JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
  );
}

/**
 * Creates the migration rules of a registry's subjects (kept in memory; a durable store is a later step).
 * A step between adjacent versions uses the rule registered for it, else passes records through when the
 * target version reads all data of the source version (BACKWARD with the source as the previous version;
 * for Avro, schema resolution decides). Every migrated record is validated under the target version.
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
export function createMigrationRules(options: { registry: SchemaRegistry }): MigrationRules {
  const { registry } = options;
  const rules = new Map<string, Map<string, MigrationRule>>();
  const of = (subject: string): Map<string, MigrationRule> => {
    let m = rules.get(subject);
    if (!m) {
      m = new Map();
      rules.set(subject, m);
    }
    return m;
  };

  async function step(subject: string, from: number, to: number): Promise<MigrationStep> {
    if (of(subject).has(`${from}>${to}`)) return { from, to, via: 'rule' };
    const [a, b] = await Promise.all([registry.getVersion(subject, from), registry.getVersion(subject, to)]);
    // Records pass through when version `to` reads everything `from` accepts: BACKWARD with `from` as the
    // previous schema (for Avro, schema resolution with `to` as the reader).
    const readable =
      a.format === b.format &&
      checkCompatibility(a.schema, b.schema, { format: a.format, mode: 'BACKWARD' }).compatible;
    if (readable) return { from, to, via: 'compatible' };
    throw new IntelGraphError(
      'NOT_FOUND',
      `${subject}: no migration from version ${from} to ${to}: register a ${to > from ? 'upgrade' : 'downgrade'} rule for that step (version ${to} does not read all data of version ${from})`,
      { details: { subject, from, to } },
    );
  }

  async function path(subject: string, from: number, to: number): Promise<MigrationStep[]> {
    const steps: MigrationStep[] = [];
    const dir = to > from ? 1 : -1;
    for (let v = from; v !== to; v += dir) steps.push(await step(subject, v, v + dir));
    return steps;
  }

  function run(subject: string, record: unknown, steps: readonly MigrationStep[]): unknown {
    let value = record;
    for (const s of steps) {
      if (s.via !== 'rule') continue;
      const rule = of(subject).get(`${s.from}>${s.to}`) as MigrationRule;
      value = applyMigrationOperations(value, rule.operations);
    }
    return value;
  }

  async function migrate(
    subject: string,
    records: readonly unknown[],
    opts: { from: number; to: number },
  ): Promise<MigrationResult> {
    const steps = await path(subject, opts.from, opts.to);
    const out: unknown[] = [];
    const failures: { index: number; issues: ContractIssue[] }[] = [];
    const target = (await registry.resolve(subject, opts.to)).compiled;
    for (const [index, record] of records.entries()) {
      const migrated = run(subject, record, steps);
      const r = target.validate(migrated);
      if (r.ok) out.push(r.value);
      else failures.push({ index, issues: r.issues });
    }
    return failures.length > 0 ? { ok: false, steps, failures } : { ok: true, records: out, steps };
  }

  return {
    async register(subjectInput, ruleInput, { samples }) {
      const subject = parseInput(SubjectSchema, subjectInput, 'subject');
      const input = parseInput(RuleInputSchema, ruleInput, 'migration rule');
      await Promise.all([registry.getVersion(subject, input.from), registry.getVersion(subject, input.to)]);
      const rule: MigrationRule = {
        ...input,
        subject,
        direction: input.to > input.from ? 'upgrade' : 'downgrade',
      };
      const failures: { index: number; issues: ContractIssue[] }[] = [];
      const reverse = of(subject).get(`${input.to}>${input.from}`);
      for (const [index, sample] of samples.entries()) {
        const before = await registry.validate(subject, sample, { version: input.from });
        if (!before.ok) {
          failures.push({
            index,
            issues: before.issues.map((i) => ({
              ...i,
              message: `the sample is not valid under version ${input.from}: ${i.message}`,
            })),
          });
          continue;
        }
        let migrated: unknown;
        try {
          migrated = applyMigrationOperations(sample, input.operations);
        } catch (e) {
          if (!isIntelGraphError(e, 'INVALID_INPUT') && !(e instanceof fastJsonPatch.JsonPatchError)) throw e;
          failures.push({
            index,
            issues: [{ code: 'migration_failed', path: '', message: (e as Error).message }],
          });
          continue;
        }
        const after = await registry.validate(subject, migrated, { version: input.to });
        if (!after.ok) {
          failures.push({
            index,
            issues: after.issues.map((i) => ({
              ...i,
              message: `after migrating to version ${input.to}: ${i.message}`,
            })),
          });
          continue;
        }
        // Round trip for samples both versions represent: there and back must give the sample again.
        if (reverse && (await registry.validate(subject, sample, { version: input.to })).ok) {
          const back = applyMigrationOperations(migrated, reverse.operations);
          if (!equalJson(back, sample))
            failures.push({
              index,
              issues: [
                {
                  code: 'round_trip',
                  path: '',
                  message: `migrating to version ${input.to} and back does not give the sample again`,
                },
              ],
            });
        }
      }
      if (failures.length > 0)
        throw new IntelGraphError(
          'SCHEMA_INCOMPATIBLE',
          `${subject}: the rule from version ${input.from} to ${input.to} fails ${failures.length} golden sample(s)`,
          { details: { subject, from: input.from, to: input.to, failures } },
        );
      of(subject).set(`${input.from}>${input.to}`, rule);
      return rule;
    },
    async list(subjectInput) {
      const subject = parseInput(SubjectSchema, subjectInput, 'subject');
      return [...of(subject).values()].sort((a, b) => a.from - b.from || a.to - b.to);
    },
    async path(subjectInput, from, to) {
      const subject = parseInput(SubjectSchema, subjectInput, 'subject');
      const v = parseInput(
        z.object({ from: z.number().int().min(1), to: z.number().int().min(1) }),
        { from, to },
        'versions',
      );
      return path(subject, v.from, v.to);
    },
    async migrate(subjectInput, records, opts) {
      const subject = parseInput(SubjectSchema, subjectInput, 'subject');
      const v = parseInput(
        z.object({ from: z.number().int().min(1), to: z.number().int().min(1) }),
        opts,
        'versions',
      );
      if (!Array.isArray(records)) throw new IntelGraphError('INVALID_INPUT', 'records must be an array');
      if (records.length > CONTRACT_LIMITS.maxBatchRecords)
        throw new IntelGraphError(
          'INVALID_INPUT',
          `at most ${CONTRACT_LIMITS.maxBatchRecords} records per migration`,
        );
      return migrate(subject, records, v);
    },
  };
}
