import {
  type Clock,
  IntelGraphError,
  isIntelGraphError,
  type MigrationRuleRecord,
  type MigrationRuleStore,
  parseInput,
  systemClock,
  type VersionDeprecationRecord,
} from '@intelgraph/core';
import fastJsonPatch from 'fast-json-patch';
import { z } from 'zod';
import { checkCompatibility } from './compatibility.js';
import { assertSafeJson } from './input-guard.js';
import type { ContractIssue } from './issue.js';
import { CONTRACT_LIMITS } from './limits.js';
import { createMemoryMigrationRuleStore } from './memory-store.js';
import { errorMessage } from './narrow.js';
import { type SchemaRegistry, SubjectSchema } from './registry.js';

// Migration rules: a declarative transform between two adjacent versions of a
// subject, written as JSON Patch (RFC 6902) operations with one rule added for optional data: an operation
// whose source is absent from the record is skipped, and `add` never overwrites (it fills a default).

const Pointer = z
  .string()
  .regex(/^(\/([^~]|~[01])*)*$/u, 'must be a JSON pointer')
  // Records are plain data: a rule may not address an object's prototype (refused here, at registration,
  // rather than by the patch library when a record is migrated).
  .refine(
    (p) => !/(^|\/)__proto__(\/|$)/u.test(p) && !/(^|\/)constructor\/prototype(\/|$)/u.test(p),
    'must not address __proto__ or constructor/prototype',
  );
const OperationSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add'), path: Pointer.min(1), value: z.json() }).strict(),
  z.object({ op: z.literal('replace'), path: Pointer.min(1), value: z.json() }).strict(),
  z.object({ op: z.literal('remove'), path: Pointer.min(1) }).strict(),
  z.object({ op: z.literal('move'), from: Pointer.min(1), path: Pointer.min(1) }).strict(),
  z.object({ op: z.literal('copy'), from: Pointer.min(1), path: Pointer.min(1) }).strict(),
]);

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
    doc = fastJsonPatch.applyOperation(doc, op, false, true, false).newDocument;
  }
  return doc;
}

const equalJson = (a: unknown, b: unknown): boolean =>
  JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.entries(v)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, x]) => [k, sortKeys(x)]),
  );
}

function storedOperations(r: MigrationRuleRecord): MigrationOperation[] {
  const ops = StoredOperations.safeParse(r.operations);
  if (!ops.success)
    throw new IntelGraphError(
      'INTERNAL',
      `the stored migration rule ${r.subject} ${r.from}>${r.to} has invalid operations`,
      { cause: ops.error },
    );
  return ops.data;
}

const VersionPair = z.object({
  from: z.number().int().min(1).max(2_147_483_647),
  to: z.number().int().min(1).max(2_147_483_647),
});
const UntilSchema = z.iso.datetime({ offset: true }).nullable();

const StoredOperations = z.array(OperationSchema);

