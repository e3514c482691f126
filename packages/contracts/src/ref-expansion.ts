import { IntelGraphError } from '@intelgraph/core';
import { CONTRACT_LIMITS } from './limits.js';
import { isObj, type Obj } from './narrow.js';

// A JSON Schema of a few hundred bytes can make its validator do exponential work: definitions that
// each reference the next one several times (`d0: { allOf: [{ $ref: d1 }, { $ref: d1 }, …] }`, and so
// on) are evaluated once per use, so ten levels of four uses cost a million evaluations per payload.
// The expanded size below counts the subschemas a validator evaluates, each `$ref` counted as the
// size of its target at every use (recursion once), in time linear in the document.

/** Values that hold data, not subschemas: never walked. `$defs` are counted where they are used. */
const NOT_SCHEMAS = new Set(['enum', 'const', 'examples', 'default', '$defs', 'definitions']);
const REF_KEYWORDS = ['$ref', '$dynamicRef', '$recursiveRef'] as const;

interface Index {
  root: unknown;
  /** Every schema resource: the root, and each object with an `$id`. */
  resources: { id: string; schema: Obj }[];
  /** `$anchor`, `$dynamicAnchor` and draft-07 `"$id": "#name"`, by name. */
  anchors: Map<string, Obj[]>;
}

function indexDocument(root: unknown): Index {
  const resources: Index['resources'] = isObj(root) ? [{ id: '', schema: root }] : [];
  const anchors = new Map<string, Obj[]>();
  const addAnchor = (name: unknown, o: Obj): void => {
    if (typeof name !== 'string' || name === '') return;
    anchors.set(name, [...(anchors.get(name) ?? []), o]);
  };
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, depth } = item;
    if (depth > CONTRACT_LIMITS.maxDepth) continue;
    if (Array.isArray(value)) {
      for (const v of value) stack.push({ value: v, depth: depth + 1 });
      continue;
    }
    if (!isObj(value)) continue;
    if (typeof value.$id === 'string') {
      if (value.$id.startsWith('#')) addAnchor(value.$id.slice(1), value);
      else if (value !== root) resources.push({ id: value.$id.replace(/#$/, ''), schema: value });
    }
    addAnchor(value.$anchor, value);
    addAnchor(value.$dynamicAnchor, value);
    for (const [k, v] of Object.entries(value))
      if (k !== 'enum' && k !== 'const' && k !== 'examples' && k !== 'default')
        stack.push({ value: v, depth: depth + 1 });
  }
  return { root, resources, anchors };
}

function pointer(base: Obj, fragment: string): unknown {
  let cur: unknown = base;
  for (const raw of fragment.slice(1).split('/')) {
    const seg = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(cur)) cur = Reflect.get(cur, seg);
    else if (isObj(cur)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

/**
 * Where a reference may land. Relative references are resolved against every resource they could
 * name (the base URI of the referring schema is not tracked), so the answer over-approximates: for a
 * size bound that is the safe side.
 */
function targets(index: Index, ref: string): Obj[] {
  const hash = ref.indexOf('#');
  const base = hash < 0 ? ref : ref.slice(0, hash);
  const fragment = hash < 0 ? '' : ref.slice(hash + 1);
  const last = base.split('/').pop() ?? base;
  const named = base === '' ? [] : index.resources.filter((r) => r.id === base || r.id.endsWith(`/${last}`));
  const bases = base === '' || named.length === 0 ? index.resources : named;
  if (fragment === '') return bases.map((r) => r.schema);
  if (!fragment.startsWith('/')) return index.anchors.get(fragment) ?? [];
  const out: Obj[] = [];
  for (const r of bases) {
    const t = pointer(r.schema, fragment);
    if (isObj(t)) out.push(t);
  }
  return out;
}

/**
 * The number of subschemas a validator evaluates for `schema` (each `$ref` expanded at every use,
 * a recursive one once), saturating just above `limit`.
 *
 * @example
 * ```ts
 * expandedSchemaSize({ type: 'object', properties: { a: { type: 'string' } } }, 1000); // 3 (root, properties, a)
 * ```
 */
export function expandedSchemaSize(schema: unknown, limit: number): number {
  const index = indexDocument(schema);
  const memo = new WeakMap<Obj, number>();
  const active = new Set<Obj>();
  const cap = (n: number): number => Math.min(n, limit + 1);
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
      for (const t of targets(index, ref)) most = Math.max(most, size(t, depth + 1));
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
  return size(schema, 0);
}

/**
 * Refuses a JSON Schema whose validator would evaluate more than `CONTRACT_LIMITS.maxExpandedSchemaNodes`
 * subschemas, with `INVALID_INPUT` and the limit in its details.
 *
 * @example
 * ```ts
 * assertBoundedExpansion({ type: 'string' }); // returns; a fan-out of $refs throws INVALID_INPUT
 * ```
 */
export function assertBoundedExpansion(schema: unknown): void {
  const limit = CONTRACT_LIMITS.maxExpandedSchemaNodes;
  if (expandedSchemaSize(schema, limit) <= limit) return;
  throw new IntelGraphError(
    'INVALID_INPUT',
    `invalid JSON Schema: its $refs expand to more than ${limit} subschemas (definitions used several times over at each level), so validating one payload would cost that much; share fewer definitions per level`,
    { details: { limit } },
  );
}
