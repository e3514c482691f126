import { digestJson, type SchemaFormat } from '@intelgraph/core';

/**
 * The identity of a schema: SHA-256 over the canonical JSON of `{ format, schema }`. Two documents that
 * differ only in key order or whitespace share a fingerprint, and so share one compiled validator.
 *
 * @example
 * ```ts
 * import { schemaFingerprint } from '@intelgraph/contracts';
 * schemaFingerprint('json', { type: 'string' }) === schemaFingerprint('json', { type: 'string' }); // true
 * ```
 */
export function schemaFingerprint(format: SchemaFormat, schema: unknown): string {
  return digestJson({ format, schema });
}
