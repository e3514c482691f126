import type { z } from 'zod';
import { IntelGraphError } from './errors.js';

/** One problem found in an input, zod-style: a machine code, a JSON path and a sentence. */
export interface ValidationIssue {
  code: string;
  path: (string | number)[];
  message: string;
}

/** The result shape of every validator in the framework. */
export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

/**
 * Converts zod issues into {@link ValidationIssue}s.
 *
 * @example
 * ```ts
 * const r = schema.safeParse(x);
 * if (!r.success) console.log(issuesFromZod(r.error));
 * ```
 */
export function issuesFromZod(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((i) => ({
    code: i.code,
    path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: i.message,
  }));
}

/**
 * Parses `input` with a zod schema, or throws `INVALID_INPUT` listing every issue with its path.
 * This is the boundary check used by every public entry point.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { parseInput } from '@intelgraph/core';
 * const n = parseInput(z.number().int(), 3, 'limit'); // 3
 * ```
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = 'input'): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = issuesFromZod(r.error);
  const first = issues[0];
  const where = first && first.path.length > 0 ? ` at ${first.path.join('.')}` : '';
  throw new IntelGraphError(
    'INVALID_INPUT',
    `invalid ${what}${where}: ${first?.message ?? 'rejected'}${issues.length > 1 ? ` (+${issues.length - 1} more)` : ''}`,
    { details: { issues } },
  );
}

/**
 * Like {@link parseInput} but returns a {@link ValidationResult} instead of throwing.
 *
 * @example
 * ```ts
 * const r = validateWith(z.string(), 1);
 * if (!r.ok) r.issues[0].code; // 'invalid_type'
 * ```
 */
export function validateWith<S extends z.ZodType>(schema: S, input: unknown): ValidationResult<z.output<S>> {
  const r = schema.safeParse(input);
  return r.success ? { ok: true, value: r.data } : { ok: false, issues: issuesFromZod(r.error) };
}

const DANGEROUS_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Finds own keys named `__proto__`, `constructor` or `prototype` anywhere in a parsed JSON value
 * (as `JSON.parse` creates them). Such keys are how prototype-pollution payloads travel; every public
 * entry point that accepts free-form objects rejects them before anything else looks at the value.
 * Depth beyond `maxDepth` is itself reported, so hostile nesting cannot exhaust the stack.
 *
 * @example
 * ```ts
 * import { findDangerousKeys } from '@intelgraph/core';
 * findDangerousKeys(JSON.parse('{"a":{"__proto__":{"x":1}}}'));
 * // [{ code: 'dangerous_key', path: ['a', '__proto__'], message: '…' }]
 * ```
 */
export function findDangerousKeys(value: unknown, maxDepth = 64): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: value, path: [] }];
  while (stack.length > 0 && issues.length < 100) {
    const { v, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (path.length > maxDepth) {
      issues.push({ code: 'too_deep', path, message: `nesting deeper than ${maxDepth} levels` });
      continue;
    }
    if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) stack.push({ v: item, path: [...path, i] });
      continue;
    }
    for (const key of Object.keys(v)) {
      if (DANGEROUS_KEYS.has(key)) {
        issues.push({
          code: 'dangerous_key',
          path: [...path, key],
          message: `the key "${key}" is not allowed`,
        });
        continue;
      }
      stack.push({ v: (v as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  return issues;
}
