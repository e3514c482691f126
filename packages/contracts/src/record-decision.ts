import { isIntelGraphError } from '@intelgraph/core';
import fastJsonPatch from 'fast-json-patch';
import type { CompiledContract } from './compiled-contract.js';
import { checkDeprecations } from './deprecation.js';
import { type ContractIssue, type ContractResult, childPointer } from './issue.js';
import { REPLACED_BY_KEYWORD } from './json-schema-validator.js';
import {
  type MappingPatchOperation,
  type MappingPatchSuggestion,
  nameSimilarity,
  suggestMappingPatch,
} from './mapping-patch.js';
import { errorMessage, isObj } from './narrow.js';

/** What one record gets from a contract: the verdict, its errors, and warnings that do not fail it. */
export interface RecordDecision {
  ok: boolean;
  /** The record as validated (with defaults filled in when the schema has them). */
  value: unknown;
  /** Validation issues and uses of deprecated fields whose window has ended. */
  issues: ContractIssue[];
  /** Uses of deprecated fields still inside their window. */
  warnings: ContractIssue[];
}

/**
 * The one decision for a record, shared by the runtime gate and the `intelgraph-contracts validate`
 * CLI: the contract's validation plus its deprecation windows at `now` (an expired window is an error,
 * an open one a warning). `validation` passes a result the caller already has (the gate's fast path).
 *
 * @example
 * ```ts
 * import { compileContract, decideRecord } from '@intelgraph/contracts';
 * const c = compileContract('json', { type: 'object', properties: {
 *   dob: { type: 'string', deprecated: true, 'x-deprecation-window': '2026-01-31' } } });
 * decideRecord(c, { dob: '1990-01-01' }, Date.parse('2026-12-06')).issues[0].code; // 'deprecated_field_expired'
 * ```
 */
export function decideRecord(
  compiled: CompiledContract,
  record: unknown,
  now: number,
  validation?: ContractResult<unknown>,
): RecordDecision {
  const result = validation ?? compiled.validate(record);
  const value = result.ok ? result.value : record;
  let issues = result.ok ? [] : [...result.issues];
  let warnings: ContractIssue[] = [];
  if (compiled.deprecations.length > 0) {
    const d = checkDeprecations(compiled.deprecations, record, now);
    warnings = d.warnings;
    if (d.errors.length > 0) issues = [...issues, ...d.errors];
  }
  return { ok: issues.length === 0, value, issues, warnings };
}

function parentPointer(pointer: string): { parent: string; name: string } {
  const at = pointer.lastIndexOf('/');
  return {
    parent: pointer.slice(0, at),
    name: pointer
      .slice(at + 1)
      .replaceAll('~1', '/')
      .replaceAll('~0', '~'),
  };
}

function get(doc: unknown, pointer: string): unknown {
  try {
    return fastJsonPatch.getValueByPointer(doc, pointer);
  } catch {
    return undefined;
  }
}

/**
 * For a use of an expired deprecated field: move it to the property its `x-replaced-by` names, else to the
 * live property it most resembles (declared beside it, absent from the record, not deprecated), or else
 * remove it.
 */
function deprecationOps(
  compiled: CompiledContract,
  record: unknown,
  expired: readonly ContractIssue[],
): MappingPatchOperation[] {
  const ops: MappingPatchOperation[] = [];
  for (const issue of expired) {
    const { parent, name } = parentPointer(issue.path);
    const holder = get(record, parent);
    const field = compiled.deprecations.find((f) => f.segments[f.segments.length - 1] === name);
    let target: string | null = null;
    if (compiled.format === 'json' && field && isObj(holder)) {
      const props = get(compiled.schema, parentPointer(field.schemaPath).parent);
      const declared = isObj(props) ? props[name] : undefined;
      const named = isObj(declared) ? declared[REPLACED_BY_KEYWORD] : undefined;
      if (
        typeof named === 'string' &&
        isObj(props) &&
        Object.hasOwn(props, named) &&
        !Object.hasOwn(holder, named)
      )
        target = named;
      else if (isObj(props)) {
        let best = 0;
        for (const [candidate, sub] of Object.entries(props)) {
          if (candidate === name || Object.hasOwn(holder, candidate)) continue;
          if (isObj(sub) && sub.deprecated === true) continue;
          const score = nameSimilarity(name, candidate);
          if (score > best && score >= 0.5) {
            best = score;
            target = candidate;
          }
        }
      }
    }
    if (target !== null)
      ops.push({
        op: 'move',
        from: issue.path,
        path: childPointer(parent, target),
        reason: `'${name}' is deprecated and its window has ended; '${target}' replaces it`,
        confidence: 0.6,
      });
    else
      ops.push({
        op: 'remove',
        path: issue.path,
        reason: `'${name}' is deprecated and its window has ended; removing it drops its value`,
        confidence: 0.7,
      });
  }
  return ops;
}

/**
 * A patch that makes a record pass {@link decideRecord}: expired deprecated fields moved to their
 * replacement or removed, then the mapping-patch suggestion for what validation still rejects. The
 * patched record is decided again before answering; a patch that would still fail is never suggested.
 *
 * @example
 * ```ts
 * import { compileContract, suggestRecordPatch } from '@intelgraph/contracts';
 * const c = compileContract('json', { type: 'object', properties: { birthDate: { type: 'string' },
 *   dob: { type: 'string', deprecated: true, 'x-deprecation-window': '2026-01-31' } } });
 * suggestRecordPatch(c, { dob: '1990-01-01' }, Date.parse('2026-12-06')).patch;
 * // [{ op: 'remove', path: '/dob', … }] (or a move when a similarly named live property exists)
 * ```
 */
export function suggestRecordPatch(
  compiled: CompiledContract,
  record: unknown,
  now: number,
): MappingPatchSuggestion {
  try {
    const expired = checkDeprecations(compiled.deprecations, record, now).errors;
    const first = deprecationOps(compiled, record, expired);
    const moved =
      first.length > 0
        ? fastJsonPatch.applyPatch(structuredClone(record), first, true, false).newDocument
        : record;
    const rest = suggestMappingPatch(compiled, moved);
    if (!rest.ok) return rest;
    const patch = [...first, ...rest.patch];
    const decided = decideRecord(compiled, rest.value, now);
    if (!decided.ok) return { ok: false, patch: [], issues: decided.issues };
    return { ok: true, patch, value: rest.value };
  } catch (e) {
    if (!isIntelGraphError(e, 'INVALID_INPUT') && !(e instanceof fastJsonPatch.JsonPatchError)) throw e;
    return {
      ok: false,
      patch: [],
      issues: [{ code: 'not_patchable', path: '', message: errorMessage(e) }],
    };
  }
}
