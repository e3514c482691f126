import { type CompatibilityMode, IntelGraphError, type SchemaFormat } from '@intelgraph/core';
import { z } from 'zod';
import { avroReadIssues } from './avro-changes.js';
import { compileContract } from './compiled-contract.js';
import { FormatSchema } from './diff.js';
import type { ContractIssue } from './issue.js';
import { diffJsonSchemas } from './json-schema-changes.js';

/**
 * Every compatibility mode, in Confluent Schema Registry's meaning.
 *
 * @example
 * ```ts
 * import { COMPATIBILITY_MODES } from '@intelgraph/contracts';
 * COMPATIBILITY_MODES.includes('FULL_TRANSITIVE'); // true
 * ```
 */
export const COMPATIBILITY_MODES = [
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
] as const satisfies readonly CompatibilityMode[];

export const CompatibilityModeSchema = z.enum(COMPATIBILITY_MODES, {
  error: `unknown compatibility mode; use one of ${COMPATIBILITY_MODES.join(', ')}`,
});

/** Options of {@link checkCompatibility}. */
export interface CompatibilityOptions {
  format: SchemaFormat;
  mode: CompatibilityMode;
}

/** The answer of a compatibility check; `issues` is empty exactly when `compatible` is true. */
export interface CompatibilityResult {
  compatible: boolean;
  issues: ContractIssue[];
}

const OptionsSchema = z.object({ format: FormatSchema, mode: CompatibilityModeSchema });

function directions(mode: CompatibilityMode): { backward: boolean; forward: boolean } {
  const base = mode.replace('_TRANSITIVE', '');
  return { backward: base === 'BACKWARD' || base === 'FULL', forward: base === 'FORWARD' || base === 'FULL' };
}

/**
 * Whether a mode checks against every earlier version rather than only the latest.
 *
 * @example
 * ```ts
 * import { isTransitive } from '@intelgraph/contracts';
 * isTransitive('BACKWARD_TRANSITIVE'); // true
 * isTransitive('FULL'); // false
 * ```
 */
export function isTransitive(mode: CompatibilityMode): boolean {
  return mode.endsWith('_TRANSITIVE');
}

function pairIssues(
  format: SchemaFormat,
  previous: unknown,
  next: unknown,
  mode: CompatibilityMode,
): ContractIssue[] {
  const { backward, forward } = directions(mode);
  if (!backward && !forward) return [];
  if (format === 'avro') {
    const issues: ContractIssue[] = [];
    if (backward)
      for (const i of avroReadIssues(next, previous, { reader: 'new', writer: 'old' }))
        issues.push({ ...i, code: `backward/${i.code}`, message: `BACKWARD: ${i.message}` });
    if (forward)
      for (const i of avroReadIssues(previous, next, { reader: 'old', writer: 'new' }))
        issues.push({ ...i, code: `forward/${i.code}`, message: `FORWARD: ${i.message}` });
    return issues;
  }
  const issues: ContractIssue[] = [];
  for (const c of diffJsonSchemas(previous, next)) {
    if (backward && c.breaks.backward)
      issues.push({ code: `backward/${c.kind}`, path: c.path, message: `BACKWARD: ${c.message}` });
    if (forward && c.breaks.forward)
      issues.push({ code: `forward/${c.kind}`, path: c.path, message: `FORWARD: ${c.message}` });
  }
  return issues;
}

/**
 * Checks whether `next` may follow `previous` under a compatibility mode. For JSON Schema the rule
 * engine decides (see the table in docs/guides/data-contracts.md); for Avro, avsc's resolver does, and
 * every reason is explained with a path. A `_TRANSITIVE` mode behaves like its base mode for one pair;
 * use {@link checkCompatibilityWithHistory} to check against several versions.
 *
 * @example
 * ```ts
 * import { checkCompatibility } from '@intelgraph/contracts';
 * const r = checkCompatibility(
 *   { type: 'record', name: 'P', fields: [{ name: 'id', type: 'string' }] },
 *   { type: 'record', name: 'P', fields: [{ name: 'id', type: 'string' }, { name: 'age', type: 'int' }] },
 *   { format: 'avro', mode: 'BACKWARD' },
 * );
 * r.compatible; // false
 * r.issues[0].message; // "BACKWARD: field 'age' at /fields/1 has no default, …"
 * ```
 */
export function checkCompatibility(
  previous: unknown,
  next: unknown,
  options: CompatibilityOptions,
): CompatibilityResult {
  const { format, mode } = parseOptions(options);
  const a = compileContract(format, previous);
  const b = compileContract(format, next);
  const issues = pairIssues(format, a.schema, b.schema, mode);
  return { compatible: issues.length === 0, issues };
}

/**
 * Checks `next` against a subject's history (oldest first) the way the registry does: the latest version
 * only, or every version for `_TRANSITIVE` modes. Issues found against an older version carry `version`
 * (its position in `history`, from 1, unless `versions` gives the real numbers).
 *
 * @example
 * ```ts
 * import { checkCompatibilityWithHistory } from '@intelgraph/contracts';
 * const r = checkCompatibilityWithHistory([v1, v2, v3], v4, { format: 'json', mode: 'BACKWARD_TRANSITIVE' });
 * ```
 */
export function checkCompatibilityWithHistory(
  history: readonly unknown[],
  next: unknown,
  options: CompatibilityOptions & { versions?: readonly number[] },
): CompatibilityResult {
  const { format, mode } = parseOptions(options);
  if (!Array.isArray(history))
    throw new IntelGraphError('INVALID_INPUT', 'history must be an array of schemas');
  const b = compileContract(format, next);
  const indices = isTransitive(mode)
    ? history.map((_, i) => i)
    : history.length > 0
      ? [history.length - 1]
      : [];
  const issues: ContractIssue[] = [];
  for (const i of indices) {
    const a = compileContract(format, history[i]);
    const version = options.versions?.[i] ?? i + 1;
    for (const issue of pairIssues(format, a.schema, b.schema, mode))
      issues.push({ ...issue, version, message: `against version ${version}: ${issue.message}` });
  }
  return { compatible: issues.length === 0, issues };
}

function parseOptions(options: CompatibilityOptions): CompatibilityOptions {
  const r = OptionsSchema.safeParse(options);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new IntelGraphError(
      'INVALID_INPUT',
      `invalid compatibility options at ${first?.path.join('.') || 'options'}: ${first?.message}`,
      {
        details: {
          issues: r.error.issues.map((i) => ({ code: i.code, path: i.path.map(String), message: i.message })),
        },
      },
    );
  }
  return r.data;
}
