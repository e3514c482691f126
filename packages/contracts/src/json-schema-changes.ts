import { childPointer } from './issue.js';
import { CONTRACT_LIMITS } from './limits.js';
import { isObj, type Obj, toJsonValue } from './narrow.js';
import type { SchemaChange, SchemaChangeKind } from './schema-change.js';

// The JSON Schema rule engine. It walks two schemas side by side and lists typed changes; each change
// knows whether it breaks BACKWARD (new rejects data old accepted) and/or FORWARD (old rejects data new
// accepts). Every rule is written so that diff(a, b) and diff(b, a) mirror each other.

const ANNOTATIONS = new Set([
  'title',
  'description',
  '$comment',
  'examples',
  'default',
  'readOnly',
  'writeOnly',
  'deprecated',
  'x-deprecation-window',
  '$id',
  '$schema',
  '$anchor',
  '$defs',
  'definitions',
]);

const NUMERIC = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'];
const STRING = ['minLength', 'maxLength', 'pattern', 'format'];
const ARRAY = [
  'items',
  'prefixItems',
  'additionalItems',
  'unevaluatedItems',
  'minItems',
  'maxItems',
  'uniqueItems',
  'contains',
  'minContains',
  'maxContains',
];
const OBJECT = [
  'properties',
  'required',
  'additionalProperties',
  'unevaluatedProperties',
  'patternProperties',
  'minProperties',
  'maxProperties',
  'dependentSchemas',
  'dependentRequired',
  'dependencies',
];
const HANDLED = new Set([
  'type',
  'enum',
  'const',
  'anyOf',
  'oneOf',
  'allOf',
  'not',
  '$ref',
  ...NUMERIC,
  ...STRING,
  ...ARRAY,
  ...OBJECT,
]);

const ALL_TYPES = ['null', 'boolean', 'object', 'array', 'number', 'string'] as const;

interface Side {
  root: unknown;
  schema: Obj | boolean;
  path: string;
}

interface Ctx {
  oldRoot: unknown;
  newRoot: unknown;
  visited: Set<string>;
  depth: number;
  /** Shared by every copy of the context (breaksOf copies it), so it bounds the whole comparison. */
  work: Work;
}

/** Steps left for one comparison: each node compared, flattened or walked for oneOf lists costs one. */
interface Work {
  left: number;
}

/** Thrown when a comparison runs out of steps; caught by diffJsonSchemas alone. */
const TOO_COMPLEX = new Error('schema comparison exceeded its step budget');

function spend(work: Work): void {
  work.left -= 1;
  if (work.left < 0) throw TOO_COMPLEX;
}

// Schemas handed to the engine are the registry's private, never-mutated copies, so canonical strings
// can be memoised per object: each subtree is serialised once, however often it is compared.
const canonCache = new WeakMap<object, string>();
function canon(v: unknown): string {
  if (typeof v !== 'object' || v === null) return JSON.stringify(v) ?? 'undefined';
  const hit = canonCache.get(v);
  if (hit !== undefined) return hit;
  const out = Array.isArray(v)
    ? `[${v.map(canon).join(',')}]`
    : `{${Object.entries(v)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, x]) => `${JSON.stringify(k)}:${canon(x)}`)
        .join(',')}}`;
  canonCache.set(v, out);
  return out;
}

const equal = (a: unknown, b: unknown): boolean => a === b || canon(a) === canon(b);
const show = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
};
const at = (path: string): string => (path === '' ? 'the root' : path);

function resolvePointer(root: unknown, ref: string): { schema: unknown; path: string } | null {
  if (!ref.startsWith('#')) return null;
  const pointer = decodeURIComponent(ref.slice(1));
  let cur: unknown = root;
  if (pointer !== '')
    for (const raw of pointer.slice(1).split('/')) {
      const seg = raw.replaceAll('~1', '/').replaceAll('~0', '~');
      if (Array.isArray(cur)) cur = Reflect.get(cur, seg);
      else if (isObj(cur)) cur = cur[seg];
      else return null;
    }
  return cur === undefined ? null : { schema: cur, path: pointer };
}

/** Resolves local `$ref`s; a `$ref` with validating siblings becomes `allOf: [target, siblings]`. */
function normalise(
  root: unknown,
  schema: unknown,
  path: string,
  hops = 0,
): { schema: Obj | boolean; path: string } {
  if (typeof schema === 'boolean') return { schema, path };
  if (!isObj(schema)) return { schema: true, path };
  if (typeof schema.$ref === 'string' && hops < 32) {
    const target = resolvePointer(root, schema.$ref);
    if (!target) return { schema, path };
    const siblings = Object.keys(schema).filter((k) => k !== '$ref' && !ANNOTATIONS.has(k));
    if (siblings.length === 0) return normalise(root, target.schema, target.path, hops + 1);
    const rest: Obj = {};
    for (const k of siblings) rest[k] = schema[k];
    return { schema: { allOf: [{ $ref: schema.$ref }, rest] }, path };
  }
  return { schema, path };
}

function typeSet(s: Obj): Set<string> {
  const t = s.type;
  if (typeof t === 'string') return new Set([t]);
  if (Array.isArray(t)) return new Set(t.filter((x): x is string => typeof x === 'string'));
  return new Set(ALL_TYPES);
}
const covers = (set: Set<string>, t: string): boolean => set.has(t) || (t === 'integer' && set.has('number'));
const applies = (types: Set<string>, category: string): boolean =>
  category === 'number' ? covers(types, 'number') || types.has('integer') : types.has(category);

/** A subschema as isNothing reads it: `true` and non-schema values are the empty schema. */
const asSchemaObj = (v: unknown): Obj | boolean => (typeof v === 'boolean' ? v : isObj(v) ? v : {});

function isNothing(s: Obj | boolean): boolean {
  if (s === false) return true;
  if (s === true) return false;
  if (isObj(s.not) && Object.keys(s.not).every((k) => ANNOTATIONS.has(k))) return true;
  return s.not === true || (Array.isArray(s.enum) && s.enum.length === 0);
}

function enumValues(s: Obj): unknown[] | null {
  if ('const' in s) return [s.const];
  return Array.isArray(s.enum) ? s.enum : null;
}

function push(
  out: SchemaChange[],
  kind: SchemaChangeKind,
  path: string,
  message: string,
  backward: boolean,
  forward: boolean,
  before?: unknown,
  after?: unknown,
): void {
  const change: SchemaChange = { kind, path, message, breaks: { backward, forward } };
  const b = toJsonValue(before);
  const a = toJsonValue(after);
  if (b !== undefined) change.before = b;
  if (a !== undefined) change.after = a;
  out.push(change);
}

/**
 * Lists the changes from `oldSchema` to `newSchema`, with what each breaks. A comparison that needs more
 * than `CONTRACT_LIMITS.maxCompareSteps` steps (combinators or `$ref`s nested so that the pairs to compare
 * multiply) stops there and answers one change at the root, counted as breaking both ways: a hostile
 * schema costs bounded time, and a verdict the engine could not finish is never "compatible".
 */
