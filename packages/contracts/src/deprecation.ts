import { IntelGraphError } from '@intelgraph/core';
import { type ContractIssue, childPointer } from './issue.js';
import { DEPRECATION_WINDOW_KEYWORD } from './json-schema-validator.js';
import { isIndexable, isObj, type Obj } from './narrow.js';

/** A field a schema marks deprecated, found once when the schema is compiled. */
export interface DeprecatedField {
  /** Payload path segments; `*` matches any array index or map key. */
  segments: string[];
  /** Where the mark is in the schema (JSON pointer). */
  schemaPath: string;
  /** Epoch ms from which using the field is an error; `null` for an open-ended warning. */
  errorFrom: number | null;
  /** The window as written in the schema. */
  window: string | null;
}

/** When a deprecation window ends: a date means the end of that UTC day; a date-time is exact. */
export function deprecationDeadline(window: unknown, schemaPath: string): number | null {
  if (window === undefined || window === null) return null;
  if (typeof window === 'string') {
    if (/^\d{4}-\d{2}-\d{2}$/.test(window)) {
      const t = Date.parse(`${window}T00:00:00Z`);
      if (Number.isFinite(t)) return t + 86_400_000;
    } else if (/^\d{4}-\d{2}-\d{2}T/.test(window)) {
      const t = Date.parse(window);
      if (Number.isFinite(t)) return t;
    }
  }
  throw new IntelGraphError(
    'INVALID_INPUT',
    `invalid deprecation window at ${schemaPath || '/'}: expected a date (YYYY-MM-DD) or an ISO date-time`,
  );
}

const stringOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function resolveLocalRef(root: unknown, ref: string): { schema: unknown; path: string } | null {
  if (!ref.startsWith('#')) return null;
  const pointer = decodeURIComponent(ref.slice(1));
  let cur: unknown = root;
  if (pointer !== '') {
    for (const raw of pointer.slice(1).split('/')) {
      const seg = raw.replaceAll('~1', '/').replaceAll('~0', '~');
      if (Array.isArray(cur)) cur = Reflect.get(cur, seg);
      else if (isObj(cur)) cur = cur[seg];
      else return null;
    }
  }
  return cur === undefined ? null : { schema: cur, path: pointer };
}

/**
 * Finds every `deprecated: true` property of a JSON Schema, following local `$ref`s (a shared definition
 * at every use, a recursive one once). The walk is bounded by the schema's expanded size, which
 * `compileContract` has checked (`CONTRACT_LIMITS.maxExpandedSchemaNodes`).
 */
export function jsonSchemaDeprecations(root: unknown): DeprecatedField[] {
  const out: DeprecatedField[] = [];
  // Refs on the current path only: a shared definition is walked at every use, a recursive one once.
  const activeRefs = new Set<string>();
  const walk = (schema: unknown, schemaPath: string, segments: string[], depth: number): void => {
    if (!isObj(schema) || depth > 64) return;
    if (typeof schema.$ref === 'string' && !activeRefs.has(schema.$ref)) {
      const ref = schema.$ref;
      const target = resolveLocalRef(root, ref);
      if (target) {
        activeRefs.add(ref);
        walk(target.schema, target.path, segments, depth + 1);
        activeRefs.delete(ref);
      }
    }
    if (isObj(schema.properties)) {
      for (const [name, sub] of Object.entries(schema.properties)) {
        const subPath = childPointer(childPointer(schemaPath, 'properties'), name);
        const subSegments = [...segments, name];
        if (isObj(sub) && sub.deprecated === true)
          out.push({
            segments: subSegments,
            schemaPath: subPath,
            errorFrom: deprecationDeadline(sub[DEPRECATION_WINDOW_KEYWORD], subPath),
            window: stringOrNull(sub[DEPRECATION_WINDOW_KEYWORD]),
          });
        walk(sub, subPath, subSegments, depth + 1);
      }
    }
    if (isObj(schema.additionalProperties))
      walk(
        schema.additionalProperties,
        childPointer(schemaPath, 'additionalProperties'),
        [...segments, '*'],
        depth + 1,
      );
    if (isObj(schema.items))
      walk(schema.items, childPointer(schemaPath, 'items'), [...segments, '*'], depth + 1);
    for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
      const list = schema[key];
      if (Array.isArray(list))
        for (const [i, sub] of list.entries())
          walk(sub, childPointer(childPointer(schemaPath, key), i), segments, depth + 1);
    }
    for (const key of ['then', 'else'] as const)
      if (isObj(schema[key])) walk(schema[key], childPointer(schemaPath, key), segments, depth + 1);
  };
  walk(root, '', [], 0);
  return out;
}

