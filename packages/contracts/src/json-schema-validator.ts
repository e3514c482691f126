import { IntelGraphError } from '@intelgraph/core';
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { RE2JS } from 're2js';
import { type ContractIssue, childPointer } from './issue.js';
import { errorMessage, isObj } from './narrow.js';
import { assertBoundedExpansion, VALUE_KEYWORDS } from './ref-expansion.js';

// ajv-formats is CommonJS: ESM sees module.exports (the plugin), bundlers may see { default: plugin }.
// Both have `.default`: the plugin sets `exports.default = formatsPlugin` on itself.
const addFormats: FormatsPlugin = addFormatsModule.default;

/** The annotation keyword that bounds a deprecation: after this date, using the field is an error. */
export const DEPRECATION_WINDOW_KEYWORD = 'x-deprecation-window';

/**
 * The annotation keyword naming the live property that replaces a deprecated one (a sibling property
 * name); the suggested patch for an expired deprecation moves the value there.
 */
export const REPLACED_BY_KEYWORD = 'x-replaced-by';

/** JSON Schema dialects the registry accepts, by `$schema` URI. */
export type JsonSchemaDialect = 'draft-07' | '2019-09' | '2020-12';

const DIALECTS: Record<string, JsonSchemaDialect> = {
  'http://json-schema.org/draft-07/schema': 'draft-07',
  'https://json-schema.org/draft/2019-09/schema': '2019-09',
  'https://json-schema.org/draft/2020-12/schema': '2020-12',
};

/** Which dialect a schema declares (`$schema`); draft-07 when it declares none. */
export function jsonSchemaDialect(schema: unknown): JsonSchemaDialect {
  if (!isObj(schema)) return 'draft-07';
  const declared = schema.$schema;
  if (declared === undefined) return 'draft-07';
  if (typeof declared !== 'string')
    throw new IntelGraphError('INVALID_INPUT', 'invalid JSON Schema: "$schema" must be a string');
  const dialect =
    DIALECTS[
      declared
        .replace(/#$/, '')
        .replace(/^http:\/\/json-schema\.org\/draft\/20/, 'https://json-schema.org/draft/20')
    ];
  if (!dialect)
    throw new IntelGraphError(
      'INVALID_INPUT',
      `invalid JSON Schema: unsupported "$schema" ${JSON.stringify(declared)}; use draft-07, 2019-09 or 2020-12`,
    );
  return dialect;
}

/**
 * The regular-expression engine for `pattern` and `patternProperties`: RE2 (the re2js port), whose
 * matching time is linear in the input. A schema is hostile input, and a backtracking engine lets a
 * pattern such as `^(a+)+$` spend exponential time on one 30-character string. RE2 has no lookaround or
 * backreferences; a pattern using them is refused with `INVALID_INPUT` when the schema is compiled.
 *
 * @example
 * ```ts
 * linearRegExp('^[a-z]+$', 'u').test('abc'); // true
 * linearRegExp('^(?!x)', 'u'); // throws INVALID_INPUT (lookahead)
 * ```
 */
export const linearRegExp = Object.assign(
  (pattern: string, _flags: string): { test: (s: string) => boolean; toString: () => string } => {
    let re: RE2JS;
    try {
      re = RE2JS.compile(pattern);
    } catch (cause) {
      throw new IntelGraphError(
        'INVALID_INPUT',
        `invalid JSON Schema: pattern ${JSON.stringify(pattern)} is not supported by the linear-time engine (RE2: no lookaround or backreferences): ${errorMessage(cause)}`,
        { cause, details: { pattern } },
      );
    }
    return { test: (s: string) => re.test(s), toString: () => `/${pattern}/` };
  },
  { code: 're2js' },
);

/** ajv options shared by the registry's validators and the benchmark's raw baseline. */
export const AJV_OPTIONS: Options = Object.freeze({
  allErrors: true,
  strict: true,
  strictTypes: false,
  strictTuples: false,
  strictRequired: false,
  allowUnionTypes: true,
  allowMatchingProperties: true,
  useDefaults: true,
  validateFormats: true,
  code: { regExp: linearRegExp },
});

/** A fresh ajv instance for one dialect, with formats and our annotation keyword. */
export function createAjv(dialect: JsonSchemaDialect, overrides: Options = {}): Ajv | Ajv2019 | Ajv2020 {
  const options = { ...AJV_OPTIONS, ...overrides };
  const ajv =
    dialect === '2020-12'
      ? new Ajv2020(options)
      : dialect === '2019-09'
        ? new Ajv2019(options)
        : new Ajv(options);
  addFormats(ajv);
  ajv.addKeyword({ keyword: DEPRECATION_WINDOW_KEYWORD, schemaType: 'string' });
  ajv.addKeyword({ keyword: REPLACED_BY_KEYWORD, schemaType: 'string' });
  return ajv;
}

/** A compiled JSON Schema and what ajv's strict mode found questionable in it (never a refusal). */
export interface CompiledJsonSchema {
  validate: ValidateFunction;
  /** Strict-mode findings: unknown keywords and formats, ignored keywords, defaults ajv does not apply. */
  warnings: string[];
}

const UNKNOWN_FORMAT = /^unknown format "([^"]+)" ignored in schema/;