export function diffJsonSchemas(oldSchema: unknown, newSchema: unknown): SchemaChange[] {
  // Identical documents (their $refs resolve alike too) have no changes, however complex they are.
  if (canon(oldSchema) === canon(newSchema)) return [];
  let out: SchemaChange[] = [];
  const work: Work = { left: CONTRACT_LIMITS.maxCompareSteps };
  const ctx: Ctx = { oldRoot: oldSchema, newRoot: newSchema, visited: new Set(), depth: 0, work };
  try {
    compare(
      ctx,
      { root: oldSchema, ...normalise(oldSchema, oldSchema, '') },
      { root: newSchema, ...normalise(newSchema, newSchema, '') },
      out,
    );
  } catch (error) {
    if (error !== TOO_COMPLEX) throw error;
    out = [];
    push(
      out,
      'keyword-changed',
      '',
      `the schemas are too complex to compare within ${CONTRACT_LIMITS.maxCompareSteps} steps (combinators or $refs nested so that the cases multiply); counted as breaking both ways`,
      true,
      true,
    );
  }
  const seen = new Set<string>();
  return out.filter((c) => {
    const key = `${c.kind}|${c.path}|${c.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function side(root: unknown, schema: unknown, path: string): Side {
  return { root, ...normalise(root, schema, path) };
}

/** What a comparison breaks, without listing its changes (used for added/removed properties and branches). */
function breaksOf(ctx: Ctx, a: Side, b: Side): { backward: boolean; forward: boolean } {
  const tmp: SchemaChange[] = [];
  compare({ ...ctx, visited: new Set(ctx.visited) }, a, b, tmp);
  return { backward: tmp.some((c) => c.breaks.backward), forward: tmp.some((c) => c.breaks.forward) };
}

function compare(ctx: Ctx, a: Side, b: Side, out: SchemaChange[]): void {
  const path = b.path;
  const key = `${a.path}|${b.path}`;
  if (ctx.visited.has(key) || ctx.depth > 64) return;
  spend(ctx.work);
  const ca = canon(a.schema);
  if (ca === canon(b.schema) && !ca.includes('"$ref"')) return;
  ctx.visited.add(key);
  ctx.depth += 1;
  try {
    compareNormalised(ctx, a, b, path, out);
  } finally {
    ctx.depth -= 1;
    ctx.visited.delete(key);
  }
}

function compareNormalised(ctx: Ctx, a: Side, b: Side, path: string, out: SchemaChange[]): void {
  const oldNothing = isNothing(a.schema);
  const newNothing = isNothing(b.schema);
  if (oldNothing || newNothing) {
    if (oldNothing && newNothing) return;
    if (newNothing)
      push(
        out,
        'schema-accepts-nothing',
        path,
        `the schema at ${at(path)} now rejects every value`,
        true,
        false,
      );
    else
      push(
        out,
        'schema-accepts-anything',
        path,
        `the schema at ${at(path)} used to reject every value and now accepts some`,
        false,
        true,
      );
    return;
  }
  const o: Obj = typeof a.schema === 'boolean' ? {} : a.schema;
  const n: Obj = typeof b.schema === 'boolean' ? {} : b.schema;
  if (unresolvedRef(o) || unresolvedRef(n)) {
    // A reference the engine cannot follow (remote, anchor, dynamic): equal only when nothing changed.
    if (canon(o) !== canon(n) || canon(a.root) !== canon(b.root))
      push(
        out,
        'keyword-changed',
        path,
        `the schema at ${at(path)} uses a reference the rule engine cannot follow, and something it may reach changed; counted as breaking both ways`,
        true,
        true,
      );
    return;
  }
  if (unevaluatedOutOfReach(o) || unevaluatedOutOfReach(n))
    push(
      out,
      'keyword-changed',
      path,
      `${at(path)} has unevaluatedProperties/unevaluatedItems next to if/then/else, dependentSchemas or contains, whose evaluated names the rule engine does not track; counted as breaking both ways`,
      true,
      true,
    );
  if (hasCombinator(o) || hasCombinator(n)) {
    oneOfOverlaps(ctx, a, b, o, n, out);
    const ob = flatten(ctx.work, a.root, o, a.path, 0);
    const nb = flatten(ctx.work, b.root, n, b.path, 0);
    if (ob !== null && nb !== null) {
      compareBranchSets(ctx, ob, nb, out);
      return;
    }
  }
  const oTypes = typeSet(o);
  const nTypes = typeSet(n);
  const both = (category: string): boolean => applies(oTypes, category) && applies(nTypes, category);

  compareTypes(o, n, oTypes, nTypes, path, out);
  compareEnum(o, n, path, out);
  if (both('number')) compareNumeric(o, n, path, out);
  if (both('string')) {
    compareMin(o, n, 'minLength', path, out, 'string length');
    compareMax(o, n, 'maxLength', path, out, 'string length');
    compareConstraint(o, n, 'pattern', path, out);
    compareConstraint(o, n, 'format', path, out);
  }
  if (both('array')) {
    compareMin(o, n, 'minItems', path, out, 'number of items');
    compareMax(o, n, 'maxItems', path, out, 'number of items');
    compareUnique(o, n, path, out);
    compareItems(ctx, a, b, o, n, out);
    compareContains(ctx, a, b, o, n, out);
  }
  if (both('object')) {
    compareMin(o, n, 'minProperties', path, out, 'number of properties');
    compareMax(o, n, 'maxProperties', path, out, 'number of properties');
    compareObject(ctx, a, b, o, n, out);
    compareDependencies(ctx, a, b, o, n, out);
  }
  compareCombinator(ctx, a, b, o, n, 'anyOf', out);
  compareCombinator(ctx, a, b, o, n, 'oneOf', out);
  compareCombinator(ctx, a, b, o, n, 'allOf', out);
  compareNot(ctx, a, b, o, n, out);

  for (const k of new Set([...Object.keys(o), ...Object.keys(n)])) {
    if (HANDLED.has(k) || equal(o[k], n[k])) continue;
    if (k === '$defs' || k === 'definitions' || k === '$id' || k === '$schema') continue;
    if (k === 'deprecated') {
      push(
        out,
        'deprecated',
        childPointer(path, k),
        `${at(path)} is ${n[k] === true ? 'now' : 'no longer'} deprecated`,
        false,
        false,
        o[k],
        n[k],
      );
    } else if (ANNOTATIONS.has(k)) {
      push(
        out,
        'annotation-changed',
        childPointer(path, k),
        `the annotation "${k}" at ${at(path)} changed`,
        false,
        false,
        o[k],
        n[k],
      );
    } else {
      push(
        out,
        'keyword-changed',
        childPointer(path, k),
        `the keyword "${k}" at ${at(path)} changed from ${show(o[k])} to ${show(n[k])}; its effect is not analysed, so it counts as breaking both ways`,
        true,
        true,
        o[k],
        n[k],
      );
    }
  }
}

function compareTypes(
  o: Obj,
  n: Obj,
  oTypes: Set<string>,
  nTypes: Set<string>,
  path: string,
  out: SchemaChange[],
): void {
  if (equal(o.type, n.type)) return;
  const added = [...nTypes].filter((t) => !covers(oTypes, t));
  const removed = [...oTypes].filter((t) => !covers(nTypes, t) && !(t === 'integer' && nTypes.has('number')));
  if (added.length === 0 && removed.length === 0) return;
  const p = childPointer(path, 'type');
  const before = o.type ?? 'any';
  const after = n.type ?? 'any';
  if (removed.length === 0)
    push(
      out,
      'type-extended',
      p,
      `the type at ${at(path)} was extended from ${show(before)} to ${show(after)}`,
      false,
      true,
      before,
      after,
    );
  else if (added.length === 0)
    push(
      out,
      'type-narrowed',
      p,
      `the type at ${at(path)} was narrowed from ${show(before)} to ${show(after)}`,
      true,
      false,
      before,
      after,
    );
  else
    push(
      out,
      'type-changed',
      p,
      `the type at ${at(path)} changed from ${show(before)} to ${show(after)}`,
      true,
      true,
      before,
      after,
    );
}

function compareEnum(o: Obj, n: Obj, path: string, out: SchemaChange[]): void {
  const ov = enumValues(o);
  const nv = enumValues(n);
  if (ov === null && nv === null) return;
  const p = childPointer(path, 'enum' in n || 'enum' in o ? 'enum' : 'const');
  if (ov === null) {
    push(out, 'enum-narrowed', p, `${at(path)} is now limited to ${show(nv)}`, true, false, undefined, nv);
    return;
  }
  if (nv === null) {
    push(
      out,
      'enum-extended',
      p,
      `${at(path)} is no longer limited to ${show(ov)}`,
      false,
      true,
      ov,
      undefined,
    );
    return;
  }
  const oc = new Set(ov.map(canon));
  const nc = new Set(nv.map(canon));
  const added = nv.filter((v) => !oc.has(canon(v)));
  const removed = ov.filter((v) => !nc.has(canon(v)));
  if (added.length === 0 && removed.length === 0) return;
  if (removed.length === 0)
    push(out, 'enum-extended', p, `${at(path)} now also allows ${show(added)}`, false, true, ov, nv);
  else if (added.length === 0)
    push(out, 'enum-narrowed', p, `${at(path)} no longer allows ${show(removed)}`, true, false, ov, nv);
  else
    push(
      out,
      'enum-changed',
      p,
      `${at(path)} no longer allows ${show(removed)} and now allows ${show(added)}`,
      true,
      true,
      ov,
      nv,
    );
}

type Bound = { value: number; exclusive: boolean } | null;
function lower(s: Obj): Bound {
  const inc = typeof s.minimum === 'number' ? { value: s.minimum, exclusive: false } : null;
  const exc = typeof s.exclusiveMinimum === 'number' ? { value: s.exclusiveMinimum, exclusive: true } : null;
  if (inc && exc) return exc.value >= inc.value ? exc : inc;
  return inc ?? exc;
}
function upper(s: Obj): Bound {
  const inc = typeof s.maximum === 'number' ? { value: s.maximum, exclusive: false } : null;
  const exc = typeof s.exclusiveMaximum === 'number' ? { value: s.exclusiveMaximum, exclusive: true } : null;
  if (inc && exc) return exc.value <= inc.value ? exc : inc;
  return inc ?? exc;
}
const showBound = (b: Bound, op: '>' | '<'): string =>
  b === null ? 'unbounded' : `${op}${b.exclusive ? '' : '='} ${b.value}`;

function compareNumeric(o: Obj, n: Obj, path: string, out: SchemaChange[]): void {
  const lo = lower(o);
  const ln = lower(n);
  // tighter > 0: the new lower bound excludes values the old one allowed.
  const cmpLower = (x: Bound, y: Bound): number => {
    if (x === null && y === null) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    if (y.value !== x.value) return y.value > x.value ? 1 : -1;
    return y.exclusive === x.exclusive ? 0 : y.exclusive ? 1 : -1;
  };
  const lc = cmpLower(lo, ln);
  const lp = childPointer(
    path,
    'exclusiveMinimum' in n && !('minimum' in n) ? 'exclusiveMinimum' : 'minimum',
  );
  if (lc > 0)
    push(
      out,
      'bound-tightened',
      lp,
      `the lower bound at ${at(path)} was tightened from ${showBound(lo, '>')} to ${showBound(ln, '>')}`,
      true,
      false,
      lo?.value,
      ln?.value,
    );
  if (lc < 0)
    push(
      out,
      'bound-loosened',
      lp,
      `the lower bound at ${at(path)} was loosened from ${showBound(lo, '>')} to ${showBound(ln, '>')}`,
      false,
      true,
      lo?.value,
      ln?.value,
    );
  const uo = upper(o);
  const un = upper(n);
  const cmpUpper = (x: Bound, y: Bound): number => {
    if (x === null && y === null) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    if (y.value !== x.value) return y.value < x.value ? 1 : -1;
    return y.exclusive === x.exclusive ? 0 : y.exclusive ? 1 : -1;
  };
  const uc = cmpUpper(uo, un);
  const up = childPointer(
    path,
    'exclusiveMaximum' in n && !('maximum' in n) ? 'exclusiveMaximum' : 'maximum',
  );
  if (uc > 0)
    push(
      out,
      'bound-tightened',
      up,
      `the upper bound at ${at(path)} was tightened from ${showBound(uo, '<')} to ${showBound(un, '<')}`,
      true,
      false,
      uo?.value,
      un?.value,
    );
  if (uc < 0)
    push(
      out,
      'bound-loosened',
      up,
      `the upper bound at ${at(path)} was loosened from ${showBound(uo, '<')} to ${showBound(un, '<')}`,
      false,
      true,
      uo?.value,
      un?.value,
    );
  const mo = typeof o.multipleOf === 'number' ? o.multipleOf : null;
  const mn = typeof n.multipleOf === 'number' ? n.multipleOf : null;
  if (mo === mn) return;
  const mp = childPointer(path, 'multipleOf');
  const divides = (x: number, y: number): boolean => Number.isInteger(y / x);
  if (mo === null || (mn !== null && divides(mo, mn)))
    push(
      out,
      'bound-tightened',
      mp,
      `${at(path)} must now be a multiple of ${mn}`,
      true,
      false,
      mo ?? undefined,
      mn,
    );
  else if (mn === null || divides(mn, mo))
    push(
      out,
      'bound-loosened',
      mp,
      `${at(path)} no longer has to be a multiple of ${mo}${mn === null ? '' : `, only of ${mn}`}`,
      false,
      true,
      mo,
      mn ?? undefined,
    );
  else
    push(
      out,
      'bound-changed',
      mp,
      `${at(path)} must now be a multiple of ${mn} instead of ${mo}`,
      true,
      true,
      mo,
      mn,
    );
}

function compareMin(o: Obj, n: Obj, k: string, path: string, out: SchemaChange[], what: string): void {
  const ok = o[k];
  const nk = n[k];
  const a = typeof ok === 'number' ? ok : 0;
  const b = typeof nk === 'number' ? nk : 0;
  if (a === b) return;
  const p = childPointer(path, k);
  if (b > a)
    push(
      out,
      'bound-tightened',
      p,
      `the minimum ${what} at ${at(path)} was raised from ${a} to ${b}`,
      true,
      false,
      a,
      b,
    );
  else
    push(
      out,
      'bound-loosened',
      p,
      `the minimum ${what} at ${at(path)} was lowered from ${a} to ${b}`,
      false,
      true,
      a,
      b,
    );
}

function compareMax(o: Obj, n: Obj, k: string, path: string, out: SchemaChange[], what: string): void {
  const ok = o[k];
  const nk = n[k];
  const a = typeof ok === 'number' ? ok : Number.POSITIVE_INFINITY;
  const b = typeof nk === 'number' ? nk : Number.POSITIVE_INFINITY;
  if (a === b) return;
  const p = childPointer(path, k);
  const s = (x: number): string => (Number.isFinite(x) ? String(x) : 'unbounded');
  if (b < a)
    push(
      out,
      'bound-tightened',
      p,
      `the maximum ${what} at ${at(path)} was lowered from ${s(a)} to ${s(b)}`,
      true,
      false,
      o[k],
      n[k],
    );
  else
    push(
      out,
      'bound-loosened',
      p,
      `the maximum ${what} at ${at(path)} was raised from ${s(a)} to ${s(b)}`,
      false,
      true,
      o[k],
      n[k],
    );
}

function compareConstraint(o: Obj, n: Obj, k: string, path: string, out: SchemaChange[]): void {
  if (equal(o[k], n[k])) return;
  const p = childPointer(path, k);
  if (o[k] === undefined)
    push(
      out,
      'constraint-added',
      p,
      `${at(path)} now requires ${k} ${show(n[k])}`,
      true,
      false,
      undefined,
      n[k],
    );
  else if (n[k] === undefined)
    push(
      out,
      'constraint-removed',
      p,
      `${at(path)} no longer requires ${k} ${show(o[k])}`,
      false,
      true,
      o[k],
      undefined,
    );
  else
    push(
      out,
      'constraint-changed',
      p,
      `the ${k} at ${at(path)} changed from ${show(o[k])} to ${show(n[k])}`,
      true,
      true,
      o[k],
      n[k],
    );
}

function compareUnique(o: Obj, n: Obj, path: string, out: SchemaChange[]): void {
  const a = o.uniqueItems === true;
  const b = n.uniqueItems === true;
  if (a === b) return;
  const p = childPointer(path, 'uniqueItems');
  if (b) push(out, 'constraint-added', p, `the items at ${at(path)} must now be unique`, true, false, a, b);
  else
    push(
      out,
      'constraint-removed',
      p,
      `the items at ${at(path)} no longer have to be unique`,
      false,
      true,
      a,
      b,
    );
}

interface Tuple {
  prefix: unknown[];
  prefixKey: string;
  rest: unknown;
  restKey: string;
}
// Items past the tuple fall to `items` (2020-12) or `additionalItems`, then to `unevaluatedItems`: with no
// in-place applicator evaluating them (combinators are folded in by flatten()), that is exactly its scope.
function tupleOf(s: Obj): Tuple {
  const rest = (k: string): { rest: unknown; restKey: string } =>
    s[k] !== undefined
      ? { rest: s[k], restKey: k }
      : s.unevaluatedItems !== undefined
        ? { rest: s.unevaluatedItems, restKey: 'unevaluatedItems' }
        : { rest: true, restKey: k };
  if (Array.isArray(s.prefixItems))
    return { prefix: s.prefixItems, prefixKey: 'prefixItems', ...rest('items') };
  if (Array.isArray(s.items)) return { prefix: s.items, prefixKey: 'items', ...rest('additionalItems') };
  return { prefix: [], prefixKey: 'items', ...rest('items') };
}

function compareItems(ctx: Ctx, a: Side, b: Side, o: Obj, n: Obj, out: SchemaChange[]): void {
  const to = tupleOf(o);
  const tn = tupleOf(n);
  if (
    to.prefixKey !== 'prefixItems' &&
    tn.prefixKey !== 'prefixItems' &&
    !Array.isArray(o.items) &&
    !Array.isArray(n.items) &&
    !equal(o.additionalItems, n.additionalItems)
  ) {
    // Without an items array the specification ignores additionalItems, so no data is affected today;
    // Confluent Schema Registry still counts the change, and it takes effect as soon as items becomes an
    // array, so it is reported (over-reporting at worst) in the direction it would break.
    const p = childPointer(b.path, 'additionalItems');
    const br = breaksOf(
      ctx,
      side(a.root, o.additionalItems ?? true, childPointer(a.path, 'additionalItems')),
      side(b.root, n.additionalItems ?? true, p),
    );
    if (br.backward || br.forward)
      push(
        out,
        'content-model-changed',
        p,
        `additionalItems at ${at(b.path)} changed; it is ignored while "items" is not an array, and breaks data once it is`,
        br.backward,
        br.forward,
        o.additionalItems,
        n.additionalItems,
      );
  }
  const len = Math.max(to.prefix.length, tn.prefix.length);
  for (let i = 0; i < len; i++) {
    const os =
      i < to.prefix.length
        ? side(a.root, to.prefix[i], childPointer(childPointer(a.path, to.prefixKey), i))
        : side(a.root, to.rest, childPointer(a.path, to.restKey));
    const ns =
      i < tn.prefix.length
        ? side(b.root, tn.prefix[i], childPointer(childPointer(b.path, tn.prefixKey), i))
        : side(b.root, tn.rest, childPointer(b.path, tn.restKey));
    compare(ctx, os, ns, out);
  }
  compare(
    ctx,
    side(a.root, to.rest, childPointer(a.path, to.restKey)),
    side(b.root, tn.rest, childPointer(b.path, tn.restKey)),
    out,
  );
}

/**
 * The schema undeclared property names fall to: `additionalProperties`, else `unevaluatedProperties` (with
 * combinators folded in by flatten(), nothing else evaluates them), else anything.
 */
function undeclared(s: Obj): { schema: unknown; key: string } {
  if (s.additionalProperties !== undefined)
    return { schema: s.additionalProperties, key: 'additionalProperties' };
  if (s.unevaluatedProperties !== undefined)
    return { schema: s.unevaluatedProperties, key: 'unevaluatedProperties' };
  return { schema: true, key: 'additionalProperties' };
}

type Model = 'open' | 'closed' | 'partially open';
function contentModel(s: Obj): Model {
  const rest = undeclared(s).schema;
  if (rest === false && !isObj(s.patternProperties)) return 'closed';
  if (rest === true && !isObj(s.patternProperties)) return 'open';
  return 'partially open';
}

/** The schema a property name is validated against: declared, by pattern, or additionalProperties. */
function effective(s: Side, o: Obj, name: string): Side {
  const props = isObj(o.properties) ? o.properties : {};
  if (Object.hasOwn(props, name))
    return side(s.root, props[name], childPointer(childPointer(s.path, 'properties'), name));
  if (isObj(o.patternProperties))
    for (const [pattern, sub] of Object.entries(o.patternProperties)) {
      let matches = false;
      try {
        matches = new RegExp(pattern, 'u').test(name);
      } catch {
        matches = false;
      }
      if (matches) return side(s.root, sub, childPointer(childPointer(s.path, 'patternProperties'), pattern));
    }
  const rest = undeclared(o);
  return side(s.root, rest.schema, childPointer(s.path, rest.key));
}

function hasDefault(s: Side): boolean {
  return isObj(s.schema) && 'default' in s.schema;
}

/** Two object schemas: declared properties, pattern properties, undeclared properties, then `required`. */
function compareObject(ctx: Ctx, a: Side, b: Side, o: Obj, n: Obj, out: SchemaChange[]): void {
  compareProperties(ctx, a, b, o, n, out);
  comparePatternProperties(ctx, a, b, o, n, out);
  compareUndeclared(ctx, a, b, o, n, out);
  compareRequired(a, b, o, n, out);
}

/** Properties declared on either side: compared when on both, else added or removed under the other's content model. */
function compareProperties(ctx: Ctx, a: Side, b: Side, o: Obj, n: Obj, out: SchemaChange[]): void {
  const oProps = isObj(o.properties) ? o.properties : {};
  const nProps = isObj(n.properties) ? n.properties : {};
  const names = [...new Set([...Object.keys(oProps), ...Object.keys(nProps)])];
  for (const name of names) {
    const inOld = Object.hasOwn(oProps, name);
    const inNew = Object.hasOwn(nProps, name);
    const os = effective(a, o, name);
    const ns = effective(b, n, name);
    if (inOld && inNew) {
      compare(ctx, os, ns, out);
      continue;
    }
    const br = breaksOf(ctx, os, ns);
    if (inNew) {
      const model = contentModel(o);
      const why =
        model === 'closed'
          ? 'the old closed content model did not allow it'
          : model === 'open'
            ? 'the old open content model allowed any value for it'
            : `the old schema validated it against ${os.path}`;
      const effect = br.backward
        ? 'the new definition rejects some values old data may have'
        : br.forward
          ? 'the old schema rejects it'
          : 'no data is affected';
      push(
        out,
        'property-added',
        ns.path,
        `property '${name}' was added; ${why}, so ${effect}`,
        br.backward,
        br.forward,
        undefined,
        nProps[name],
      );
    } else {
      const model = contentModel(n);
      const why =
        model === 'closed'
          ? 'the new closed content model no longer allows it'
          : model === 'open'
            ? 'the new open content model accepts any value for it'
            : `the new schema validates it against ${ns.path}`;
      push(
        out,
        'property-removed',
        os.path,
        `property '${name}' was removed; ${why}`,
        br.backward,
        br.forward,
        oProps[name],
        undefined,
      );
    }
  }
}

/** Pattern properties of either side (names declared on neither side). */
function comparePatternProperties(ctx: Ctx, a: Side, b: Side, o: Obj, n: Obj, out: SchemaChange[]): void {
  const oPat = isObj(o.patternProperties) ? o.patternProperties : {};
  const nPat = isObj(n.patternProperties) ? n.patternProperties : {};
  for (const pattern of new Set([...Object.keys(oPat), ...Object.keys(nPat)])) {
    const po = childPointer(childPointer(a.path, 'patternProperties'), pattern);
    const pn = childPointer(childPointer(b.path, 'patternProperties'), pattern);
    const oa = side(a.root, undeclared(o).schema, childPointer(a.path, undeclared(o).key));
    const na = side(b.root, undeclared(n).schema, childPointer(b.path, undeclared(n).key));
    if (Object.hasOwn(oPat, pattern) && Object.hasOwn(nPat, pattern))
      compare(ctx, side(a.root, oPat[pattern], po), side(b.root, nPat[pattern], pn), out);
    else if (Object.hasOwn(nPat, pattern)) {
      const br = breaksOf(ctx, oa, side(b.root, nPat[pattern], pn));
      push(
        out,
        'content-model-changed',
        pn,
        `properties matching /${pattern}/ now have their own schema`,
        br.backward,
        br.forward,
        undefined,
        nPat[pattern],
      );
    } else {
      const br = breaksOf(ctx, side(a.root, oPat[pattern], po), na);
      push(
        out,
        'content-model-changed',
        po,
        `properties matching /${pattern}/ no longer have their own schema`,
        br.backward,
        br.forward,
        oPat[pattern],
        undefined,
      );
    }
  }
}

/** The schema of undeclared properties (additionalProperties or unevaluatedProperties): closed, opened or changed. */
function compareUndeclared(ctx: Ctx, a: Side, b: Side, o: Obj, n: Obj, out: SchemaChange[]): void {
  const oAdd = undeclared(o).schema;
  const nAdd = undeclared(n).schema;
  if (!equal(oAdd, nAdd)) {
    const p = childPointer(b.path, undeclared(n).key);
    if (isNothing(asSchemaObj(nAdd)) && !isNothing(asSchemaObj(oAdd)))
      push(
        out,
        'content-model-closed',
        p,
        `the object at ${at(b.path)} no longer allows undeclared properties`,
        true,
        false,
        oAdd,
        nAdd,
      );
    else if (isNothing(asSchemaObj(oAdd)) && !isNothing(asSchemaObj(nAdd)))
      push(
        out,
        'content-model-opened',
        p,
        `the object at ${at(b.path)} now allows undeclared properties`,
        false,
        true,
        oAdd,
        nAdd,
      );
    else {
      const br = breaksOf(
        ctx,
        side(a.root, oAdd, childPointer(a.path, undeclared(o).key)),
        side(b.root, nAdd, p),
      );
      push(
        out,
        'content-model-changed',
        p,
        `the schema of undeclared properties at ${at(b.path)} changed`,
        br.backward,
        br.forward,
        oAdd,
        nAdd,
      );
    }
  }
}

/** Properties that became required or stopped being required, with or without a default. */
function compareRequired(a: Side, b: Side, o: Obj, n: Obj, out: SchemaChange[]): void {
  const oProps = isObj(o.properties) ? o.properties : {};
  const nProps = isObj(n.properties) ? n.properties : {};
  const oReq = new Set(
    Array.isArray(o.required) ? o.required.filter((x): x is string => typeof x === 'string') : [],
  );
  const nReq = new Set(
    Array.isArray(n.required) ? n.required.filter((x): x is string => typeof x === 'string') : [],
  );
  for (const r of nReq) {
    if (oReq.has(r)) continue;
    const p = childPointer(childPointer(b.path, 'required'), r);
    if (Object.hasOwn(nProps, r) && hasDefault(effective(b, n, r)))
      push(
        out,
        'required-added-with-default',
        p,
        `property '${r}' is now required and has a default, so data without it gets the default`,
        false,
        false,
      );
    else
      push(
        out,
        'required-added',
        p,
        `property '${r}' is now required and has no default, so data without it is rejected`,
        true,
        false,
      );
  }
  for (const r of oReq) {
    if (nReq.has(r)) continue;
    const p = childPointer(childPointer(a.path, 'required'), r);
    if (Object.hasOwn(oProps, r) && hasDefault(effective(a, o, r)))
      push(
        out,
        'required-removed-with-default',
        p,
        `property '${r}' is no longer required; the old schema fills in its default`,
        false,
        false,
      );
    else
      push(
        out,
        'required-removed',
        p,
        `property '${r}' is no longer required, and the old schema requires it with no default`,
        false,
        true,
      );
  }
}

/** A schema as its plain alternatives (combinators flattened), or itself when the shape is beyond flatten. */
function alternatives(work: Work, root: unknown, x: unknown): (Obj | boolean)[] {
  const s = normalise(root, x, '').schema;
  if (typeof s === 'boolean' || !hasCombinator(s)) return [s];
  return flatten(work, root, s, '', 0)?.map((b) => b.schema) ?? [s];
}

/** No value matches both schemas, as far as types, enums and required enum-valued properties show. */
function disjoint(work: Work, rootA: unknown, x: unknown, rootB: unknown, y: unknown): boolean {
  const bs = alternatives(work, rootB, y);
  return alternatives(work, rootA, x).every((a) =>
    bs.every((b) => {
      spend(work);
      return plainDisjoint(a, b);
    }),
  );
}

/** Do two lists of JSON values share one? (Canonical strings in a set: linear, for enums of any size.) */
function sharesValue(xs: unknown[], ys: unknown[]): boolean {
  const seen = new Set(xs.map(canon));
  return ys.some((y) => seen.has(canon(y)));
}

function plainDisjoint(a: Obj | boolean, b: Obj | boolean): boolean {
  if (a === false || b === false) return true;
  if (a === true || b === true) return false;
  const ta = typeSet(a);
  const tb = typeSet(b);
  const related = (t: string, u: string): boolean =>
    t === u || (t === 'integer' && u === 'number') || (t === 'number' && u === 'integer');
  if (![...ta].some((t) => [...tb].some((u) => related(t, u)))) return true;
  const ea = enumValues(a);
  const eb = enumValues(b);
  if (ea && eb && !sharesValue(ea, eb)) return true;
  const pa = isObj(a.properties) ? a.properties : {};
  const pb = isObj(b.properties) ? b.properties : {};
  const ra = Array.isArray(a.required) ? a.required : [];
  const rb = Array.isArray(b.required) ? b.required : [];
  for (const name of Object.keys(pa)) {
    if (!Object.hasOwn(pb, name) || !ra.includes(name) || !rb.includes(name)) continue;
    const sa = pa[name];
    const sb = pb[name];
    const va = isObj(sa) ? enumValues(sa) : null;
    const vb = isObj(sb) ? enumValues(sb) : null;
    if (va && vb && !sharesValue(va, vb)) return true;
  }
  return false;
}

function compareCombinator(
  ctx: Ctx,
  a: Side,
  b: Side,
  o: Obj,
  n: Obj,
  k: 'anyOf' | 'oneOf' | 'allOf',
  out: SchemaChange[],
): void {
  const ok = o[k];
  const nk = n[k];
  const ol: unknown[] | null = Array.isArray(ok) ? ok : null;
  const nl: unknown[] | null = Array.isArray(nk) ? nk : null;
  if (ol === null && nl === null) return;
  const cl = canon(ol);
  if (cl === canon(nl) && !cl.includes('"$ref"')) return;
  const op = childPointer(a.path, k);
  const np = childPointer(b.path, k);
  const oldBranches = (ol ?? [true]).map((s, i) => side(a.root, s, childPointer(op, i)));
  const newBranches = (nl ?? [true]).map((s, i) => side(b.root, s, childPointer(np, i)));
  const label = k === 'allOf' ? 'allOf' : k;
  if (k === 'allOf') {
    // A conjunction narrows when a new branch is not implied by an old one, and widens when an old one is dropped.
    newBranches.forEach((nb, j) => {
      if (oldBranches.some((ob) => !breaksOf(ctx, ob, nb).backward)) return;
      push(
        out,
        'branch-added',
        nb.path,
        `allOf branch ${nb.path} adds a constraint no old branch implied`,
        true,
        false,
        undefined,
        nl?.[j],
      );
    });
    oldBranches.forEach((ob, i) => {
      if (newBranches.some((nb) => !breaksOf(ctx, ob, nb).forward)) return;
      push(
        out,
        'branch-removed',
        ob.path,
        `allOf branch ${ob.path} was dropped or relaxed, so a constraint no longer holds`,
        false,
        true,
        ol?.[i],
        undefined,
      );
    });
    return;
  }
  oldBranches.forEach((ob, i) => {
    if (newBranches.some((nb) => !breaksOf(ctx, ob, nb).backward)) return;
    push(
      out,
      'branch-removed',
      ob.path,
      `${label} branch ${ob.path} was removed or narrowed, so data it accepted can be rejected`,
      true,
      false,
      ol?.[i],
      undefined,
    );
  });
  newBranches.forEach((nb, j) => {
    if (oldBranches.some((ob) => !breaksOf(ctx, ob, nb).forward)) return;
    push(
      out,
      'branch-added',
      nb.path,
      `${label} branch ${nb.path} accepts data no old branch accepted`,
      false,
      true,
      undefined,
      nl?.[j],
    );
  });
}

const REFS = ['$ref', '$dynamicRef', '$recursiveRef'];
function unresolvedRef(s: Obj): boolean {
  // normalise() has already replaced every local `$ref` it can follow (with siblings, by an allOf).
  return REFS.some((k) => k in s) && !(typeof s.$ref === 'string' && Array.isArray(s.allOf));
}

const UNTRACKED_APPLICATORS = ['if', 'then', 'else', 'dependentSchemas', 'dependencies', 'contains'];
function unevaluatedOutOfReach(s: Obj): boolean {
  if (s.unevaluatedProperties === undefined && s.unevaluatedItems === undefined) return false;
  return UNTRACKED_APPLICATORS.some((k) => k in s);
}

const hasCombinator = (s: Obj): boolean =>
  Array.isArray(s.anyOf) || Array.isArray(s.oneOf) || Array.isArray(s.allOf);

function omit(s: Obj, key: string): Obj {
  const out: Obj = {};
  for (const k of Object.keys(s)) if (k !== key) out[k] = s[k];
  return out;
}

function intersectTypes(x: Obj, y: Obj): string[] {
  const tx = typeSet(x);
  const ty = typeSet(y);
  const out: string[] = [];
  for (const t of new Set([...tx, ...ty])) {
    if (tx.has(t) && ty.has(t)) out.push(t);
    else if (t === 'integer' && (tx.has('number') || ty.has('number'))) out.push(t);
  }
  return out;
}

/**
 * The conjunction of two schemas as one schema, when it can be written without a combinator: keywords
 * either side alone has are kept, `type`, `enum`, `required` and `properties` are intersected or united.
 * `false` when the conjunction accepts nothing; null when two keywords clash in a way not modelled.
 */
function conjoin(x: Obj, y: Obj): Obj | false | null {
  const out: Obj = { ...x };
  for (const [k, v] of Object.entries(y)) {
    if (!(k in out) || equal(out[k], v)) {
      out[k] = v;
      continue;
    }
    if (ANNOTATIONS.has(k)) continue;
    if (k === 'type') {
      const types = intersectTypes(out, y);
      if (types.length === 0) return false;
      out.type = types.length === 1 ? types[0] : types;
    } else if (k === 'enum' && Array.isArray(v) && Array.isArray(out.enum)) {
      const other = new Set(v.map(canon));
      const both = out.enum.filter((e) => other.has(canon(e)));
      if (both.length === 0) return false;
      out.enum = both;
    } else if (k === 'required' && Array.isArray(v) && Array.isArray(out.required)) {
      out.required = [...new Set([...out.required, ...v])];
    } else if (k === 'properties' && isObj(v) && isObj(out.properties)) {
      const props: Obj = { ...out.properties };
      for (const [name, sub] of Object.entries(v))
        props[name] =
          Object.hasOwn(props, name) && !equal(props[name], sub) ? { allOf: [props[name], sub] } : sub;
      out.properties = props;
    } else return null;
  }
  return out;
}

/**
 * A schema as a union of plain branches: allOf branches are conjoined into the schema, and each anyOf or
 * oneOf branch is conjoined with the keywords beside it; a schema without combinators is a one-branch
 * union. oneOf is read as anyOf here (its exclusivity is checked by oneOfOverlaps). Null when the shape is
 * beyond this (anyOf and oneOf side by side, clashing keywords, deep nesting): the keyword-by-keyword
 * comparison then decides.
 */
function flatten(
  work: Work,
  root: unknown,
  schema: Obj | boolean,
  path: string,
  depth: number,
): Side[] | null {
  spend(work);
  if (typeof schema === 'boolean' || !hasCombinator(schema)) return [{ root, schema, path }];
  if (depth > 6 || REFS.some((k) => k in schema)) return null;
  let s: Obj = schema;
  const allOf = s.allOf;
  if (Array.isArray(allOf)) {
    let acc: Obj | false = omit(s, 'allOf');
    for (const [i, branch] of allOf.entries()) {
      const nb = normalise(root, branch, childPointer(childPointer(path, 'allOf'), i));
      if (nb.schema === true) continue;
      if (nb.schema === false || isNothing(nb.schema)) {
        acc = false;
        break;
      }
      const merged: Obj | false | null = conjoin(acc, nb.schema);
      if (merged === null) return null;
      acc = merged;
      if (acc === false) break;
    }
    if (acc === false) return [{ root, schema: false, path }];
    if (REFS.some((k) => k in acc)) return null;
    return flatten(work, root, acc, path, depth + 1);
  }
  const key = Array.isArray(s.anyOf) ? 'anyOf' : 'oneOf';
  if (key === 'anyOf' && Array.isArray(s.oneOf)) return null;
  s = omit(s, key);
  const out: Side[] = [];
  const branches = schema[key];
  if (!Array.isArray(branches)) return null;
  for (const [i, branch] of branches.entries()) {
    const nb = normalise(root, branch, childPointer(childPointer(path, key), i));
    if (nb.schema === false || isNothing(nb.schema)) continue;
    const merged = nb.schema === true ? s : conjoin(s, nb.schema);
    if (merged === null) return null;
    if (merged === false) continue;
    const sub = flatten(work, root, merged, nb.path, depth + 1);
    if (sub === null) return null;
    out.push(...sub);
  }
  return out.length > 0 ? out : [{ root, schema: false, path }];
}

/**
 * Compares two unions of branches: BACKWARD holds when every old branch is covered by some new branch,
 * FORWARD when every new branch is covered by some old one. A one-to-one pair is compared in detail.
 */
function compareBranchSets(ctx: Ctx, ob: Side[], nb: Side[], out: SchemaChange[]): void {
  const [x] = ob;
  const [y] = nb;
  if (ob.length === 1 && nb.length === 1 && x !== undefined && y !== undefined) {
    if (canon(x.schema) === canon(y.schema) && !canon(x.schema).includes('"$ref"')) return;
    compareNormalised(ctx, x, y, y.path, out);
    return;
  }
  for (const x of ob) {
    if (nb.some((y) => !breaksOf(ctx, x, y).backward)) continue;
    push(
      out,
      'branch-removed',
      x.path,
      `the alternative at ${at(x.path)} is no longer covered by any alternative of the new schema, so data it accepted can be rejected`,
      true,
      false,
      x.schema,
    );
  }
  for (const y of nb) {
    if (ob.some((x) => !breaksOf(ctx, x, y).forward)) continue;
    push(
      out,
      'branch-added',
      y.path,
      `the alternative at ${at(y.path)} accepts data no alternative of the old schema accepted`,
      false,
      true,
      undefined,
      y.schema,
    );
  }
}

/** One oneOf list met while walking a schema's combinators, with the root its `$ref`s resolve against. */
interface OneOfList {
  root: unknown;
  branches: unknown[];
  path: string;
  /** Reached through allOf and `$ref` only, so every value the schema accepts satisfies this list. */
  mandatory: boolean;
}

/**
 * Every oneOf list a schema reaches through its combinators: its own, and those nested in allOf, anyOf
 * and oneOf branches (local `$ref`s followed, depth-bounded). Properties, items and the other applicators
 * are not walked: the comparison reaches them itself and checks their oneOf lists there.
 */
function oneOfLists(
  work: Work,
  root: unknown,
  schema: Obj | boolean,
  path: string,
  mandatory = true,
  depth = 0,
  out: OneOfList[] = [],
): OneOfList[] {
  if (typeof schema === 'boolean' || depth > 8) return out;
  spend(work);
  for (const key of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list: unknown = schema[key];
    if (!Array.isArray(list)) continue;
    const p = childPointer(path, key);
    if (key === 'oneOf') out.push({ root, branches: list, path: p, mandatory });
    list.forEach((branch, i) => {
      const nb = normalise(root, branch, childPointer(p, i));
      oneOfLists(work, root, nb.schema, nb.path, mandatory && key === 'allOf', depth + 1, out);
    });
  }
  return out;
}

/** The same branch text, and the same definitions behind it when it holds a `$ref`. */
function sameBranch(x: unknown, rootX: unknown, y: unknown, rootY: unknown): boolean {
  if (!equal(x, y)) return false;
  return !canon(x).includes('"$ref"') || canon(rootX) === canon(rootY);
}

/**
 * oneOf needs exactly one match, and the branch comparison reads oneOf as anyOf, which is exact only
 * for branches no value matches together. So wherever a oneOf sits among the combinators (at the top, or
 * nested in an allOf, anyOf or oneOf branch), two of its branches that may overlap are a break, unless a
 * mandatory oneOf list of the other side (one every value valid there satisfies) holds both unchanged:
 * a value valid on that side then never matches both. A list nested in an anyOf or oneOf branch does not
 * exempt anything, since a valid value may pass through a sibling branch instead. An overlap in the new
 * schema breaks BACKWARD (old data can match both); one in the old schema breaks FORWARD.
 */
function oneOfOverlaps(ctx: Ctx, a: Side, b: Side, o: Obj, n: Obj, out: SchemaChange[]): void {
  const { work } = ctx;
  const oldLists = oneOfLists(work, a.root, o, a.path);
  const newLists = oneOfLists(work, b.root, n, b.path);
  const check = (lists: OneOfList[], others: OneOfList[], backward: boolean): void => {
    for (const list of lists) {
      const { branches: bs, root } = list;
      bs.forEach((s, i) => {
        for (let j = i + 1; j < bs.length; j += 1) {
          const t = bs[j];
          if (disjoint(work, root, s, root, t)) continue;
          const held = (m: OneOfList): boolean =>
            m.branches.some((x) => sameBranch(s, root, x, m.root)) &&
            m.branches.some((x) => sameBranch(t, root, x, m.root));
          if (others.some((m) => m.mandatory && held(m))) continue;
          const where = childPointer(list.path, i);
          push(
            out,
            backward ? 'branch-added' : 'branch-removed',
            where,
            `oneOf branch ${where} may overlap branch ${childPointer(list.path, j)}, so a value can match both and fail oneOf`,
            backward,
            !backward,
          );
        }
      });
    }
  };
  check(newLists, oldLists, true);
  check(oldLists, newLists, false);
}

/** `not`: the new schema accepts more exactly when its negated schema accepts less, so directions swap. */
function compareNot(ctx: Ctx, a: Side, b: Side, o: Obj, n: Obj, out: SchemaChange[]): void {
  if (equal(o.not, n.not) && !canon(o.not).includes('"$ref"')) return;
  const p = childPointer(b.path, 'not');
  if (o.not === undefined || n.not === undefined) {
    const added = o.not === undefined;
    push(
      out,
      added ? 'constraint-added' : 'constraint-removed',
      p,
      `${at(b.path)} ${added ? 'now' : 'no longer'} excludes the values of ${show(added ? n.not : o.not)}`,
      added,
      !added,
      o.not,
      n.not,
    );
    return;
  }
  const br = breaksOf(ctx, side(a.root, o.not, childPointer(a.path, 'not')), side(b.root, n.not, p));
  if (br.backward || br.forward)
    push(
      out,
      'constraint-changed',
      p,
      `the values excluded by "not" at ${at(b.path)} changed`,
      br.forward,
      br.backward,
      o.not,
      n.not,
    );
}

/** `contains` with `minContains`/`maxContains`: at least (at most) so many items match a schema. */
function compareContains(ctx: Ctx, a: Side, b: Side, o: Obj, n: Obj, out: SchemaChange[]): void {
  const path = b.path;
  if (o.contains === undefined && n.contains === undefined) return;
  if (o.contains === undefined || n.contains === undefined) {
    if (equal(o.contains, n.contains)) return;
    const added = o.contains === undefined;
    push(
      out,
      added ? 'constraint-added' : 'constraint-removed',
      childPointer(path, 'contains'),
      `the array at ${at(path)} ${added ? 'must now' : 'no longer has to'} contain an item matching ${show(added ? n.contains : o.contains)}`,
      added,
      !added,
      o.contains,
      n.contains,
    );
    return;
  }
  const br = breaksOf(
    ctx,
    side(a.root, o.contains, childPointer(a.path, 'contains')),
    side(b.root, n.contains, childPointer(path, 'contains')),
  );
  const min = (s: Obj): number => (typeof s.minContains === 'number' ? s.minContains : 1);
  const max = (s: Obj): number =>
    typeof s.maxContains === 'number' ? s.maxContains : Number.POSITIVE_INFINITY;
  // More items must match, or fewer may; a narrower contains schema counts fewer items, a wider one more.
  const backward =
    (br.backward && min(n) > 0) ||
    min(n) > min(o) ||
    max(n) < max(o) ||
    (br.forward && Number.isFinite(max(n)));
  const forward =
    (br.forward && min(o) > 0) ||
    min(n) < min(o) ||
    max(n) > max(o) ||
    (br.backward && Number.isFinite(max(o)));
  if (!backward && !forward) return;
  push(
    out,
    backward && !forward ? 'bound-tightened' : forward && !backward ? 'bound-loosened' : 'constraint-changed',
    childPointer(path, 'contains'),
    `what the array at ${at(path)} must contain changed`,
    backward,
    forward,
    { contains: o.contains, minContains: min(o), maxContains: o.maxContains },
    { contains: n.contains, minContains: min(n), maxContains: n.maxContains },
  );
}

/**
 * `dependentSchemas`, `dependentRequired` and draft-07 `dependencies`: each entry is a constraint that
 * applies when its property is present; an entry absent on one side is no constraint.
 */
function compareDependencies(ctx: Ctx, a: Side, b: Side, o: Obj, n: Obj, out: SchemaChange[]): void {
  for (const k of ['dependentSchemas', 'dependentRequired', 'dependencies']) {
    if (equal(o[k], n[k]) && !canon(o[k]).includes('"$ref"')) continue;
    const ok = o[k];
    const nk = n[k];
    const od: Obj = isObj(ok) ? ok : {};
    const nd: Obj = isObj(nk) ? nk : {};
    for (const name of new Set([...Object.keys(od), ...Object.keys(nd)])) {
      const asSchema = (v: unknown): unknown =>
        v === undefined ? true : Array.isArray(v) ? { required: v } : v;
      const ov = asSchema(od[name]);
      const nv = asSchema(nd[name]);
      if (equal(ov, nv) && !canon(ov).includes('"$ref"')) continue;
      const p = childPointer(childPointer(b.path, k), name);
      const br = breaksOf(
        ctx,
        side(a.root, ov, childPointer(childPointer(a.path, k), name)),
        side(b.root, nv, p),
      );
      if (!br.backward && !br.forward) continue;
      push(
        out,
        br.backward && !br.forward
          ? 'constraint-added'
          : br.forward && !br.backward
            ? 'constraint-removed'
            : 'constraint-changed',
        p,
        `what ${k} requires when '${name}' is present at ${at(b.path)} changed`,
        br.backward,
        br.forward,
        od[name],
        nd[name],
      );
    }
  }
}
