import avro from 'avsc';

// Typed reads of avsc types, in one place: each accessor narrows with `instanceof` on avsc's own type
// classes (one avsc copy, pinned in package.json), and internals avsc does not declare are read as
// `unknown`. None of these run per record.

type AvroType = avro.Type;

/** A record field as avsc exposes it. */
export type AvroField = avro.types.Field;

/**
 * The branches of a union type, else undefined.
 *
 * @example
 * ```ts
 * unionTypes(avro.Type.forSchema(['null', 'int'], { wrapUnions: 'never' }))?.length; // 2
 * ```
 */
export function unionTypes(t: AvroType): readonly AvroType[] | undefined {
  return t instanceof avro.types.UnwrappedUnionType || t instanceof avro.types.WrappedUnionType
    ? t.types
    : undefined;
}

/**
 * The fields of a record (or error) type, else undefined.
 *
 * @example
 * ```ts
 * recordFields(avro.Type.forSchema({ type: 'record', name: 'P', fields: [] })); // []
 * ```
 */
export function recordFields(t: AvroType): readonly AvroField[] | undefined {
  return t instanceof avro.types.RecordType ? t.fields : undefined;
}

/**
 * The item type of an array type, else undefined.
 *
 * @example
 * ```ts
 * itemsType(avro.Type.forSchema({ type: 'array', items: 'int' }))?.typeName; // 'int'
 * ```
 */
export function itemsType(t: AvroType): AvroType | undefined {
  return t instanceof avro.types.ArrayType ? t.itemsType : undefined;
}

/**
 * The value type of a map type, else undefined.
 *
 * @example
 * ```ts
 * valuesType(avro.Type.forSchema({ type: 'map', values: 'int' }))?.typeName; // 'int'
 * ```
 */
export function valuesType(t: AvroType): AvroType | undefined {
  if (!(t instanceof avro.types.MapType)) return undefined;
  const values: unknown = t.valuesType; // declared `any` by avsc's typings
  return values instanceof avro.Type ? values : undefined;
}

/**
 * The underlying type of a logical type, else undefined.
 *
 * @example
 * ```ts
 * underlyingType(avro.Type.forSchema('int')); // undefined
 * ```
 */
export function underlyingType(t: AvroType): AvroType | undefined {
  return t instanceof avro.types.LogicalType ? t.underlyingType : undefined;
}

/**
 * The symbols of an enum type, else undefined.
 *
 * @example
 * ```ts
 * enumSymbols(avro.Type.forSchema({ type: 'enum', name: 'E', symbols: ['A'] })); // ['A']
 * ```
 */
export function enumSymbols(t: AvroType): readonly string[] | undefined {
  return t instanceof avro.types.EnumType ? t.symbols : undefined;
}

/**
 * The default symbol of an enum type (avsc keeps it without declaring it), else undefined.
 *
 * @example
 * ```ts
 * enumDefault(avro.Type.forSchema({ type: 'enum', name: 'E', symbols: ['A'], default: 'A' })); // 'A'
 * ```
 */
export function enumDefault(t: AvroType): string | undefined {
  if (!(t instanceof avro.types.EnumType)) return undefined;
  const d: unknown = Reflect.get(t, 'default');
  return typeof d === 'string' ? d : undefined;
}

/**
 * The size of a fixed type, else undefined.
 *
 * @example
 * ```ts
 * fixedSize(avro.Type.forSchema({ type: 'fixed', name: 'F', size: 4 })); // 4
 * ```
 */
export function fixedSize(t: AvroType): number | undefined {
  return t instanceof avro.types.FixedType ? t.size : undefined;
}

/**
 * An avsc internal of `t` (`_check`, `_fieldsByName`…), which its typings do not declare, as `unknown`.
 *
 * @example
 * ```ts
 * typeof avroInternal(avro.Type.forSchema('int'), '_check'); // 'function'
 * ```
 */
export function avroInternal(t: AvroType, key: '_check' | '_fieldsByName'): unknown {
  return Reflect.get(t, key);
}
