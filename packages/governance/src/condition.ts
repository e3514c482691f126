import type { JsonValue } from '@intelgraph/core';
import { z } from 'zod';

/** Comparison operators of a {@link Condition} leaf. */
export type ConditionOperator = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'exists';

/**
 * A predicate over a request's payload, as plain data (so policies stay serialisable and can be changed
 * by a governed `policy_change`). A leaf compares the value at `path` (dotted, `a.b.0`) with `value`, or
 * with the policy parameter named by `param`; `all`, `any` and `not` combine leaves.
 */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { path: string; op: ConditionOperator; value?: JsonValue; param?: string };

const MAX_DEPTH = 8;

const LeafSchema = z
  .object({
    path: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[\w-]+(\.[\w-]+)*$/u, 'a dotted path of letters, digits, _ and -'),
    op: z.enum(['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'exists']),
    value: z.json().optional(),
    param: z.string().min(1).max(64).optional(),
  })
  .strict()
  .refine((l) => l.op === 'exists' || (l.value === undefined) !== (l.param === undefined), {
    message: 'a comparison needs exactly one of value or param',
  });

/**
 * Zod schema of a {@link Condition}, nested at most 8 levels deep.
 *
 * @example
 * ```ts
 * import { ConditionSchema } from '@intelgraph/governance';
 * ConditionSchema.parse({ all: [{ path: 'rows', op: 'lte', param: 'maxRows' }] });
 * ```
 */
export const ConditionSchema: z.ZodType<Condition> = z
  .lazy(() =>
    z.union([
      z.object({ all: z.array(ConditionSchema).min(1).max(20) }).strict(),
      z.object({ any: z.array(ConditionSchema).min(1).max(20) }).strict(),
      z.object({ not: ConditionSchema }).strict(),
      LeafSchema,
    ]),
  )
  .superRefine((c, ctx) => {
    if (conditionDepth(c) > MAX_DEPTH)
      ctx.addIssue({ code: 'custom', message: `conditions nest at most ${MAX_DEPTH} levels` });
  }) as z.ZodType<Condition>;

function conditionDepth(c: Condition): number {
  if ('all' in c) return 1 + Math.max(0, ...c.all.map(conditionDepth));
  if ('any' in c) return 1 + Math.max(0, ...c.any.map(conditionDepth));
  if ('not' in c) return 1 + conditionDepth(c.not);
  return 1;
}

function lookup(root: JsonValue, path: string): JsonValue | undefined {
  let cur: JsonValue | undefined = root;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    // Own properties only: a payload must never reach Object.prototype through a path.
    if (!Object.hasOwn(cur, part)) return undefined;
    cur = Array.isArray(cur) ? cur[Number(part)] : cur[part];
  }
  return cur;
}

function equal(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

function compare(a: JsonValue, b: JsonValue): number | null {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return null;
}

/**
 * Evaluates a condition against a payload. A missing path or a comparison between values of different
 * types is simply false (never an error), so a malformed payload can only make a policy stricter.
 *
 * @example
 * ```ts
 * import { evaluateCondition } from '@intelgraph/governance';
 * evaluateCondition({ path: 'rows', op: 'lte', param: 'maxRows' }, { rows: 10 }, { maxRows: 100 }); // true
 * ```
 */
export function evaluateCondition(
  condition: Condition,
  payload: JsonValue,
  params: Readonly<Record<string, JsonValue>> = {},
): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluateCondition(c, payload, params));
  if ('any' in condition) return condition.any.some((c) => evaluateCondition(c, payload, params));
  if ('not' in condition) return !evaluateCondition(condition.not, payload, params);
  const actual = lookup(payload, condition.path);
  if (condition.op === 'exists') return actual !== undefined;
  if (actual === undefined) return false;
  const expected =
    condition.param !== undefined
      ? Object.hasOwn(params, condition.param)
        ? params[condition.param]
        : undefined
      : condition.value;
  if (expected === undefined) return false;
  switch (condition.op) {
    case 'eq':
      return equal(actual, expected);
    case 'neq':
      return !equal(actual, expected);
    case 'in':
      return Array.isArray(expected) && expected.some((e) => equal(actual, e));
    default: {
      const d = compare(actual, expected);
      if (d === null) return false;
      if (condition.op === 'lt') return d < 0;
      if (condition.op === 'lte') return d <= 0;
      if (condition.op === 'gt') return d > 0;
      return d >= 0;
    }
  }
}
