import { IntelGraphError, type JsonValue, type SchemaFormat, sha256Hex } from '@intelgraph/core';
import {
  type AvroType,
  avroIssues,
  avroValidator,
  hasClosedRecords,
  parseAvroSchema,
} from './avro-validator.js';
import { avroDeprecations, type DeprecatedField, jsonSchemaDeprecations } from './deprecation.js';
import { schemaFingerprint } from './fingerprint.js';
import { assertSafeJson, compileScreen, exceedsDepth, type ScreenPlan } from './input-guard.js';
import type { ContractIssue, ContractResult } from './issue.js';
import {
  compileJsonSchemaWithWarnings,
  DEPRECATION_WINDOW_KEYWORD,
  issuesFromAjv,
} from './json-schema-validator.js';
import { CONTRACT_LIMITS } from './limits.js';
import { errorMessage, isObj } from './narrow.js';

/**
 * A schema compiled once: the validator, its fingerprint and what was learned from it at compile time.
 * Obtain one from {@link compileContract} or the registry; never build validators per call.
 */
export interface CompiledContract {
  readonly format: SchemaFormat;
  readonly schema: JsonValue;
  readonly fingerprint: string;
  /** Fields the schema marks deprecated. */
  readonly deprecations: readonly DeprecatedField[];
  /**
   * What the schema is allowed to do but is probably not meant to (JSON Schema strict-mode findings such
   * as unknown keywords or a `default` that is never applied). Registration accepts the schema and keeps
   * these on the version; they never refuse it.
   */
  readonly warnings: readonly string[];
  /**
   * True when validation fills in declared defaults (JSON Schema `default`); the payload is then
   * copied first, so the caller's value is never mutated.
   */
  readonly appliesDefaults: boolean;
  /**
   * False when the schema itself rules out prototype-pollution keys and unbounded nesting (closed objects
   * everywhere, no recursion, no free-form values), so gates can skip their own screening of payloads.
   */
  readonly needsScreening: boolean;
  /**
   * Validates a payload; on success `value` is the payload (a copy with defaults when `appliesDefaults`).
   * With `appliesDefaults`, a payload nested deeper than {@link CONTRACT_LIMITS}.maxDepth (or one that
   * cannot be copied) is refused with `INVALID_INPUT` before it is copied.
   */
  validate(payload: unknown): ContractResult<unknown>;
  /** The fast yes/no check (no issue list). Never mutates the payload; throws like {@link CompiledContract.validate}. */
  isValid(payload: unknown): boolean;
  /**
   * The index of the first invalid record in `[start, end)`, or `end`. Validation only (see
   * {@link CompiledContract.firstHostile} for the screen). One tight loop per format, so batch checks run
   * at the validator's own speed.
   */
  scan(records: readonly unknown[], start: number, end: number): number;
  /**
   * The index of the first record at or after `start` that carries prototype-pollution keys or runaway
   * nesting in a part of the model the schema leaves open, or `records.length`. Always `records.length`
   * when `needsScreening` is false. Closed parts are skipped (validation vouches for them), so the answer
   * is exact for records that validate; screen records that fail validation in full.
   */
  firstHostile(records: readonly unknown[], start: number): number;
}

/** True when some object or array in a valid payload could carry keys or depth the schema does not bound. */
function jsonSchemaIsOpen(schema: unknown, depth = 0): boolean {
  if (depth > CONTRACT_LIMITS.maxDepth) return true;
  if (schema === false) return false;
  if (!isObj(schema)) return true;
  if (schema.$ref !== undefined || schema.$dynamicRef !== undefined || schema.not !== undefined) return true;
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = schema[k];
    if (Array.isArray(list) && list.some((b) => jsonSchemaIsOpen(b, depth + 1))) return true;
  }
  const types =
    typeof schema.type === 'string' ? [schema.type] : Array.isArray(schema.type) ? schema.type : null;
  const combined = ['anyOf', 'oneOf', 'allOf'].some((k) => Array.isArray(schema[k]));
  const allowsObject =
    types === null
      ? !combined && schema.enum === undefined && schema.const === undefined
      : types.includes('object');
  const allowsArray =
    types === null
      ? !combined && schema.enum === undefined && schema.const === undefined
      : types.includes('array');
  if (allowsObject) {
    if (schema.additionalProperties !== false || schema.patternProperties !== undefined) return true;
    if (
      isObj(schema.properties) &&
      Object.values(schema.properties).some((p) => jsonSchemaIsOpen(p, depth + 1))
    )
      return true;
  }
  if (allowsArray) {
    if (schema.items === undefined || Array.isArray(schema.items) || schema.prefixItems !== undefined)
      return true;
    if (jsonSchemaIsOpen(schema.items, depth + 1)) return true;
  }
  return false;
}

