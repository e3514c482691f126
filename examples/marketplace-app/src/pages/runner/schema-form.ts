import type { JsonValue } from '../../api/types.js';

/** One input field generated from a property of a plugin's input contract (JSON Schema). */
export interface FormField {
  name: string;
  label: string;
  kind: 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'string-list';
  required: boolean;
  description?: string;
  options?: string[];
  minimum?: number;
  maximum?: number;
  multiline?: boolean;
}

type Obj = { [key: string]: JsonValue };
const isObj = (v: JsonValue | undefined | null): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function labelOf(name: string, schema: Obj): string {
  if (typeof schema.title === 'string') return schema.title;
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function fieldOf(name: string, schema: JsonValue, required: boolean): FormField | null {
  if (!isObj(schema)) return null;
  const base = {
    name,
    label: labelOf(name, schema),
    required,
    ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
  };
  if (Array.isArray(schema.enum) && schema.enum.every((v) => typeof v === 'string')) {
    return { ...base, kind: 'enum', options: schema.enum as string[] };
  }
  const type = schema.type;
  const bounds = {
    ...(typeof schema.minimum === 'number' ? { minimum: schema.minimum } : {}),
    ...(typeof schema.maximum === 'number' ? { maximum: schema.maximum } : {}),
  };
  switch (type) {
    case 'string':
      return {
        ...base,
        kind: 'string',
        multiline: typeof schema.maxLength === 'number' && schema.maxLength > 200,
      };
    case 'number':
      return { ...base, kind: 'number', ...bounds };
    case 'integer':
      return { ...base, kind: 'integer', ...bounds };
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'array':
      return isObj(schema.items) && schema.items.type === 'string' && !('enum' in schema.items)
        ? { ...base, kind: 'string-list' }
        : null;
    default:
      return null;
  }
}

/**
 * The fields of a flat object schema, or `null` when the schema needs the JSON editor (nested
 * objects, unions, arrays of objects, references…).
 */
export function fieldsFromSchema(schema: JsonValue | null | undefined): FormField[] | null {
  if (!isObj(schema) || schema.type !== 'object' || !isObj(schema.properties)) return null;
  const required = new Set(
    Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === 'string') : [],
  );
  const fields: FormField[] = [];
  for (const [name, prop] of Object.entries(schema.properties)) {
    const field = fieldOf(name, prop, required.has(name));
    if (!field) return null;
    fields.push(field);
  }
  return fields;
}

/** Form values are kept as text (or booleans) so half-typed numbers survive re-renders. */
export type FormValues = Record<string, string | boolean>;

/** Starting values: the schema's defaults, or empty. */
export function initialValues(schema: JsonValue | null | undefined, fields: FormField[]): FormValues {
  const props = isObj(schema) && isObj(schema.properties) ? schema.properties : {};
  const values: FormValues = {};
  for (const f of fields) {
    const prop = props[f.name];
    const def = isObj(prop) ? prop.default : undefined;
    if (f.kind === 'boolean') values[f.name] = def === true;
    else if (f.kind === 'string-list') values[f.name] = Array.isArray(def) ? def.join(', ') : '';
    else if (def !== undefined && def !== null) values[f.name] = String(def);
    else if (f.kind === 'enum' && f.required && f.options?.[0]) values[f.name] = f.options[0];
    else values[f.name] = '';
  }
  return values;
}

export type BuildResult = { ok: true; value: JsonValue } | { ok: false; errors: Record<string, string> };

/** Turns form values into the plugin input, checking required fields and numbers. */
export function buildInput(fields: FormField[], values: FormValues): BuildResult {
  const out: Obj = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const raw = values[f.name];
    if (f.kind === 'boolean') {
      out[f.name] = raw === true;
      continue;
    }
    const text = typeof raw === 'string' ? raw.trim() : '';
    if (text === '') {
      if (f.required) errors[f.name] = `${f.label} is required`;
      continue;
    }
    if (f.kind === 'number' || f.kind === 'integer') {
      const n = Number(text);
      if (!Number.isFinite(n) || (f.kind === 'integer' && !Number.isInteger(n))) {
        errors[f.name] = `${f.label} must be ${f.kind === 'integer' ? 'a whole number' : 'a number'}`;
      } else if (f.minimum !== undefined && n < f.minimum) {
        errors[f.name] = `${f.label} must be at least ${f.minimum}`;
      } else if (f.maximum !== undefined && n > f.maximum) {
        errors[f.name] = `${f.label} must be at most ${f.maximum}`;
      } else {
        out[f.name] = n;
      }
    } else if (f.kind === 'string-list') {
      out[f.name] = text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    } else {
      out[f.name] = text;
    }
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value: out };
}

/** A starting JSON document for the editor: the form's initial input, or `{}`. */
export function exampleInput(schema: JsonValue | null | undefined): string {
  const fields = fieldsFromSchema(schema);
  if (!fields) return '{}';
  const built = buildInput(
    fields.map((f) => ({ ...f, required: false })),
    initialValues(schema, fields),
  );
  return JSON.stringify(built.ok ? built.value : {}, null, 2);
}
