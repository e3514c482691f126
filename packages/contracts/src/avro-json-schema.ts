import type { AvroType } from './avro-validator.js';

type AnyType = AvroType & {
  typeName: string;
  fields?: { name: string; type: AvroType; defaultValue(): unknown }[];
  symbols?: string[];
  itemsType?: AvroType;
  valuesType?: AvroType;
  types?: AvroType[];
  underlyingType?: AvroType;
};

/**
 * An approximation of an Avro type as a JSON Schema, used only to plan mapping patches (the Avro type
 * itself always has the last word). Records are closed; fields with a default are optional.
 */
export function avroToJsonSchema(type: AvroType, depth = 0): Record<string, unknown> | boolean {
  if (depth > 16) return true;
  const t = type as AnyType;
  const name = t.typeName;
  if (name.startsWith('logical')) return avroToJsonSchema(t.underlyingType as AvroType, depth);
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
      return { enum: [...(t.symbols ?? [])] };
    case 'array':
      return { type: 'array', items: avroToJsonSchema(t.itemsType as AvroType, depth + 1) };
    case 'map':
      return { type: 'object', additionalProperties: avroToJsonSchema(t.valuesType as AvroType, depth + 1) };
    case 'record':
    case 'error': {
      const properties: Record<string, unknown> = {};
      const required: string[] = [];
      for (const f of t.fields ?? []) {
        const sub = avroToJsonSchema(f.type, depth + 1);
        const dflt = f.defaultValue();
        properties[f.name] = dflt === undefined || typeof sub === 'boolean' ? sub : { ...sub, default: dflt };
        if (dflt === undefined) required.push(f.name);
      }
      return { type: 'object', properties, required, additionalProperties: false };
    }
    default:
      if (name.startsWith('union'))
        return { anyOf: (t.types ?? []).map((b) => avroToJsonSchema(b, depth + 1)) };
      return true;
  }
}