const DANGEROUS_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Avro records are closed (undeclared fields are invalid, see {@link parseAvroSchema}); only maps (free
 * keys), recursion and fields that are themselves named like prototype keys need screening.
 */
function avroSchemaIsOpen(schema: unknown): boolean {
  const text = JSON.stringify(schema);
  if (text.includes('"map"')) return true;
  const names = new Set<string>();
  let recursive = false;
  const walk = (s: unknown, stack: Set<string>): void => {
    if (recursive) return;
    if (typeof s === 'string') {
      if (stack.has(s) || [...stack].some((n) => n.endsWith(`.${s}`))) recursive = true;
      return;
    }
    if (Array.isArray(s)) {
      for (const b of s) walk(b, stack);
      return;
    }
    if (!isObj(s)) return;
    const name = typeof s.name === 'string' ? s.name : null;
    const next = name
      ? new Set([...stack, name, ...(typeof s.namespace === 'string' ? [`${s.namespace}.${name}`] : [])])
      : stack;
    if (name) names.add(name);
    if (Array.isArray(s.fields))
      for (const f of s.fields)
        if (isObj(f)) {
          if (typeof f.name === 'string' && DANGEROUS_NAMES.has(f.name)) recursive = true;
          walk(f.type, next);
        }
    if (s.items !== undefined) walk(s.items, next);
    if (isObj(s.type) || Array.isArray(s.type)) walk(s.type, next);
  };
  walk(schema, new Set());
  return recursive;
}

function hasDefaults(schema: unknown, depth = 0): boolean {
  if (typeof schema !== 'object' || schema === null || depth > CONTRACT_LIMITS.maxDepth) return false;
  if (Array.isArray(schema)) return schema.some((s) => hasDefaults(s, depth + 1));
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'default') return true;
    if (k === 'enum' || k === 'const' || k === 'examples') continue;
    if (hasDefaults(v, depth + 1)) return true;
  }
  return false;
}

/** Nesting depth of a schema document (a bound on how deep a value valid against a closed schema nests). */
function documentDepth(v: unknown, depth = 0): number {
  if (typeof v !== 'object' || v === null || depth > CONTRACT_LIMITS.maxDepth) return depth;
  let max = depth + 1;
  for (const x of Array.isArray(v) ? v : Object.values(v)) max = Math.max(max, documentDepth(x, depth + 1));
  return max;
}

// Keywords whose meaning is fully known to the screen planner: none of them lets a declared property hold
// a value its own subschema rejects. Anything else (combinators, $ref, conditionals…) gets the full screen.
const PLANNABLE = new Set([
  '$schema',
  '$id',
  '$comment',
  '$defs',
  'definitions',
  'title',
  'description',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'minProperties',
  'maxProperties',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  DEPRECATION_WINDOW_KEYWORD,
]);

/**
 * The screen plan of an open JSON Schema (see {@link ScreenPlan}), computed once per contract: declared
 * properties whose subschema is closed are left to validation. `depth` is the payload depth of the
 * values the schema describes; a closed subtree is only skipped when it cannot reach past the limit.
 */
function planJsonScreen(schema: unknown, depth = 0): ScreenPlan | undefined {
  if (!isObj(schema) || !isObj(schema.properties) || depth >= CONTRACT_LIMITS.maxDepth) return undefined;
  for (const k of Object.keys(schema)) if (!PLANNABLE.has(k)) return undefined;
  const props = new Map<string, ScreenPlan | null>();
  for (const [key, sub] of Object.entries(schema.properties)) {
    if (!jsonSchemaIsOpen(sub) && depth + 1 + documentDepth(sub) <= CONTRACT_LIMITS.maxDepth)
      props.set(key, null);
    else {
      const plan = planJsonScreen(sub, depth + 1);
      if (plan) props.set(key, plan);
    }
  }
  return props.size > 0 ? { props } : undefined;
}

