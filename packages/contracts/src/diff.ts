import { IntelGraphError, type SchemaFormat } from '@intelgraph/core';
import { z } from 'zod';
import { diffAvroSchemas } from './avro-changes.js';
import { compileContract } from './compiled-contract.js';
import { diffJsonSchemas } from './json-schema-changes.js';
import type { SchemaChange } from './schema-change.js';

/** Options of {@link diffSchemas}. */
export interface DiffOptions {
  format: SchemaFormat;
}

export const FormatSchema = z.enum(['json', 'avro'], {
  error: 'unknown schema format; use "json" or "avro"',
});

/**
 * Lists the typed changes from `previous` to `next`: what changed, where (a JSON pointer into the
 * schema), a sentence, and whether it breaks BACKWARD and/or FORWARD compatibility. Both schemas are
 * validated first; an invalid one is `INVALID_INPUT`.
 *
 * @example
 * ```ts
 * import { diffSchemas } from '@intelgraph/contracts';
 * const changes = diffSchemas(
 *   { type: 'object', properties: { id: { type: 'string' } } },
 *   { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
 *   { format: 'json' },
 * );
 * changes[0]; // { kind: 'required-added', path: '/required/id', breaks: { backward: true, forward: false }, … }
 * ```
 */
export function diffSchemas(previous: unknown, next: unknown, options: DiffOptions): SchemaChange[] {
  const parsed = FormatSchema.safeParse(options?.format);
  if (!parsed.success)
    throw new IntelGraphError(
      'INVALID_INPUT',
      `unknown schema format ${JSON.stringify(options?.format)}; use "json" or "avro"`,
    );
  const format = parsed.data;
  const a = compileContract(format, previous);
  const b = compileContract(format, next);
  return format === 'json' ? diffJsonSchemas(a.schema, b.schema) : diffAvroSchemas(a.schema, b.schema);
}
