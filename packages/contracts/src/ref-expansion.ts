import { IntelGraphError } from '@intelgraph/core';
import { CONTRACT_LIMITS } from './limits.js';
import { isObj, type Obj } from './narrow.js';

// A JSON Schema of a few hundred bytes can make its validator do exponential work: definitions that
// each reference the next one several times (`d0: { allOf: [{ $ref: d1 }, { $ref: d1 }, …] }`, and so
// on) are evaluated once per use, so ten levels of four uses cost a million evaluations per payload.
// The expanded size below counts the subschemas a validator evaluates, each `$ref` counted as the
// size of its target at every use (recursion once), in time linear in the document.

/** Keywords whose values are data (JSON values), not subschemas: never walked as schemas. */
export const VALUE_KEYWORDS: ReadonlySet<string> = new Set(['default', 'enum', 'const', 'examples']);
/** What the expanded size skips: data, and definitions (counted where a `$ref` uses them). */
const NOT_SCHEMAS = new Set([...VALUE_KEYWORDS, '$defs', 'definitions']);
const REF_KEYWORDS = ['$ref', '$dynamicRef', '$recursiveRef'] as const;

interface Index {
  root: unknown;
  /** Every schema resource: the root, and each object with an `$id`. */
  resources: { id: string; schema: Obj }[];
  /** `$anchor`, `$dynamicAnchor` and draft-07 `"$id": "#name"`, by name. */
  anchors: Map<string, Obj[]>;
  /** The resource each object lies in lexically (its nearest ancestor with an `$id`, else the root). */
  resourceOf: Map<Obj, Obj>;
  /**
   * What ajv unrolls into generated code: every `enum` value; the squares of the lengths of
   * `dependentRequired` (and draft-07 array `dependencies`) lists, since ajv writes each missing-name
   * error with the whole list; and `patternProperties` entries, whose compile time is quadratic.
   */
  unrolled: { enumValues: number; dependencySquares: number; patternProperties: number };
}

function indexDocument(root: unknown): Index {
  const resources: Index['resources'] = isObj(root) ? [{ id: '', schema: root }] : [];
  const anchors = new Map<string, Obj[]>();
  const addAnchor = (name: unknown, o: Obj): void => {
    if (typeof name !== 'string' || name === '') return;
    const list = anchors.get(name);
    if (list) list.push(o);
    else anchors.set(name, [o]);
  };
  const resourceOf = new Map<Obj, Obj>();
  const unrolled = { enumValues: 0, dependencySquares: 0, patternProperties: 0 };
  const count = (k: string, v: unknown): void => {
    if (k === 'enum' && Array.isArray(v)) unrolled.enumValues += v.length;
    else if ((k === 'dependentRequired' || k === 'dependencies') && isObj(v)) {
      for (const names of Object.values(v))
        if (Array.isArray(names)) unrolled.dependencySquares += names.length ** 2;
    } else if (k === 'patternProperties' && isObj(v)) unrolled.patternProperties += Object.keys(v).length;
  };
  const top = isObj(root) ? root : {};
  const stack: { value: unknown; depth: number; resource: Obj }[] = [
    { value: root, depth: 0, resource: top },
  ];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, depth } = item;
    let { resource } = item;
    if (depth > CONTRACT_LIMITS.maxDepth) continue;
    if (Array.isArray(value)) {
      for (const v of value) stack.push({ value: v, depth: depth + 1, resource });
      continue;
    }
    if (!isObj(value)) continue;
    if (typeof value.$id === 'string') {
      if (value.$id.startsWith('#')) addAnchor(value.$id.slice(1), value);
      else if (value !== root) {
        resources.push({ id: value.$id.replace(/#$/, ''), schema: value });
        resource = value;
      }
    }
    resourceOf.set(value, resource);
    addAnchor(value.$anchor, value);
    addAnchor(value.$dynamicAnchor, value);
    for (const [k, v] of Object.entries(value)) {
      count(k, v);
      if (!VALUE_KEYWORDS.has(k)) stack.push({ value: v, depth: depth + 1, resource });
    }
  }
  return { root, resources, anchors, resourceOf, unrolled };
}

function decode(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined; // a malformed escape: the reference resolves to nothing
  }
}

