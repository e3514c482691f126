import type { AvroType } from './avro-validator.js';
import { enumSymbols, itemsType, recordFields, underlyingType, unionTypes, valuesType } from './avro-view.js';

/**
 * An approximation of an Avro type as a JSON Schema, used only to plan mapping patches (the Avro type
 * itself always has the last word). Records are closed; fields with a default are optional.
 */
export function avroToJsonSchema(type: AvroType, depth = 0): Record<string, unknown> | boolean {
  if (depth > 16) return true;
  const t = type;
  const name = t.typeName;
  if (name.startsWith('logical')) {
    const under = underlyingType(t);
    return under === undefined ? true : avroToJsonSchema(under, depth);
  }
  switch (name) {
    case 'null':
      return { type: 'null' };
    case 'boolean':
      return { type: 'boolean' };
    case 'int':
    case 'long':
      return { type: 'integer' };
    case 'float':
    case 'double':
      return { type: 'number' };
    case 'string':
    case 'bytes':
    case 'fixed':
      return { type: 'string' };
    case 'enum':
      return { enum: [...(enumSymbols(t) ?? [])] };
    case 'array': {
      const items = itemsType(t);
      return { type: 'array', items: items === undefined ? true : avroToJsonSchema(items, depth + 1) };
    }
    case 'map': {
      const values = valuesType(t);
      return {
        type: 'object',
        additionalProperties: values === undefined ? true : avroToJsonSchema(values, depth + 1),
      };
    }
    case 'record':
    case 'error': {
      const properties: Record<string, unknown> = {};
      const required: string[] = [];
      for (const f of recordFields(t) ?? []) {
        const sub = avroToJsonSchema(f.type, depth + 1);
        const dflt = f.defaultValue();
        properties[f.name] = dflt === undefined || typeof sub === 'boolean' ? sub : { ...sub, default: dflt };
        if (dflt === undefined) required.push(f.name);
      }
      return { type: 'object', properties, required, additionalProperties: false };
    }
    default:
      if (name.startsWith('union'))
        return { anyOf: (unionTypes(t) ?? []).map((b) => avroToJsonSchema(b, depth + 1)) };
      return true;
  }
}