/** Finds every Avro record field with a truthy `deprecated` attribute (and its `x-deprecation-window`). */
export function avroDeprecations(root: unknown): DeprecatedField[] {
  const out: DeprecatedField[] = [];
  const named = new Map<string, { schema: Obj; path: string }>();
  // Named types on the current path only: a shared type is walked at every use, a recursive one once.
  const active = new Set<unknown>();
  const walk = (schema: unknown, schemaPath: string, segments: string[], depth: number, ns: string): void => {
    if (depth > 64) return;
    if (typeof schema === 'string') {
      const target = named.get(`${ns}.${schema}`) ?? named.get(schema);
      if (target && !active.has(target.schema)) walk(target.schema, target.path, segments, depth + 1, ns);
      return;
    }
    if (Array.isArray(schema)) {
      for (const [i, branch] of schema.entries())
        walk(branch, childPointer(schemaPath, i), segments, depth + 1, ns);
      return;
    }
    if (!isObj(schema)) return;
    const type = schema.type;
    if (typeof schema.name === 'string') {
      const space = typeof schema.namespace === 'string' ? schema.namespace : ns;
      const full = schema.name.includes('.') || space === '' ? schema.name : `${space}.${schema.name}`;
      named.set(full, { schema, path: schemaPath });
      named.set(schema.name, { schema, path: schemaPath });
      ns = space;
    }
    active.add(schema);
    try {
      walkBody(schema, type, schemaPath, segments, depth, ns);
    } finally {
      active.delete(schema);
    }
  };
  const walkBody = (
    schema: Obj,
    type: unknown,
    schemaPath: string,
    segments: string[],
    depth: number,
    ns: string,
  ): void => {
    if (type === 'record' || type === 'error') {
      const fields = Array.isArray(schema.fields) ? schema.fields : [];
      fields.forEach((field, i) => {
        if (!isObj(field) || typeof field.name !== 'string') return;
        const fieldPath = childPointer(childPointer(schemaPath, 'fields'), i);
        const fieldSegments = [...segments, field.name];
        if (field.deprecated !== undefined && field.deprecated !== false)
          out.push({
            segments: fieldSegments,
            schemaPath: fieldPath,
            errorFrom: deprecationDeadline(field[DEPRECATION_WINDOW_KEYWORD], fieldPath),
            window: stringOrNull(field[DEPRECATION_WINDOW_KEYWORD]),
          });
        walk(field.type, childPointer(fieldPath, 'type'), fieldSegments, depth + 1, ns);
      });
    } else if (type === 'array')
      walk(schema.items, childPointer(schemaPath, 'items'), [...segments, '*'], depth + 1, ns);
    else if (type === 'map')
      walk(schema.values, childPointer(schemaPath, 'values'), [...segments, '*'], depth + 1, ns);
    else if (isObj(type) || Array.isArray(type))
      walk(type, childPointer(schemaPath, 'type'), segments, depth + 1, ns);
  };
  walk(root, '', [], 0, '');
  return out;
}

/**
 * Reports the deprecated fields a payload uses: a warning, or an error once the window has ended at `now`.
 * Returns the two lists separately; both are empty for a payload that uses no deprecated field.
 */
export function checkDeprecations(
  fields: readonly DeprecatedField[],
  payload: unknown,
  now: number,
): { warnings: ContractIssue[]; errors: ContractIssue[] } {
  const warnings: ContractIssue[] = [];
  const errors: ContractIssue[] = [];
  for (const field of fields) {
    visit(payload, field.segments, 0, '', (path) => {
      const expired = field.errorFrom !== null && now >= field.errorFrom;
      const window = field.window ? ` (deprecation window ends ${field.window})` : '';
      if (expired)
        errors.push({
          code: 'deprecated_field_expired',
          path,
          message: `${path} uses a deprecated field whose deprecation window ended ${field.window}`,
        });
      else
        warnings.push({
          code: 'deprecated_field',
          path,
          message: `${path} uses a deprecated field${window}`,
        });
    });
  }
  return { warnings, errors };
}

function visit(
  value: unknown,
  segments: readonly string[],
  i: number,
  path: string,
  hit: (path: string) => void,
): void {
  if (!isIndexable(value)) return;
  const seg = segments[i];
  if (seg === undefined) return;
  const last = i === segments.length - 1;
  if (seg === '*') {
    const entries: [string, unknown][] = Array.isArray(value)
      ? value.map((v, k) => [String(k), v])
      : Object.entries(value);
    for (const [k, v] of entries) {
      if (last) hit(childPointer(path, k));
      else visit(v, segments, i + 1, childPointer(path, k), hit);
    }
    return;
  }
  if (Array.isArray(value) || !Object.hasOwn(value, seg)) return;
  const next = value[seg];
  if (next === undefined) return;
  if (last) hit(childPointer(path, seg));
  else visit(next, segments, i + 1, childPointer(path, seg), hit);
}