/**
 * Compiles a JSON Schema once. What the dialect allows compiles: ajv's strict-mode findings (unknown
 * keywords such as `connect.type`, unknown formats, `additionalItems` without an `items` array, a
 * `default` inside `oneOf`/`anyOf`) come back as `warnings`, and unknown formats are not validated, as the
 * specification says. Throws `INVALID_INPUT` with ajv's reason for schemas the dialect refuses and for
 * unresolvable `$ref`s.
 *
 * @example
 * ```ts
 * const { warnings } = compileJsonSchemaWithWarnings({ type: 'string', 'connect.type': 'int16' });
 * warnings; // ['strict mode: unknown keyword: "connect.type"']
 * ```
 */
export function compileJsonSchemaWithWarnings(schema: unknown): CompiledJsonSchema {
  if (typeof schema === 'string')
    throw new IntelGraphError(
      'INVALID_INPUT',
      'invalid JSON Schema: expected a parsed schema object, got a string (JSON.parse the text first)',
    );
  if (typeof schema !== 'boolean' && (typeof schema !== 'object' || schema === null || Array.isArray(schema)))
    throw new IntelGraphError('INVALID_INPUT', 'invalid JSON Schema: a schema is an object or a boolean');
  assertBoundedExpansion(schema);
  const warnings: string[] = [];
  const note = (...args: unknown[]): void => {
    const text = args.map(String).join(' ');
    if (!warnings.includes(text)) warnings.push(text);
  };
  const dialect = jsonSchemaDialect(schema);
  const ajv = createAjv(dialect, { strict: 'log', logger: { log: () => {}, warn: note, error: note } });
  let validate: ValidateFunction | undefined;
  // Each unknown format is registered as an annotation-only format, then compilation is retried.
  for (let attempt = 0; validate === undefined; attempt++) {
    try {
      validate = ajv.compile(schema);
    } catch (cause) {
      if (cause instanceof IntelGraphError) throw cause;
      const unknown = UNKNOWN_FORMAT.exec(errorMessage(cause));
      if (!unknown?.[1] || attempt > 32)
        throw new IntelGraphError('INVALID_INPUT', `invalid JSON Schema: ${errorMessage(cause)}`, {
          cause,
        });
      ajv.removeSchema(schema);
      ajv.addFormat(unknown[1], true);
      note(`unknown format "${unknown[1]}" is not validated (an annotation only)`);
    }
  }
  checkDefaults(schema);
  return { validate, warnings };
}

/**
 * Compiles a JSON Schema once (see {@link compileJsonSchemaWithWarnings}, which also returns strict-mode
 * warnings). Throws `INVALID_INPUT` for schemas the dialect refuses.
 *
 * @example
 * ```ts
 * const validate = compileJsonSchema({ type: 'string' });
 * validate('x'); // true
 * ```
 */
export function compileJsonSchema(schema: unknown): ValidateFunction {
  return compileJsonSchemaWithWarnings(schema).validate;
}

/**
 * A default is filled into data by the gate (and makes a required field BACKWARD compatible), so it must
 * satisfy its own schema. Each default is checked against the subschema that declares it.
 */
function checkDefaults(root: unknown): void {
  const found: { pointer: string; value: unknown }[] = [];
  const walk = (node: unknown, pointer: string, depth: number): void => {
    if (depth > 64 || typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        walk(item, childPointer(pointer, i), depth + 1);
      });
      return;
    }
    for (const [k, v] of Object.entries(node)) {
      if (k === 'default') found.push({ pointer, value: v });
      else if (!VALUE_KEYWORDS.has(k)) walk(v, childPointer(pointer, k), depth + 1);
    }
  };
  walk(root, '', 0);
  if (found.length === 0 || typeof root !== 'object' || root === null) return;
  const ajv = createAjv(jsonSchemaDialect(root), {
    useDefaults: false,
    strict: false,
    logger: { log: () => {}, warn: () => {}, error: () => {} },
  });
  ajv.addSchema(root, 'root');
  for (const { pointer, value } of found) {
    let sub: ValidateFunction | undefined;
    try {
      sub = ajv.getSchema(`root#${encodeURI(pointer)}`);
    } catch {
      sub = undefined;
    }
    if (sub && !sub(structuredClone(value)))
      throw new IntelGraphError(
        'INVALID_INPUT',
        `invalid JSON Schema: the default at ${pointer || '/'} does not match its own schema (${issuesFromAjv(sub.errors)[0]?.message ?? 'invalid'})`,
      );
  }
}

/** Converts ajv errors to issues whose path points into the payload. */
export function issuesFromAjv(errors: readonly ErrorObject[] | null | undefined): ContractIssue[] {
  if (!errors) return [];
  return errors.map((e) => {
    let path = e.instancePath;
    const params: Record<string, unknown> = e.params;
    if (e.keyword === 'required' && typeof params.missingProperty === 'string')
      path = childPointer(path, params.missingProperty);
    else if (e.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string')
      path = childPointer(path, params.additionalProperty);
    const where = path === '' ? 'the payload' : path;
    let message = `${where} ${e.message ?? 'is invalid'}`;
    if (e.keyword === 'additionalProperties') message = `${where} is not allowed by the schema`;
    else if (e.keyword === 'required') message = `${where} is required`;
    else if (e.keyword === 'enum' && Array.isArray(params.allowedValues))
      message = `${where} must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    return { code: e.keyword, path, message };
  });
}
