// Benchmark support (not exported, not published): the raw libraries the contract gate is measured
// against, resolved from this package's own dependencies.
import { Ajv, type Options, type ValidateFunction } from 'ajv';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import avro from 'avsc';
import { AJV_OPTIONS } from '../json-schema-validator.js';

const addFormats: FormatsPlugin =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  (addFormatsModule as unknown as FormatsPlugin);

/** A raw compiled ajv validator (the registry's options unless told otherwise). */
export function rawAjvValidator(schema: object, options: Options = AJV_OPTIONS): ValidateFunction {
  const ajv = new Ajv({ ...options });
  addFormats(ajv);
  return ajv.compile(schema);
}

/** The naive registry.validate, the baseline the gate is measured against: one global Ajv, the schema parsed and compiled on every call. */
export function seedCompilePerCall(schemaText: string): (payload: unknown) => { ok: boolean } {
  const ajv = new Ajv({ allErrors: true });
  addFormats(ajv);
  return (payload) => {
    const validate = ajv.compile(JSON.parse(schemaText) as object);
    return { ok: validate(payload) };
  };
}

/** A raw avsc `isValid` check with the registry's options. */
export function rawAvscIsValid(schema: unknown): (payload: unknown) => boolean {
  const type = avro.Type.forSchema(
    schema as avro.Schema,
    { wrapUnions: 'never' } as Partial<avro.ForSchemaOptions>,
  );
  return (payload) => type.isValid(payload, { noUndeclaredFields: true });
}
