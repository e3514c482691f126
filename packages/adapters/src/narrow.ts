import { IntelGraphError, type JsonValue } from '@intelgraph/core';

// Narrowing helpers for what the stores read back (pg/PGlite rows, Neo4j records, Redis replies, thrown
// driver errors): cheap checks, fit for per-row paths, instead of casts. A stored value of the wrong shape
// means the database was changed behind the store's back: it fails with INTERNAL, never passes mistyped.
// Internal (not exported from the package entry points).

function corrupt(what: string, value: unknown): IntelGraphError {
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value;
  return new IntelGraphError('INTERNAL', `unexpected stored ${what}: ${shown}`);
}

/**
 * The `code` of a thrown driver error (SQLSTATE, Neo4j status, errno), if it has one.
 *
 * @example
 * ```ts
 * errorCode(Object.assign(new Error('dup'), { code: '23505' })); // '23505'
 * errorCode('boom'); // undefined
 * ```
 */
export function errorCode(err: unknown): unknown {
  return typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
}

/**
 * `value` as one of the keys of `set` (an exhaustive `Record<Union, true>`), else INTERNAL.
 *
 * @example
 * ```ts
 * const STATUS: Record<'open' | 'closed', true> = { open: true, closed: true };
 * member(STATUS, 'open', 'case status'); // 'open'
 * ```
 */
export function member<K extends string>(set: Readonly<Record<K, true>>, value: unknown, what: string): K {
  if (isMember(set, value)) return value;
  throw corrupt(what, value);
}

function isMember<K extends string>(set: Readonly<Record<K, true>>, value: unknown): value is K {
  return typeof value === 'string' && Object.hasOwn(set, value);
}

/**
 * Parses JSON text the store wrote (a string column or reply); a non-string is read as its string.
 *
 * @example
 * ```ts
 * parseStoredJson('{"a":1}'); // { a: 1 }
 * ```
 */
export function parseStoredJson(text: unknown): JsonValue {
  // JSON.parse without a reviver yields JSON values only.
  const value: JsonValue = JSON.parse(String(text));
  return value;
}

/**
 * `value` as a string, else INTERNAL.
 *
 * @example
 * ```ts
 * stringOf(parseStoredJson('"Ada"'), 'entity name'); // 'Ada'
 * ```
 */
export function stringOf(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  throw corrupt(what, value);
}

/**
 * `value` as an array of strings, else INTERNAL.
 *
 * @example
 * ```ts
 * stringArray(['a', 'b'], 'aliases'); // ['a', 'b']
 * ```
 */
export function stringArray(value: unknown, what: string): string[] {
  if (!Array.isArray(value)) throw corrupt(what, value);
  const items: unknown[] = value;
  if (items.every((v): v is string => typeof v === 'string')) return items;
  throw corrupt(what, value);
}

/**
 * `value` as an array of strings, `null` and `undefined` as an empty one, else INTERNAL.
 *
 * @example
 * ```ts
 * stringArrayOrEmpty(null, 'entity ids'); // []
 * ```
 */
export function stringArrayOrEmpty(value: unknown, what: string): string[] {
  return value === null || value === undefined ? [] : stringArray(value, what);
}

/**
 * A JSON value as a JSON object (not an array, not null), else INTERNAL.
 *
 * @example
 * ```ts
 * jsonObjectOf(parseStoredJson('{"a":1}'), 'properties'); // { a: 1 }
 * ```
 */
export function jsonObjectOf(value: JsonValue, what: string): { [key: string]: JsonValue } {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
  throw corrupt(what, value);
}

/**
 * A JSON value as an array of JSON values, else INTERNAL.
 *
 * @example
 * ```ts
 * jsonArrayOf(parseStoredJson('[1]'), 'operations'); // [1]
 * ```
 */
export function jsonArrayOf(value: JsonValue, what: string): JsonValue[] {
  if (Array.isArray(value)) return value;
  throw corrupt(what, value);
}

/**
 * `value` as a map of fields (a Neo4j map projection, a decoded row), else INTERNAL.
 *
 * @example
 * ```ts
 * recordOf({ id: 'e1' }, 'entity'); // { id: 'e1' }
 * ```
 */
export function recordOf(value: unknown, what: string): Record<string, unknown> {
  if (isRecord(value)) return value;
  throw corrupt(what, value);
}

/**
 * Whether `value` is a non-null, non-array object, readable by key.
 *
 * @example
 * ```ts
 * isRecord({ a: 1 }); // true
 * ```
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