/**
 * A batch loop of its own for one contract's validator: `(records, start, end) => index of the first
 * invalid record, or end`. A loop shared by every contract would see every contract's validator at its one
 * call site, and the JIT stops inlining a call that goes to many functions; a loop per contract keeps its
 * call to the validator single-target, so it runs at the validator's own speed however many contracts
 * the process holds.
 */
function ownScanLoop(
  check: (value: unknown) => boolean,
): (records: readonly unknown[], start: number, end: number) => number {
  const body = `'use strict';
return function scan(records, start, end) {
  for (let i = start; i < end; i++) if (!check(records[i])) return i;
  return end;
};`;
  // The generated function's signature is the one written in `body`; Function has no typed form.
  return new Function('check', body)(check) as (
    records: readonly unknown[],
    start: number,
    end: number,
  ) => number;
}

/** A copy of a payload for validators that fill in defaults; refuses runaway nesting before cloning. */
function copyForDefaults(payload: unknown): unknown {
  if (typeof payload !== 'object' || payload === null) return payload;
  if (exceedsDepth(payload, CONTRACT_LIMITS.maxDepth))
    throw new IntelGraphError(
      'INVALID_INPUT',
      `payload rejected: nesting deeper than ${CONTRACT_LIMITS.maxDepth} levels`,
      { details: { limit: CONTRACT_LIMITS.maxDepth } },
    );
  try {
    return structuredClone(payload);
  } catch (cause) {
    // Functions, symbols and other values a structured clone refuses.
    throw new IntelGraphError(
      'INVALID_INPUT',
      `payload rejected: it cannot be copied (${errorMessage(cause)})`,
      {
        cause,
      },
    );
  }
}

function buildJson(schema: JsonValue, fingerprint: string): CompiledContract {
  const { validate: fn, warnings } = compileJsonSchemaWithWarnings(schema);
  const appliesDefaults = hasDefaults(schema);
  const needsScreening = jsonSchemaIsOpen(schema);
  const plan = needsScreening ? planJsonScreen(schema) : undefined;
  const maxDepth = CONTRACT_LIMITS.maxDepth;
  return {
    format: 'json',
    schema,
    fingerprint,
    deprecations: jsonSchemaDeprecations(schema),
    warnings,
    appliesDefaults,
    needsScreening,
    validate(payload) {
      const value = appliesDefaults ? copyForDefaults(payload) : payload;
      return fn(value) ? { ok: true, value } : { ok: false, issues: issuesFromAjv(fn.errors) };
    },
    isValid: (payload) => fn(appliesDefaults ? copyForDefaults(payload) : payload),
    scan: appliesDefaults
      ? (records, start, end) => {
          for (let i = start; i < end; i++) if (!fn(copyForDefaults(records[i]))) return i;
          return end;
        }
      : ownScanLoop(fn),
    firstHostile: needsScreening ? compileScreen(plan, maxDepth) : (records) => records.length,
  };
}

function buildAvro(schema: JsonValue, fingerprint: string): CompiledContract {
  const type: AvroType = parseAvroSchema(schema);
  const check = avroValidator(type);
  const needsScreening = avroSchemaIsOpen(schema) || !hasClosedRecords(type);
  const maxDepth = CONTRACT_LIMITS.maxDepth;
  return {
    format: 'avro',
    schema,
    fingerprint,
    deprecations: avroDeprecations(schema),
    warnings: [],
    appliesDefaults: false,
    needsScreening,
    validate(payload) {
      if (check(payload)) return { ok: true, value: payload };
      const issues: ContractIssue[] = avroIssues(type, payload);
      return { ok: false, issues };
    },
    isValid: check,
    scan: ownScanLoop(check),
    firstHostile: needsScreening ? compileScreen(undefined, maxDepth) : (records) => records.length,
  };
}

