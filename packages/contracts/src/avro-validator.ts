import { IntelGraphError } from '@intelgraph/core';
import avro from 'avsc';
import { type ContractIssue, toJsonPointer } from './issue.js';

/** A parsed Avro type (avsc). */
export type AvroType = avro.Type;

/** The avsc options every Avro type of the registry is built with: JSON-shaped, unwrapped unions. */
export const AVRO_TYPE_OPTIONS = Object.freeze({ wrapUnions: 'never' as const });

/** `isValid` options: Avro records are closed, so undeclared fields are violations, not silent loss. */
export const AVRO_VALID_OPTIONS = Object.freeze({ noUndeclaredFields: true });

const parsed = new WeakMap<object, AvroType>();

/**
 * Parses an Avro schema with avsc. Throws `INVALID_INPUT` with avsc's reason. Parsed types are memoised
 * per schema object; callers pass the registry's private, never-mutated copies.
 */
export function parseAvroSchema(schema: unknown): AvroType {
  if (typeof schema === 'object' && schema !== null) {
    const hit = parsed.get(schema);
    if (hit) return hit;
    const type = parseAvroSchemaUncached(schema);
    parsed.set(schema, type);
    return type;
  }
  return parseAvroSchemaUncached(schema);
}

function parseAvroSchemaUncached(schema: unknown): AvroType {
  try {
    return avro.Type.forSchema(
      schema as avro.Schema,
      { ...AVRO_TYPE_OPTIONS } as Partial<avro.ForSchemaOptions>,
    );
  } catch (cause) {
    throw new IntelGraphError('INVALID_INPUT', `invalid Avro schema: ${(cause as Error).message}`, { cause });
  }
}

/** Every reason an Avro value is invalid, one issue per offending path. */
export function avroIssues(type: AvroType, value: unknown): ContractIssue[] {
  const issues: ContractIssue[] = [];
  type.isValid(value, {
    ...AVRO_VALID_OPTIONS,
    errorHook(path: string[], _val: unknown, t: AvroType) {
      const pointer = toJsonPointer(path);
      const where = pointer === '' ? 'the payload' : pointer;
      const expected = typeof t.typeName === 'string' ? t.typeName : 'value';
      const name = (t as { name?: string }).name;
      issues.push({
        code: 'type',
        path: pointer,
        message: `${where} is not a valid ${name ? `${expected} ${name}` : expected}`,
      });
    },
  });
  return issues;
}
