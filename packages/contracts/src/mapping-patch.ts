import { IntelGraphError, type JsonValue, type SchemaFormat } from '@intelgraph/core';
import fastJsonPatch from 'fast-json-patch';
import { distance } from 'fastest-levenshtein';
import { z } from 'zod';
import { avroToJsonSchema } from './avro-json-schema.js';
import { parseAvroSchema } from './avro-validator.js';
import { type CompiledContract, compileContract } from './compiled-contract.js';
import { normaliseDate } from './date-format.js';
import { FormatSchema } from './diff.js';
import { assertSafeJson } from './input-guard.js';
import { type ContractIssue, type ContractResult, childPointer } from './issue.js';
import { CONTRACT_LIMITS } from './limits.js';
import { errorMessage, isObj, type Obj, toJsonValue } from './narrow.js';

/**
 * One RFC 6902 operation of a mapping patch. RFC 6902 tells appliers to ignore members an operation
 * does not define, so `reason` and `confidence` travel inside the standard patch.
 */
export type MappingPatchOperation =
  | { op: 'add'; path: string; value: JsonValue; reason: string; confidence: number }
  | { op: 'replace'; path: string; value: JsonValue; reason: string; confidence: number }
  | { op: 'remove'; path: string; reason: string; confidence: number }
  | { op: 'move'; from: string; path: string; reason: string; confidence: number };

/**
 * The answer of {@link suggestMappingPatch}: a patch that is proven to make the payload valid (with the
 * patched value), or the issues no known fix resolves. A failing patch is never suggested.
 */
export type MappingPatchSuggestion =
  | { ok: true; patch: MappingPatchOperation[]; value: unknown }
  | { ok: false; patch: []; issues: ContractIssue[] };

/** A schema to patch against: a compiled contract, or a raw schema with its format (JSON by default). */
export type PatchTarget = CompiledContract | unknown;

function isCompiled(v: unknown): v is CompiledContract {
  return isObj(v) && typeof v.validate === 'function' && typeof v.fingerprint === 'string';
}

function target(schema: PatchTarget, format: SchemaFormat | undefined): CompiledContract {
  if (isCompiled(schema)) return schema;
  const f = FormatSchema.safeParse(format ?? 'json');
  if (!f.success)
    throw new IntelGraphError(
      'INVALID_INPUT',
      `unknown schema format ${JSON.stringify(format)}; use "json" or "avro"`,
    );
  return compileContract(f.data, schema);
}

const PatchSchema = z
  .array(
    z.union([
      z.object({ op: z.literal('add'), path: z.string(), value: z.json() }).loose(),
      z.object({ op: z.literal('replace'), path: z.string(), value: z.json() }).loose(),
      z.object({ op: z.literal('remove'), path: z.string() }).loose(),
      z.object({ op: z.literal('move'), from: z.string(), path: z.string() }).loose(),
      z.object({ op: z.literal('copy'), from: z.string(), path: z.string() }).loose(),
      z.object({ op: z.literal('test'), path: z.string(), value: z.json() }).loose(),
    ]),
  )
  .max(10_000);

/**
 * Similarity of two property names in [0, 1]: case and separators ignored, then edit distance (or 0.75
 * when one name contains the other). Mapping patches rename at 0.6 and above.
 *
 * @example
 * ```ts
 * import { nameSimilarity } from '@intelgraph/contracts';
 * nameSimilarity('first_name', 'firstName'); // 0.95
 * nameSimilarity('fullName', 'name'); // 0.75
 * ```
 */
export function nameSimilarity(a: string, b: string): number {
  const na = a.toLowerCase().replace(/[\s_-]/g, '');
  const nb = b.toLowerCase().replace(/[\s_-]/g, '');
  if (na === nb) return 0.95;
  const longest = Math.max(na.length, nb.length);
  if (longest === 0) return 0;
  const edit = 1 - distance(na, nb) / longest;
  const shorter = na.length < nb.length ? na : nb;
  const contained = shorter.length >= 3 && (na.includes(nb) || nb.includes(na)) ? 0.75 : 0;
  return Math.max(edit, contained);
}

// ---- schema helpers --------------------------------------------------------------------------------

