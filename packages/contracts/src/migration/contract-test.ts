// A rule's contract test: every golden sample valid under `from` must, once migrated, be valid under
// `to`; with the reverse rule present, samples valid under both versions must round-trip unchanged.
import { IntelGraphError, isIntelGraphError } from '@intelgraph/core';
import fastJsonPatch from 'fast-json-patch';
import type { ContractIssue } from '../issue.js';
import { CONTRACT_LIMITS } from '../limits.js';
import type { MigrationRule, MigrationRuleInput } from '../migration-rules.js';
import { errorMessage } from '../narrow.js';
import { type MigrationContext, rulesOf } from './context.js';
import { applyMigrationOperations } from './operations.js';

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

/** Runs a rule's contract test; `SCHEMA_INCOMPATIBLE` listing the samples that fail. */
export async function contractTest(
  ctx: MigrationContext,
  subject: string,
  input: MigrationRuleInput,
  samples: readonly unknown[],
): Promise<void> {
  const { registry } = ctx;
  await Promise.all([registry.getVersion(subject, input.from), registry.getVersion(subject, input.to)]);
  if (!Array.isArray(samples)) throw new IntelGraphError('INVALID_INPUT', 'samples must be an array');
  if (samples.length > CONTRACT_LIMITS.maxBatchRecords)
    throw new IntelGraphError('INVALID_INPUT', `at most ${CONTRACT_LIMITS.maxBatchRecords} samples`);
  const failures: { index: number; issues: ContractIssue[] }[] = [];
  const reverse = (await rulesOf(ctx, subject)).get(`${input.to}>${input.from}`);
  for (const [index, sample] of samples.entries()) {
    const issues = await testSample(ctx, subject, input, sample, reverse);
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
  ctx: MigrationContext,
  subject: string,
  input: MigrationRuleInput,
  sample: unknown,
  reverse: MigrationRule | undefined,
): Promise<ContractIssue[]> {
  const { registry } = ctx;
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