function pointer(base: Obj, fragment: string): unknown {
  let cur: unknown = base;
  for (const raw of fragment.slice(1).split('/')) {
    const decoded = decode(raw);
    if (decoded === undefined) return undefined;
    const seg = decoded.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(cur)) cur = Reflect.get(cur, seg);
    else if (isObj(cur)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

/**
 * Where a reference made from `from` may land. A reference without a base (`#/…`, `#name`) stays in the
 * resource it is written in; one with a base is resolved against the resources whose `$id` it may name
 * (the same id, or the same last path segment; every resource when none does), so the answer
 * over-approximates, the safe side for a size bound. Anchors are looked up document-wide.
 */
function targets(index: Index, ref: string, from: Obj, spend: (n: number) => void): Obj[] {
  const hash = ref.indexOf('#');
  const base = hash < 0 ? ref : ref.slice(0, hash);
  const fragment = hash < 0 ? '' : ref.slice(hash + 1);
  let bases: Obj[];
  if (base === '') bases = [index.resourceOf.get(from) ?? from];
  else {
    spend(index.resources.length);
    const last = base.split('/').pop() ?? base;
    const named = index.resources.filter((r) => r.id === base || r.id.endsWith(`/${last}`));
    bases = (named.length > 0 ? named : index.resources).map((r) => r.schema);
  }
  if (fragment === '') return bases;
  if (!fragment.startsWith('/')) return index.anchors.get(decode(fragment) ?? '') ?? [];
  spend(bases.length);
  const out: Obj[] = [];
  for (const b of bases) {
    const t = pointer(b, fragment);
    if (isObj(t)) out.push(t);
  }
  return out;
}

const WORK_PER_NODE = 20;
const OVER = new Error('reference resolution exceeded its work bound');

/**
 * The number of subschemas a validator evaluates for `schema` (each `$ref` expanded at every use,
 * a recursive one once), saturating just above `limit`. Resolving references costs at most
 * `20 × limit` steps; past that the answer is `limit + 1` too.
 *
 * @example
 * ```ts
 * expandedSchemaSize({ type: 'object', properties: { a: { type: 'string' } } }, 1000); // 3 (root, properties, a)
 * ```
 */
export function expandedSchemaSize(schema: unknown, limit: number): number {
  return measure(indexDocument(schema), limit);
}

function measure(index: Index, limit: number): number {
  const memo = new WeakMap<Obj, number>();
  const active = new Set<Obj>();
  const resolved = new Map<string, Obj[]>(); // references with a base, which do not depend on `from`
  // Resolving references costs work too (many resources, many candidates per reference): past this
  // much the schema counts as over the limit, so the count itself stays bounded.
  let work = WORK_PER_NODE * (limit + 1);
  const spend = (n: number): void => {
    work -= n;
    if (work < 0) throw OVER;
  };
  const cap = (n: number): number => Math.min(n, limit + 1);
  const targetsOf = (ref: string, from: Obj): Obj[] => {
    if (ref.startsWith('#')) return targets(index, ref, from, spend);
    const hit = resolved.get(ref);
    if (hit) return hit;
    const found = targets(index, ref, from, spend);
    resolved.set(ref, found);
    return found;
  };
  const size = (value: unknown, depth: number): number => {
    if (depth > CONTRACT_LIMITS.maxDepth) return 1;
    if (Array.isArray(value)) {
      let n = 0;
      for (const v of value) n = cap(n + size(v, depth + 1));
      return n;
    }
    if (!isObj(value)) return 0;
    const hit = memo.get(value);
    if (hit !== undefined) return hit;
    if (active.has(value)) return 1; // recursion: evaluated once per level of the payload
    active.add(value);
    let n = 1;
    for (const k of REF_KEYWORDS) {
      const ref = value[k];
      if (typeof ref !== 'string') continue;
      let most = 0;
      for (const t of targetsOf(ref, value)) {
        spend(1);
        most = Math.max(most, size(t, depth + 1));
      }
      n = cap(n + most);
    }
    for (const [k, v] of Object.entries(value)) {
      if (NOT_SCHEMAS.has(k) || (typeof v !== 'object' && typeof v !== 'boolean') || v === null) continue;
      n = cap(n + size(v, depth + 1));
      if (n > limit) break;
    }
    active.delete(value);
    memo.set(value, n);
    return n;
  };
  try {
    return size(index.root, 0);
  } catch (error) {
    if (error === OVER) return limit + 1;
    throw error;
  }
}

/**
 * Refuses a JSON Schema whose validator would evaluate more than `CONTRACT_LIMITS.maxExpandedSchemaNodes`
 * subschemas, or whose enums list more than `CONTRACT_LIMITS.maxEnumValues` values together (ajv's
 * meta-schema check of enums is quadratic), whose `dependentRequired` lists are long enough that ajv's
 * generated code (quadratic in a list's length) would exhaust memory, or that declares more than
 * `CONTRACT_LIMITS.maxPatternProperties` `patternProperties` entries, with `INVALID_INPUT` and the limit
 * in its details. One linear walk of the document answers all four.
 *
 * @example
 * ```ts
 * assertBoundedExpansion({ type: 'string' }); // returns; a fan-out of $refs throws INVALID_INPUT
 * ```
 */
export function assertBoundedExpansion(schema: unknown): void {
  const index = indexDocument(schema);
  const { enumValues, dependencySquares, patternProperties } = index.unrolled;
  const patterns = CONTRACT_LIMITS.maxPatternProperties;
  if (patternProperties > patterns)
    throw new IntelGraphError(
      'INVALID_INPUT',
      `invalid JSON Schema: it declares ${patternProperties} patternProperties entries, the limit is ${patterns} (ajv's compile time grows with their square)`,
      { details: { limit: patterns, observed: patternProperties } },
    );
  const values = CONTRACT_LIMITS.maxEnumValues;
  if (enumValues > values)
    throw new IntelGraphError(
      'INVALID_INPUT',
      `invalid JSON Schema: its enums list more than ${values} values together; validate such a list outside the contract (a lookup), or split the schema`,
      { details: { limit: values } },
    );
  const squares = CONTRACT_LIMITS.maxDependentRequiredSquares;
  if (dependencySquares > squares)
    throw new IntelGraphError(
      'INVALID_INPUT',
      `invalid JSON Schema: its dependentRequired lists are too long (the squares of their lengths add up to ${dependencySquares}, the limit is ${squares}; one list may name about ${Math.floor(Math.sqrt(squares))} properties)`,
      { details: { limit: squares, observed: dependencySquares } },
    );
  const limit = CONTRACT_LIMITS.maxExpandedSchemaNodes;
  if (measure(index, limit) <= limit) return;
  throw new IntelGraphError(
    'INVALID_INPUT',
    `invalid JSON Schema: its $refs expand to more than ${limit} subschemas (definitions used several times over at each level), so validating one payload would cost that much; share fewer definitions per level`,
    { details: { limit } },
  );
}