function resolve(root: unknown, schema: unknown, hops = 0): unknown {
  if (!isObj(schema) || typeof schema.$ref !== 'string' || hops > 32) return schema;
  const ref = schema.$ref;
  if (!ref.startsWith('#')) return schema;
  let cur: unknown = root;
  const pointer = decodeURIComponent(ref.slice(1));
  if (pointer !== '')
    for (const raw of pointer.slice(1).split('/')) {
      const seg = raw.replaceAll('~1', '/').replaceAll('~0', '~');
      if (Array.isArray(cur)) cur = Reflect.get(cur, seg);
      else if (isObj(cur)) cur = cur[seg];
      else return schema;
    }
  return resolve(root, cur, hops + 1);
}

/** Flattens `allOf` into one view of properties, required names and content model (for planning only). */
function view(root: unknown, schema: unknown): { props: Obj; required: string[]; closed: boolean; s: Obj } {
  const s = resolve(root, schema);
  const out: { props: Obj; required: string[]; closed: boolean; s: Obj } = {
    props: {},
    required: [],
    closed: false,
    s: isObj(s) ? s : {},
  };
  const visit = (x: unknown, depth: number): void => {
    const r = resolve(root, x);
    if (!isObj(r) || depth > 8) return;
    if (isObj(r.properties)) Object.assign(out.props, r.properties);
    if (Array.isArray(r.required))
      out.required.push(...r.required.filter((q): q is string => typeof q === 'string'));
    if (r.additionalProperties === false && !isObj(r.patternProperties)) out.closed = true;
    if (Array.isArray(r.allOf)) for (const b of r.allOf) visit(b, depth + 1);
  };
  visit(s, 0);
  return out;
}

function types(root: unknown, schema: unknown): Set<string> | null {
  const s = resolve(root, schema);
  if (!isObj(s)) return null;
  if (typeof s.type === 'string') return new Set([s.type]);
  if (Array.isArray(s.type)) return new Set(s.type.filter((t): t is string => typeof t === 'string'));
  if (Array.isArray(s.enum)) return new Set(s.enum.map(jsonType));
  return null;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeAllowed(allowed: Set<string> | null, v: unknown): boolean {
  if (allowed === null) return true;
  const t = jsonType(v);
  return allowed.has(t) || (t === 'integer' && allowed.has('number'));
}

/** Lossless scalar conversions towards the allowed types. */
function coerce(v: unknown, allowed: Set<string>): { value: JsonValue; reason: string } | null {
  if (typeof v === 'string') {
    const s = v;
    if (
      (allowed.has('integer') || allowed.has('number')) &&
      /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(s)
    ) {
      const n = Number(s);
      if (Number.isFinite(n) && String(n) === s && (allowed.has('number') || Number.isInteger(n)))
        return { value: n, reason: `the string ${JSON.stringify(s)} holds exactly the number ${n}` };
    }
    if (allowed.has('boolean') && (s === 'true' || s === 'false'))
      return { value: s === 'true', reason: `the string ${JSON.stringify(s)} holds exactly a boolean` };
    return null;
  }
  if (typeof v === 'number' && allowed.has('string') && Number.isFinite(v))
    return { value: String(v), reason: `the number ${v} written as the string ${JSON.stringify(String(v))}` };
  if (typeof v === 'boolean' && allowed.has('string'))
    return { value: String(v), reason: `the boolean ${v} written as a string` };
  return null;
}

// ---- planning --------------------------------------------------------------------------------------

interface Planner {
  root: unknown;
  ops: MappingPatchOperation[];
}

/** Plans fixes for `value` (a private copy, mutated as ops are planned) at `path` against `schema`. */
function plan(
  p: Planner,
  schema: unknown,
  value: unknown,
  path: string,
  setValue: (v: unknown) => void,
  depth: number,
): void {
  if (depth > CONTRACT_LIMITS.maxDepth) return;
  const s = resolve(p.root, schema);
  if (!isObj(s)) return;
  // Unions: plan against the first branch whose type fits, else the first one that can be coerced into.
  const branches = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : null;
  if (branches && s.type === undefined && !isObj(s.properties)) {
    const fit =
      branches.find((b) => typeAllowed(types(p.root, b), value)) ??
      branches.find((b) => {
        const t = types(p.root, b);
        return t !== null && coerce(value, t) !== null;
      }) ??
      branches.find((b) => isObj(resolve(p.root, b)));
    if (fit !== undefined) plan(p, fit, value, path, setValue, depth + 1);
    return;
  }
  const allowed = types(p.root, s);
  if (!typeAllowed(allowed, value) && allowed) {
    const c = coerce(value, allowed);
    if (c) {
      p.ops.push({ op: 'replace', path, value: c.value, reason: c.reason, confidence: 0.9 });
      setValue(c.value);
      value = c.value;
    }
  }
  if (typeof s.format === 'string' && (typeof value === 'string' || typeof value === 'number')) {
    const fmt = s.format;
    const alreadyOk =
      typeof value === 'string' &&
      (fmt === 'date'
        ? /^\d{4}-\d{2}-\d{2}$/.test(value)
        : fmt === 'date-time'
          ? /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value)
          : true);
    if (!alreadyOk && (fmt === 'date' || fmt === 'date-time')) {
      const d = normaliseDate(value, fmt);
      if (d) {
        p.ops.push({ op: 'replace', path, value: d.value, reason: d.reason, confidence: d.confidence });
        setValue(d.value);
        value = d.value;
      }
    }
  }
  if (Array.isArray(s.enum) && typeof value === 'string' && !s.enum.includes(value)) {
    const lower = value.toLowerCase();
    const matches = s.enum.filter((e): e is string => typeof e === 'string' && e.toLowerCase() === lower);
    if (matches.length === 1 && matches[0] !== undefined) {
      p.ops.push({
        op: 'replace',
        path,
        value: matches[0],
        reason: `${JSON.stringify(value)} matches the allowed value ${JSON.stringify(matches[0])} but for case`,
        confidence: 0.8,
      });
      setValue(matches[0]);
      value = matches[0];
    }
  }
  if (Array.isArray(value)) {
    const items = s.items;
    if (isObj(items) || items === true)
      value.forEach((item, i) => {
        plan(
          p,
          items,
          item,
          childPointer(path, i),
          (v) => {
            value[i] = v;
          },
          depth + 1,
        );
      });
    return;
  }
  if (isObj(value)) planObject(p, s, value, path, depth);
}