/** A bounded cache of compiled contracts keyed by fingerprint. */
export interface ContractCache {
  /** Compiles (or returns the cached compilation of) a schema; throws `INVALID_INPUT` for a bad one. */
  compile(format: SchemaFormat, schema: unknown): CompiledContract;
  /** The compiled contract with this fingerprint, when it is cached. */
  lookup(fingerprint: string): CompiledContract | undefined;
  /** Number of distinct schemas compiled and kept. */
  readonly size: number;
}

/**
 * Creates a cache of compiled contracts. Each distinct schema (by fingerprint) is compiled exactly once;
 * least recently used entries beyond `maxEntries` are dropped. Hot paths (the registry, gates) keep the
 * returned {@link CompiledContract} and never look it up again per payload.
 *
 * @example
 * ```ts
 * import { createContractCache } from '@intelgraph/contracts';
 * const cache = createContractCache();
 * const person = cache.compile('json', { type: 'object', required: ['id'] });
 * person.validate({ id: 'p1' }).ok; // true
 * cache.compile('json', { required: ['id'], type: 'object' }) === person; // true: same fingerprint
 * ```
 */
export function createContractCache(options: { maxEntries?: number } = {}): ContractCache {
  const maxEntries = Math.max(1, options.maxEntries ?? 1000);
  const byFingerprint = new Map<string, CompiledContract>();
  // A second index by the SHA-256 of the exact JSON text: a document seen before (same key order) skips
  // the safety walk and the canonical fingerprint, which dominate the cost of a cache hit.
  const byText = new Map<string, string>();
  const remember = (compiled: CompiledContract): CompiledContract => {
    byFingerprint.delete(compiled.fingerprint);
    byFingerprint.set(compiled.fingerprint, compiled);
    if (byFingerprint.size > maxEntries) {
      const oldest = byFingerprint.keys().next().value;
      if (oldest !== undefined) byFingerprint.delete(oldest);
    }
    return compiled;
  };
  return {
    compile(format, schema) {
      if (format !== 'json' && format !== 'avro')
        throw new IntelGraphError(
          'INVALID_INPUT',
          `unknown schema format ${JSON.stringify(format)}; use "json" or "avro"`,
        );
      let textKey: string | null = null;
      try {
        const text = JSON.stringify(schema);
        if (typeof text === 'string' && text.length <= CONTRACT_LIMITS.maxSchemaBytes)
          textKey = `${format}:${sha256Hex(text)}`;
      } catch {
        textKey = null;
      }
      const known = textKey === null ? undefined : byText.get(textKey);
      const hit = known === undefined ? undefined : byFingerprint.get(known);
      if (hit) return remember(hit);
      assertSafeJson(schema, 'schema', CONTRACT_LIMITS.maxSchemaBytes);
      // Work on a private, pure-JSON copy, so later edits of the caller's object cannot change the validator.
      // JSON.parse without a reviver yields JSON values only.
      const own: JsonValue = JSON.parse(JSON.stringify(schema));
      const fingerprint = schemaFingerprint(format, own);
      const compiled =
        byFingerprint.get(fingerprint) ??
        (format === 'json' ? buildJson(own, fingerprint) : buildAvro(own, fingerprint));
      if (textKey !== null) {
        byText.set(textKey, fingerprint);
        if (byText.size > maxEntries * 4) {
          const oldest = byText.keys().next().value;
          if (oldest !== undefined) byText.delete(oldest);
        }
      }
      return remember(compiled);
    },
    lookup(fingerprint) {
      return byFingerprint.get(fingerprint);
    },
    get size() {
      return byFingerprint.size;
    },
  };
}

const defaultCache = createContractCache();

/**
 * Compiles a schema through a shared, bounded cache (see {@link createContractCache}). Throws
 * `INVALID_INPUT` for an invalid schema, an unknown format, or an oversized or hostile document.
 *
 * @example
 * ```ts
 * import { compileContract } from '@intelgraph/contracts';
 * const c = compileContract('avro', { type: 'record', name: 'P', fields: [{ name: 'id', type: 'string' }] });
 * c.validate({ id: 'p1' }); // { ok: true, value: { id: 'p1' } }
 * ```
 */
export function compileContract(format: SchemaFormat, schema: unknown): CompiledContract {
  return defaultCache.compile(format, schema);
}
