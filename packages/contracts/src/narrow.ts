import type { JsonValue } from '@intelgraph/core';

// Narrowing helpers for the trust boundaries of this package: schema objects, parsed JSON and thrown
// values arrive as `unknown`, and these guards turn them into typed values without casts. Internal
// (not exported from the package index).

/** A JSON object as this package reads it: string keys, values not yet known. */
export type Obj = Record<string, unknown>;

/**
 * Whether `v` is a non-null, non-array object (a JSON object, a schema object).
 *
 * @example
 * ```ts
 * isObj({ type: 'string' }); // true
 * isObj([1]); // false
 * ```
 */
export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Any non-null object, viewed for reading by key (a key it lacks reads as undefined). */
export type Indexable = { readonly [key: string]: unknown };

/**
 * Whether `v` is a non-null object (arrays, maps and class instances included), readable by key. As cheap
 * as the `typeof` test it wraps, so fit for hot paths.
 *
 * @example
 * ```ts
 * isIndexable([1]); // true
 * isIndexable(null); // false
 * ```
 */
export function isIndexable(v: unknown): v is Indexable {
  return typeof v === 'object' && v !== null;
}

/**
 * Whether `v` is a JSON value: null, a boolean, number or string, or an array or plain object of JSON
 * values.
 * Walks the whole value, so keep it off per-record hot paths.
 *
 * @example
 * ```ts
 * isJsonValue({ a: [1, 'x', null] }); // true
 * isJsonValue({ a: undefined }); // false
 * ```
 */
export function isJsonValue(v: unknown): v is JsonValue {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return true;
  if (Array.isArray(v)) return v.every(isJsonValue);
  if (!isObj(v)) return false;
  // Plain objects only: a Date, Map or typed array is an object but not JSON (JSON.stringify rewrites it).
  const proto: unknown = Object.getPrototypeOf(v);
  return (proto === Object.prototype || proto === null) && Object.values(v).every(isJsonValue);
}

/**
 * `v` as a JSON value: itself when it is one, else its JSON round trip (what `JSON.stringify` would
 * write: `undefined` properties dropped, `toJSON` applied); undefined when it has no JSON form.
 *
 * @example
 * ```ts
 * toJsonValue({ a: 1, b: undefined }); // { a: 1 }
 * toJsonValue(undefined); // undefined
 * ```
 */
export function toJsonValue(v: unknown): JsonValue | undefined {
  if (isJsonValue(v)) return v;
  let text: string | undefined;
  try {
    text = JSON.stringify(v);
  } catch {
    return undefined;
  }
  if (text === undefined) return undefined;
  const copy: unknown = JSON.parse(text);
  return isJsonValue(copy) ? copy : undefined;
}

/**
 * The message of a thrown value: its `message` when it has a string one (any `Error`), else the value
 * as a string.
 *
 * @example
 * ```ts
 * errorMessage(new Error('boom')); // 'boom'
 * errorMessage('plain'); // 'plain'
 * ```
 */
export function errorMessage(cause: unknown): string {
  if (typeof cause === 'object' && cause !== null && 'message' in cause && typeof cause.message === 'string')
    return cause.message;
  return String(cause);
}