function planObject(p: Planner, s: Obj, value: Obj, path: string, depth: number): void {
  const { props, required, closed } = view(p.root, s);
  const patterns = isObj(s.patternProperties) ? Object.keys(s.patternProperties) : [];
  const matchesPattern = (k: string): boolean =>
    patterns.some((pat) => {
      try {
        return new RegExp(pat, 'u').test(k);
      } catch {
        return false;
      }
    });
  const unknown = Object.keys(value).filter((k) => !Object.hasOwn(props, k) && !matchesPattern(k));
  const used = new Set<string>();
  const missingRequired = required.filter((r) => !Object.hasOwn(value, r));

  const rename = (from: string, to: string, confidence: number, why: string): void => {
    p.ops.push({
      op: 'move',
      from: childPointer(path, from),
      path: childPointer(path, to),
      reason: why,
      confidence,
    });
    value[to] = value[from];
    delete value[from];
    used.add(from);
  };
  const bestFor = (name: string, threshold: number): { key: string; score: number } | null => {
    let best: { key: string; score: number } | null = null;
    const wanted = types(p.root, props[name]);
    for (const k of unknown) {
      if (used.has(k)) continue;
      let score = nameSimilarity(k, name);
      if (wanted && !typeAllowed(wanted, value[k]) && !coerce(value[k], wanted)) score *= 0.8;
      if (score >= threshold && (!best || score > best.score)) best = { key: k, score };
    }
    return best;
  };

  for (const name of missingRequired) {
    const best = bestFor(name, 0.6);
    if (best)
      rename(
        best.key,
        name,
        Math.round(best.score * 100) / 100,
        `'${best.key}' looks like the required property '${name}' (similarity ${best.score.toFixed(2)})`,
      );
  }
  if (closed)
    for (const name of Object.keys(props)) {
      if (Object.hasOwn(value, name)) continue;
      const best = bestFor(name, 0.75);
      if (best)
        rename(
          best.key,
          name,
          Math.round(best.score * 90) / 100,
          `'${best.key}' is not allowed by the closed schema and looks like the property '${name}'`,
        );
    }
  for (const name of missingRequired) {
    if (Object.hasOwn(value, name)) continue;
    const sub = resolve(p.root, props[name]);
    if (isObj(sub) && 'default' in sub) {
      // Schema defaults are JSON (compiled schemas are pure-JSON copies; Avro defaults come from avsc).
      const dflt = toJsonValue(structuredClone(sub.default)) ?? null;
      p.ops.push({
        op: 'add',
        path: childPointer(path, name),
        value: dflt,
        reason: `the required property '${name}' is missing and the schema declares its default`,
        confidence: 0.9,
      });
      value[name] = dflt;
    }
  }
  for (const name of Object.keys(props)) {
    if (!Object.hasOwn(value, name)) continue;
    plan(
      p,
      props[name],
      value[name],
      childPointer(path, name),
      (v) => {
        value[name] = v;
      },
      depth + 1,
    );
  }
  if (closed)
    for (const k of unknown) {
      if (used.has(k) || !Object.hasOwn(value, k)) continue;
      p.ops.push({
        op: 'remove',
        path: childPointer(path, k),
        reason: `'${k}' is not allowed by the closed schema; removing it drops its value`,
        confidence: 0.6,
      });
      delete value[k];
    }
}