/** A stored rule as a MigrationRule; its operations are parsed (rules are cached per subject, not per record). */
const toRule = (r: MigrationRuleRecord): MigrationRule => ({
  subject: r.subject,
  from: r.from,
  to: r.to,
  operations: storedOperations(r),
  ...(r.description === null ? {} : { description: r.description }),
  direction: r.to > r.from ? 'upgrade' : 'downgrade',
  registeredAt: r.registeredAt,
});

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
  const { registry } = options;
  const store = options.store ?? createMemoryMigrationRuleStore();
  const clock = options.clock ?? systemClock;
  const maxStalenessMs = options.maxStalenessMs ?? 5_000;
  // Per subject: its rules by `from>to` with when they were read, and the paths computed from them.
  const cache = new Map<string, { at: number; rules: Promise<Map<string, MigrationRule>> }>();
  const paths = new Map<string, Promise<MigrationStep[]>>();
  const rulesOf = (subject: string): Promise<Map<string, MigrationRule>> => {
    const hit = cache.get(subject);
    const now = clock.now();
    if (hit && now - hit.at <= maxStalenessMs) return hit.rules;
    if (hit) forget(subject); // stale: paths built on the old rules go too
    const rules = store
      .listRules(subject)
      .then((list) => new Map(list.map((r) => [`${r.from}>${r.to}`, toRule(r)])));
    rules.catch(() => cache.delete(subject));
    cache.set(subject, { at: now, rules });
    return rules;
  };
  const forget = (subject?: string): void => {
    if (subject === undefined) {
      cache.clear();
      paths.clear();
      return;
    }
    cache.delete(subject);
    for (const k of [...paths.keys()]) if (k.startsWith(`${subject}\u0000`)) paths.delete(k);
  };

  async function step(subject: string, from: number, to: number): Promise<MigrationStep> {
    if ((await rulesOf(subject)).has(`${from}>${to}`)) return { from, to, via: 'rule' };
    // A miss may be a rule another host registered since this one read the store: read it again once.
    cache.delete(subject);
    if ((await rulesOf(subject)).has(`${from}>${to}`)) return { from, to, via: 'rule' };
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

  function path(subject: string, from: number, to: number): Promise<MigrationStep[]> {
    const k = `${subject}\u0000${from}\u0000${to}`;
    let p = paths.get(k);
    if (!p) {
      p = (async () => {
        const steps: MigrationStep[] = [];
        const dir = to > from ? 1 : -1;
        for (let v = from; v !== to; v += dir) steps.push(await step(subject, v, v + dir));
        return steps;
      })();
      p.catch(() => paths.delete(k));
      if (paths.size > 10_000) paths.clear();
      paths.set(k, p);
    }
    return p;
  }

  async function migrate(
    subject: string,
    records: readonly unknown[],
    opts: { from: number; to: number },
  ): Promise<MigrationResult> {
    const steps = await path(subject, opts.from, opts.to);
    const rules = await rulesOf(subject);
    const out: unknown[] = [];
    const failures: { index: number; issues: ContractIssue[] }[] = [];
    const target = (await registry.resolve(subject, opts.to)).compiled;
    for (const [index, record] of records.entries()) {
      let migrated = record;
      try {
        for (const s of steps) {
          const rule = s.via === 'rule' ? rules.get(`${s.from}>${s.to}`) : undefined;
          if (rule) migrated = applyMigrationOperations(migrated, rule.operations);
        }
      } catch (e) {
        failures.push({
          index,
          issues: [{ code: 'migration_failed', path: '', message: errorMessage(e) }],
        });
        continue;
      }
      const r = target.validate(migrated);
      if (r.ok) out.push(r.value);
      else failures.push({ index, issues: r.issues });
    }
    return failures.length > 0 ? { ok: false, steps, failures } : { ok: true, records: out, steps };
  }

  async function contractTest(
    subject: string,
    input: MigrationRuleInput,
    samples: readonly unknown[],
  ): Promise<void> {
    await Promise.all([registry.getVersion(subject, input.from), registry.getVersion(subject, input.to)]);
    if (!Array.isArray(samples)) throw new IntelGraphError('INVALID_INPUT', 'samples must be an array');
    if (samples.length > CONTRACT_LIMITS.maxBatchRecords)
      throw new IntelGraphError('INVALID_INPUT', `at most ${CONTRACT_LIMITS.maxBatchRecords} samples`);
    const failures: { index: number; issues: ContractIssue[] }[] = [];
    const reverse = (await rulesOf(subject)).get(`${input.to}>${input.from}`);
    for (const [index, sample] of samples.entries()) {
      const issues = await testSample(subject, input, sample, reverse);
      if (issues.length > 0) failures.push({ index, issues });
    }
    if (failures.length > 0)
      throw new IntelGraphError(
        'SCHEMA_INCOMPATIBLE',
        `${subject}: the rule from version ${input.from} to ${input.to} fails ${failures.length} golden sample(s)`,
        { details: { subject, from: input.from, to: input.to, failures } },
      );
  }

  async function testSample(
    subject: string,
    input: MigrationRuleInput,
    sample: unknown,
    reverse: MigrationRule | undefined,
  ): Promise<ContractIssue[]> {
    const before = await registry.validate(subject, sample, { version: input.from });
    if (!before.ok)
      return before.issues.map((i) => ({
        ...i,
        message: `the sample is not valid under version ${input.from}: ${i.message}`,
      }));
    let migrated: unknown;
    try {
      migrated = applyMigrationOperations(sample, input.operations);
    } catch (e) {
      if (!isIntelGraphError(e, 'INVALID_INPUT') && !(e instanceof fastJsonPatch.JsonPatchError)) throw e;
      return [{ code: 'migration_failed', path: '', message: errorMessage(e) }];
    }
    const after = await registry.validate(subject, migrated, { version: input.to });
    if (!after.ok)
      return after.issues.map((i) => ({
        ...i,
        message: `after migrating to version ${input.to}: ${i.message}`,
      }));
    // Round trip for samples both versions represent: there and back must give the sample again.
    if (reverse && (await registry.validate(subject, sample, { version: input.to })).ok) {
      const back = applyMigrationOperations(migrated, reverse.operations);
      if (!equalJson(back, sample))
        return [
          {
            code: 'round_trip',
            path: '',
            message: `migrating to version ${input.to} and back does not give the sample again`,
          },
        ];
    }
    return [];
  }

  const subjectOf = (s: unknown): string => parseInput(SubjectSchema, s, 'subject');

  return {
    async test(subjectInput, ruleInput, { samples }) {
      const subject = subjectOf(subjectInput);
      await contractTest(subject, parseInput(RuleInputSchema, ruleInput, 'migration rule'), samples);
    },
    async register(subjectInput, ruleInput, { samples }) {
      const subject = subjectOf(subjectInput);
      const input = parseInput(RuleInputSchema, ruleInput, 'migration rule');
      await contractTest(subject, input, samples);
      const stored = await store.putRule({
        subject,
        from: input.from,
        to: input.to,
        operations: input.operations,
        description: input.description ?? null,
        registeredAt: new Date(clock.now()).toISOString(),
      });
      forget(subject);
      return toRule(stored);
    },
    async list(subjectInput) {
      const subject = subjectOf(subjectInput);
      return [...(await rulesOf(subject)).values()].sort((a, b) => a.from - b.from || a.to - b.to);
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
    refresh: forget,
    async path(subjectInput, from, to) {
      const subject = subjectOf(subjectInput);
      const v = parseInput(VersionPair, { from, to }, 'versions');
      return path(subject, v.from, v.to);
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
      return migrate(subject, records, v);
    },
  };
}
