import { IntelGraphError } from '@intelgraph/core';
import avro from 'avsc';
import {
  avroInternal,
  itemsType,
  recordFields,
  underlyingType,
  unionTypes,
  valuesType,
} from './avro-view.js';
import { type ContractIssue, toJsonPointer } from './issue.js';
import { errorMessage } from './narrow.js';

/** A parsed Avro type (avsc). */
export type AvroType = avro.Type;

/**
 * The avsc options every Avro type of the registry is built with: JSON-shaped (unwrapped) union values,
 * and names required on records, enums and fixed types, as the specification says.
 */
export const AVRO_TYPE_OPTIONS = Object.freeze({ wrapUnions: 'never' as const, noAnonymousTypes: true });

/**
 * Options for resolving a reader against a writer: names match unqualified, as in Avro's Java checker.
 * A fresh object each call: avsc writes its own state into the options it is given.
 */
export const avroResolverOptions = (): { ignoreNamespaces: boolean } => ({ ignoreNamespaces: true });

// The JSON kind ("bucket") a branch's values have; avsc's unwrapped unions need distinct buckets.
function bucketOf(type: AvroType): string | null {
  const name = type.typeName;
  if (name.startsWith('logical')) return null;
  switch (name) {
    case 'int':
    case 'long':
    case 'float':
    case 'double':
      return 'number';
    case 'bytes':
    case 'fixed':
      return 'buffer';
    case 'enum':
      return 'string';
    case 'map':
    case 'record':
    case 'error':
      return 'object';
    default:
      return name;
  }
}

type CheckFn = (value: unknown, flags?: number, hook?: unknown, path?: string[]) => boolean;

/**
 * Whether `v` is avsc's per-type checker (`_check`). avsc is pinned to an exact version in package.json
 * and its checkers all have this signature, so a function found there is one; the tests compare every
 * compiled answer with `isValid`.
 */
function isCheckFn(v: unknown): v is CheckFn {
  return typeof v === 'function';
}

/**
 * A union with two branches of the same JSON kind (`["null","int","long"]`, `["null", RecA, RecB]`, a
 * record and a map, a string and an enum, bytes and fixed), which avsc cannot represent unwrapped. The
 * gate keeps values JSON-shaped (no `{"long": 5}` wrapper): a value is valid when some branch accepts it,
 * and Avro's binary encoding (not used by the gate) would pick the first such branch. Resolution and
 * compatibility are avsc's own (a wrapped union's resolver); only the value check is replaced.
 */
class AnyBranchUnionType extends avro.types.WrappedUnionType {
  _check(value: unknown, flags?: number, hook?: (value: unknown, type: AvroType) => void): boolean {
    for (const branch of this.types) {
      const check = avroInternal(branch, '_check');
      if (isCheckFn(check) && check.call(branch, value, flags)) return true;
    }
    if (hook) hook(value, this);
    return false;
  }
}

/**
 * The empty union `[]`: valid Avro (Java accepts it), it accepts no value, any schema can read data
 * written with it (there is none), and it can read nothing. avsc refuses to construct one, so it is built
 * as an AnyBranchUnionType without branches.
 */
function emptyUnion(): AvroType {
  // avro.Type's constructor on an AnyBranchUnionType instance, without the union constructor (which
  // refuses an empty branch list).
  const t: unknown = Reflect.construct(avro.Type, [], AnyBranchUnionType);
  if (!(t instanceof AnyBranchUnionType))
    throw new IntelGraphError('INTERNAL', 'cannot build the empty Avro union');
  Object.assign(t, { types: Object.freeze([]), _branchIndices: {} });
  return Object.freeze(t);
}

function unionHook(schema: avro.Schema, opts: avro.ForSchemaOptions): AvroType | undefined {
  if (!Array.isArray(schema)) return undefined;
  if (schema.length === 0) return emptyUnion();
  const types = schema.map((branch) => avro.Type.forSchema(branch, opts));
  const seen = new Set<string>();
  let ambiguous = false;
  for (const t of types) {
    const bucket = bucketOf(t);
    if (bucket === null) continue;
    if (seen.has(bucket)) ambiguous = true;
    seen.add(bucket);
  }
  const Union = ambiguous ? AnyBranchUnionType : avro.types.UnwrappedUnionType;
  // avsc's union constructors accept parsed branch types (they pass through forSchema), which its typings
  // do not declare; the result is checked instead of asserted.
  const union: unknown = Reflect.construct(Union, [types, opts]);
  if (!(union instanceof avro.Type)) throw new IntelGraphError('INTERNAL', 'avsc did not build a union type');
  return union;
}