/**
 * Suggests an RFC 6902 JSON Patch that makes `payload` conform to `schema`: renamed fields (by similarity
 * to missing required names), lossless string↔number/boolean coercions, dates rewritten to the declared
 * format, defaults for missing required fields, and removal of unknown properties from closed objects.
 * Every operation carries a `reason` and a `confidence` (0–1). The patched payload is validated before
 * answering; a patch that would still fail is never suggested (`ok: false` lists what remains).
 *
 * @example
 * ```ts
 * import { suggestMappingPatch } from '@intelgraph/contracts';
 * const schema = { type: 'object', required: ['id', 'name'], properties: {
 *   id: { type: 'string' }, name: { type: 'string' }, age: { type: 'integer' } } };
 * const s = suggestMappingPatch(schema, { id: 'p1', fullName: 'Ada', age: '36' });
 * // s.ok === true; s.patch:
 * // [{ op: 'move', from: '/fullName', path: '/name', reason: "'fullName' looks like …", confidence: 0.75 },
 * //  { op: 'replace', path: '/age', value: 36, reason: 'the string "36" holds exactly the number 36', confidence: 0.9 }]
 * ```
 */
export function suggestMappingPatch(
  schema: PatchTarget,
  payload: unknown,
  options: { format?: SchemaFormat } = {},
): MappingPatchSuggestion {
  const contract = target(schema, options.format);
  const safe = assertSafeJson(payload, 'payload', CONTRACT_LIMITS.maxPayloadBytes);
  const first = contract.validate(structuredClone(safe));
  if (first.ok) return { ok: true, patch: [], value: first.value };
  const planningSchema =
    contract.format === 'avro' ? avroToJsonSchema(parseAvroSchema(contract.schema)) : contract.schema;
  const work: { v: unknown } = { v: structuredClone(safe) };
  const p: Planner = { root: planningSchema, ops: [] };
  plan(
    p,
    planningSchema,
    work.v,
    '',
    (v) => {
      work.v = v;
    },
    0,
  );
  if (p.ops.length === 0) return { ok: false, patch: [], issues: first.issues };
  const applied = applyMappingPatch(contract, safe, p.ops);
  if (!applied.ok) return { ok: false, patch: [], issues: applied.issues };
  return { ok: true, patch: p.ops, value: applied.value };
}

/**
 * Applies an RFC 6902 patch to a copy of `payload` and validates the result against `schema`, in one call.
 * The caller's payload is never modified. A malformed patch, or one that cannot apply, is `INVALID_INPUT`.
 *
 * @example
 * ```ts
 * import { applyMappingPatch, suggestMappingPatch } from '@intelgraph/contracts';
 * const s = suggestMappingPatch(schema, payload);
 * if (s.ok) applyMappingPatch(schema, payload, s.patch); // { ok: true, value: … }
 * ```
 */
export function applyMappingPatch(
  schema: PatchTarget,
  payload: unknown,
  patch: readonly unknown[],
  options: { format?: SchemaFormat } = {},
): ContractResult<unknown> {
  const contract = target(schema, options.format);
  const safe = assertSafeJson(payload, 'payload', CONTRACT_LIMITS.maxPayloadBytes);
  const ops = PatchSchema.safeParse(patch);
  if (!ops.success)
    throw new IntelGraphError(
      'INVALID_INPUT',
      `invalid JSON Patch: ${ops.error.issues[0]?.message ?? 'malformed'}`,
    );
  assertSafeJson(patch, 'patch', CONTRACT_LIMITS.maxPayloadBytes);
  let patched: unknown;
  try {
    // validateOperation=true checks each op; banPrototypeModifications stays on (the library default).
    patched = fastJsonPatch.applyPatch(structuredClone(safe), ops.data, true, false).newDocument;
  } catch (cause) {
    throw new IntelGraphError('INVALID_INPUT', `the patch does not apply: ${errorMessage(cause)}`, {
      cause,
    });
  }
  return contract.validate(patched);
}
