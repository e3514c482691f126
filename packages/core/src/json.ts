import { createHash } from 'node:crypto';
import { canonicalize } from 'json-canonicalize';

/** A JSON value, as stored in audit events and payloads. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * RFC 8785 (JCS) canonical JSON: sorted keys, no whitespace, ECMAScript number formatting.
 * Two structurally equal values always give the same string, so hashes over it are stable.
 *
 * @example
 * ```ts
 * import { canonicalJson } from '@intelgraph/core';
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return canonicalize(value);
}

/**
 * Hex SHA-256 of a string (UTF-8) or bytes.
 *
 * @example
 * ```ts
 * import { sha256Hex } from '@intelgraph/core';
 * sha256Hex('abc').slice(0, 8); // 'ba7816bf'
 * ```
 */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * SHA-256 of the canonical JSON of a value: the digest used for manifests, inputs and audit events.
 *
 * @example
 * ```ts
 * import { digestJson } from '@intelgraph/core';
 * digestJson({ a: 1, b: 2 }) === digestJson({ b: 2, a: 1 }); // true
 * ```
 */
export function digestJson(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}