const JSON_TEXT = /^\s*[[{"]/;

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
  if (typeof schema === 'string' && JSON_TEXT.test(schema))
    throw new IntelGraphError(
      'INVALID_INPUT',
      'invalid Avro schema: expected a parsed schema object, got a string of JSON text (JSON.parse it first)',
    );
  let type: AvroType;
  try {
    // avsc is the parser of this boundary: it checks the whole schema and throws on anything else.
    type = avro.Type.forSchema(schema as avro.Schema, { ...AVRO_TYPE_OPTIONS, typeHook: unionHook });
  } catch (cause) {
    throw new IntelGraphError('INVALID_INPUT', `invalid Avro schema: ${errorMessage(cause)}`, { cause });
  }
  for (const record of recordTypes(type)) {
    // avsc checks undeclared fields by looking each key up in a plain object, so keys that name an
    // Object.prototype member (`__proto__`, `constructor`, `toString`…) pass as declared. Without a
    // prototype the lookup only sees declared fields, and records are closed as the Avro spec says.
    const byName = avroInternal(record, '_fieldsByName');
    if (typeof byName === 'object' && byName !== null && Object.isExtensible(byName))
      Object.setPrototypeOf(byName, null);
  }
  return type;
}

/** Every record type reachable from `type` (records, unions, arrays, maps, logical types). */
function recordTypes(type: AvroType): AvroType[] {
  const out: AvroType[] = [];
  const seen = new Set<AvroType>();
  const stack: AvroType[] = [type];
  for (let t = stack.pop(); t !== undefined; t = stack.pop()) {
    if (seen.has(t)) continue;
    seen.add(t);
    const fields = recordFields(t);
    if (fields !== undefined) {
      out.push(t);
      for (const f of fields) stack.push(f.type);
    }
    stack.push(...(unionTypes(t) ?? []));
    for (const inner of [itemsType(t), valuesType(t), underlyingType(t)]) if (inner) stack.push(inner);
  }
  return out;
}

/**
 * True when every record type under `type` rejects undeclared fields exactly, including keys named like
 * Object.prototype members (see {@link parseAvroSchema}); otherwise payloads need the gate's screen.
 *
 * @example
 * ```ts
 * hasClosedRecords(parseAvroSchema({ type: 'record', name: 'P', fields: [] })); // true
 * ```
 */
export function hasClosedRecords(type: AvroType): boolean {
  return recordTypes(type).every((r) => {
    const byName = avroInternal(r, '_fieldsByName');
    return typeof byName === 'object' && byName !== null && Object.getPrototypeOf(byName) === null;
  });
}

/** Above this many fields, comparing each key with every field name stops paying off. */
const MAX_INLINE_FIELDS = 32;

/**
 * The fastest exact equivalent of `type.isValid(value, AVRO_VALID_OPTIONS)`. It calls avsc's own per-type
 * checker with the `noUndeclaredFields` flag (1, the only flag `isValid` knows), without `isValid`'s option
 * handling. For a flat record (no record inside it), the undeclared-field check (avsc: `Object.keys` plus
 * a lookup per key) is compiled into key comparisons with the field names as literals; when every key is a
 * declared field only the types are left to check (flag 0), otherwise avsc decides with the flag, so the
 * answer is avsc's in every case. Falls back to `isValid` when avsc's checker is not where expected.
 * avsc is pinned to an exact version in package.json because this reads its internals (`_check`,
 * `_fieldsByName`); the tests compare every answer with `isValid`.
 *
 * @example
 * ```ts
 * const valid = avroValidator(parseAvroSchema({ type: 'record', name: 'P', fields: [{ name: 'id', type: 'string' }] }));
 * valid({ id: 'p1' }); // true
 * valid({ id: 'p1', toString: 'x' }); // false: an undeclared field
 * ```
 */
export function avroValidator(type: AvroType): (value: unknown) => boolean {
  const checker = avroInternal(type, '_check');
  if (!isCheckFn(checker)) return (value) => type.isValid(value, AVRO_VALID_OPTIONS);
  const check: (value: unknown, flags: number) => boolean = checker.bind(type);
  const fields = recordFields(type);
  // Flat: no field type reaches a record, this one included (a recursive record is not flat: the
  // compiled check covers the top level only, so nested levels need avsc's undeclared-field flag).
  const flat = Array.isArray(fields) && !fields.some((f) => recordTypes(f.type).length > 0);
  const names = flat ? fields.map((f) => f.name) : [];
  if (!flat || names.length > MAX_INLINE_FIELDS || !names.every((n) => typeof n === 'string'))
    return (value) => check(value, 1);
  const declared = names.length > 0 ? names.map((n) => `k === ${JSON.stringify(n)}`).join(' || ') : 'false';
  const body = `'use strict';
return function isValidRecord(value) {
  if (typeof value === 'object' && value !== null) {
    let declared = true;
    for (const k in value) {
      if (!(${declared})) {
        declared = false;
        break;
      }
    }
    if (declared) return check(value, 0);
  }
  return check(value, 1);
};`;
  // The generated function's signature is the one written in `body` above; Function has no typed form.
  return new Function('check', body)(check) as (value: unknown) => boolean;
}

/** Every reason an Avro value is invalid, one issue per offending path. */
export function avroIssues(type: AvroType, value: unknown): ContractIssue[] {
  const issues: ContractIssue[] = [];
  type.isValid(value, {
    ...AVRO_VALID_OPTIONS,
    errorHook(path: string[], _val: unknown, t: AvroType) {
      const pointer = toJsonPointer(path);
      const where = pointer === '' ? 'the payload' : pointer;
      const expected =
        typeof t.typeName !== 'string' ? 'value' : t.typeName.startsWith('union') ? 'union' : t.typeName;
      const name = t.name;
      issues.push({
        code: 'type',
        path: pointer,
        message: `${where} is not a valid ${name ? `${expected} ${name}` : expected}`,
      });
    },
  });
  return issues;
}
