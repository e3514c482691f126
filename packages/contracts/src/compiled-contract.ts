import { IntelGraphError, type JsonValue, type SchemaFormat } from '@intelgraph/core';
import type { ValidateFunction } from 'ajv';
import { AVRO_VALID_OPTIONS, type AvroType, avroIssues, parseAvroSchema } from './avro-validator.js';
import { avroDeprecations, type DeprecatedField, jsonSchemaDeprecations } from './deprecation.js';
import { schemaFingerprint } from './fingerprint.js';
import { assertSafeJson } from './input-guard.js';
import type { ContractIssue, ContractResult } from './issue.js';
import { compileJsonSchema, issuesFromAjv } from './json-schema-validator.js';
import { CONTRACT_LIMITS } from './limits.js';

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
   * True when validation fills in declared defaults (JSON Schema `default`); the payload is then
   * copied first, so the caller's value is never mutated.
   */
  readonly appliesDefaults: boolean;
  /** Validates a payload; on success `value` is the payload (a copy with defaults when `appliesDefaults`). */
  validate(payload: unknown): ContractResult<unknown>;
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

function buildJson(schema: JsonValue, fingerprint: string): CompiledContract {
  const fn: ValidateFunction = compileJsonSchema(schema);
  const appliesDefaults = hasDefaults(schema);
  return {
    format: 'json',
    schema,
    fingerprint,
    deprecations: jsonSchemaDeprecations(schema),
    appliesDefaults,
    validate(payload) {
      const value =
        appliesDefaults && typeof payload === 'object' && payload !== null
          ? structuredClone(payload)
          : payload;
      return fn(value) ? { ok: true, value } : { ok: false, issues: issuesFromAjv(fn.errors) };
    },
  };
}

function buildAvro(schema: JsonValue, fingerprint: string): CompiledContract {
  const type: AvroType = parseAvroSchema(schema);
  return {
    format: 'avro',
    schema,
    fingerprint,
    deprecations: avroDeprecations(schema),
    appliesDefaults: false,
    validate(payload) {
      if (type.isValid(payload, AVRO_VALID_OPTIONS)) return { ok: true, value: payload };
      const issues: ContractIssue[] = avroIssues(type, payload);
      return { ok: false, issues };
    },
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
  return {
    compile(format, schema) {
      if (format !== 'json' && format !== 'avro')
        throw new IntelGraphError(
          'INVALID_INPUT',
          `unknown schema format ${JSON.stringify(format)}; use "json" or "avro"`,
        );
      const json = assertSafeJson(schema, 'schema', CONTRACT_LIMITS.maxSchemaBytes);
      const fingerprint = schemaFingerprint(format, json);
      let compiled = byFingerprint.get(fingerprint);
      if (compiled) {
        byFingerprint.delete(fingerprint);
      } else {
        // Compile from a private copy, so later edits of the caller's object cannot change the validator.
        const own = structuredClone(json);
        compiled = format === 'json' ? buildJson(own, fingerprint) : buildAvro(own, fingerprint);
      }
      byFingerprint.set(fingerprint, compiled);
      if (byFingerprint.size > maxEntries) {
        const oldest = byFingerprint.keys().next().value;
        if (oldest !== undefined) byFingerprint.delete(oldest);
      }
      return compiled;
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
