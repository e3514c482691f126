import { findDangerousKeys, IntelGraphError, type JsonValue } from '@intelgraph/core';
import { childPointer } from './issue.js';
import { CONTRACT_LIMITS } from './limits.js';
import { errorMessage, type Indexable, isIndexable } from './narrow.js';

function describeIssues(what: string, issues: ReturnType<typeof findDangerousKeys>): IntelGraphError {
  const first = issues[0];
  const where = first && first.path.length > 0 ? ` at /${first.path.join('/')}` : '';
  return new IntelGraphError('INVALID_INPUT', `${what} rejected${where}: ${first?.message ?? 'unsafe'}`, {
    details: { issues },
  });
}

/**
 * Checks that a value is plain JSON of bounded size and depth without prototype-pollution keys, and
 * returns it typed as JSON. Throws `INVALID_INPUT` otherwise.
 */
export function assertSafeJson(value: unknown, what: string, maxBytes: number): JsonValue {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new IntelGraphError('INVALID_INPUT', `${what} is not JSON (${errorMessage(cause)})`, {
      cause,
    });
  }
  if (text === undefined) throw new IntelGraphError('INVALID_INPUT', `${what} is not a JSON value`);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes)
    throw new IntelGraphError(
      'INVALID_INPUT',
      `${what} is too large: ${bytes} bytes, the limit is ${maxBytes}`,
      {
        details: { limit: maxBytes, observed: bytes },
      },
    );
  const issues = findDangerousKeys(value, CONTRACT_LIMITS.maxDepth);
  if (issues.length > 0) throw describeIssues(what, issues);
  // JSON.stringify accepted the value above; a full JSON walk here would cost every caller (records).
  return value as JsonValue;
}

/**
 * Parses JSON text (a string or UTF-8 bytes) of bounded size, then applies {@link assertSafeJson}.
 * Throws `INVALID_INPUT` for text that is too large or not JSON.
 */
export function parseJsonText(text: string | Uint8Array, what: string, maxBytes: number): JsonValue {
  const bytes = typeof text === 'string' ? Buffer.byteLength(text, 'utf8') : text.byteLength;
  if (bytes > maxBytes)
    throw new IntelGraphError(
      'INVALID_INPUT',
      `${what} is too large: ${bytes} bytes, the limit is ${maxBytes}`,
      {
        details: { limit: maxBytes, observed: bytes },
      },
    );
  const str = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
  let value: JsonValue;
  try {
    // JSON.parse without a reviver yields JSON values only.
    value = JSON.parse(str);
  } catch (cause) {
    throw new IntelGraphError('INVALID_INPUT', `${what} is not valid JSON: ${errorMessage(cause)}`, {
      cause,
    });
  }
  const issues = findDangerousKeys(value, CONTRACT_LIMITS.maxDepth);
  if (issues.length > 0) throw describeIssues(what, issues);
  return value;
}

/**
 * A fast screen for payloads handed over in-process: rejects prototype-pollution keys and nesting
 * beyond `maxDepth`. Returns the pointer of the first offence, or `null`. The happy path allocates
 * nothing; the pointer is only built when something is found.
 *
 * Keys are the enumerable string keys a `for…in` loop visits (own keys, e.g. from `JSON.parse`, and any
 * enumerable inherited ones): the keys that merges, ajv and serialisers see. Arrays are walked by index.
 *
 * @example
 * ```ts
 * screenPayload(JSON.parse('{"a":{"__proto__":{}}}'), 64);
 * // { path: '/a/__proto__', reason: 'the key "__proto__" is not allowed' }
 * ```
 */
export function screenPayload(value: unknown, maxDepth: number): { path: string; reason: string } | null {
  if (!isIndexable(value) || !offends(value, 0, maxDepth)) return null;
  return locate(value, 0, maxDepth, '');
}

/**
 * The yes/no form of {@link screenPayload}.
 *
 * @example
 * ```ts
 * isHostile(JSON.parse('{"constructor":{"prototype":{}}}'), 64); // true
 * ```
 */
export function isHostile(value: unknown, maxDepth: number): boolean {
  return isIndexable(value) && offends(value, 0, maxDepth);
}

/**
 * Where a compiled contract lets the batch screen skip work: for each declared property of an object,
 * either `null` (its subschema is closed: any valid value is safe and shallow, so validation vouches for
 * it) or the plan of its own properties. Undeclared properties, arrays and anything else get the full
 * screen. A plan only ever skips what validation rules out, so for a valid record the planned screen
 * gives the same answer as {@link isHostile}; a record that fails validation is screened in full anyway.
 *
 * @example
 * ```ts
 * // { type: 'object', properties: { id: { type: 'string' }, meta: { type: 'object' } } }
 * const plan: ScreenPlan = { props: new Map([['id', null]]) }; // `meta` and undeclared keys: full screen
 * ```
 */
export interface ScreenPlan {
  readonly props: ReadonlyMap<string, ScreenPlan | null>;
}

/**
 * The index of the first record at or after `start` that the screen flags (prototype-pollution keys, or
 * nesting deeper than `maxDepth`), or `records.length`. With a `plan`, closed parts of the model are
 * skipped (see {@link ScreenPlan}). One tight loop, no allocation.
 *
 * @example
 * ```ts
 * firstHostile([{ a: 1 }, JSON.parse('{"__proto__":{}}')], 0, undefined, 64); // 1
 * ```
 */
export function firstHostile(
  records: readonly unknown[],
  start: number,
  plan: ScreenPlan | undefined,
  maxDepth: number,
): number {
  const n = records.length;
  if (plan === undefined) {
    for (let i = start; i < n; i++) {
      const r = records[i];
      if (isIndexable(r) && offends(r, 0, maxDepth)) return i;
    }
  } else {
    for (let i = start; i < n; i++) {
      const r = records[i];
      if (isIndexable(r) && offendsPlanned(r, plan, 0, maxDepth)) return i;
    }
  }
  return n;
}

/** Above this many names, a chain of comparisons per key costs more than the value check it saves. */
const MAX_INLINE_NAMES = 16;

/**
 * Compiles the batch screen of one contract: `(records, start) => index`, equivalent to
 * {@link firstHostile} with the same plan. When the top-level plan lists a few closed properties, their
 * names are compiled into the loop as string literals (as ajv and avsc compile validators): comparing a key
 * with an interned literal is a pointer comparison, cheaper than loading and checking the value it skips.
 * Names are embedded with `JSON.stringify`, so any key is a plain string literal.
 *
 * @example
 * ```ts
 * const screen = compileScreen({ props: new Map([['id', null]]) }, 64);
 * screen([{ id: 'a' }, JSON.parse('{"id":"b","x":{"constructor":1}}')], 0); // 1
 * ```
 */
export function compileScreen(
  plan: ScreenPlan | undefined,
  maxDepth: number,
): (records: readonly unknown[], start: number) => number {
  const closed: string[] = [];
  if (plan)
    for (const [key, sub] of plan.props)
      if (sub === null && !(key === '__proto__' || key === 'constructor' || key === 'prototype'))
        closed.push(key);
  if (!plan || closed.length === 0 || closed.length > MAX_INLINE_NAMES)
    return (records, start) => firstHostile(records, start, plan, maxDepth);
  const declared = closed.map((k) => `k === ${JSON.stringify(k)}`).join(' || ');
  const body = `'use strict';
return function screenRecords(records, start) {
  const n = records.length;
  for (let i = start; i < n; i++) {
    const r = records[i];
    if (typeof r !== 'object' || r === null) continue;
    if (Array.isArray(r)) {
      if (offends(r, 0, maxDepth)) return i;
      continue;
    }
    for (const k in r) {
      if (${declared}) continue;
      if (k === '__proto__' || k === 'constructor' || k === 'prototype') return i;
      const x = r[k];
      if (typeof x === 'object' && x !== null) {
        const sub = plan.props.get(k);
        if (sub === null) continue;
        if (sub === undefined ? offends(x, 1, maxDepth) : offendsPlanned(x, sub, 1, maxDepth)) return i;
      }
    }
  }
  return n;
};`;
  // The generated factory's signature is the one written in `body`; Function has no typed form.
  const factory = new Function('offends', 'offendsPlanned', 'plan', 'maxDepth', body) as (
    ...args: unknown[]
  ) => (records: readonly unknown[], start: number) => number;
  return factory(offends, offendsPlanned, plan, maxDepth);
}

/**
 * True when a value nests objects or arrays deeper than `maxDepth` (the root is level 0), following
 * everything a structured clone would copy (enumerable keys, array items, Map and Set entries). Used
 * before cloning a payload, so a runaway structure is refused instead of overflowing the stack.
 *
 * @example
 * ```ts
 * exceedsDepth({ a: { b: {} } }, 1); // true
 * ```
 */
export function exceedsDepth(value: unknown, maxDepth: number): boolean {
  return isIndexable(value) && tooDeep(value, 0, maxDepth);
}

// `for…in` visits each key once through V8's enum cache and compares it with three interned strings:
// several times cheaper per object than three `Object.hasOwn` probes plus the same loop.
function offends(v: Indexable, depth: number, maxDepth: number): boolean {
  if (depth > maxDepth) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (isIndexable(x) && offends(x, depth + 1, maxDepth)) return true;
    }
    return false;
  }
  for (const k in v) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') return true;
    const x = v[k];
    if (isIndexable(x) && offends(x, depth + 1, maxDepth)) return true;
  }
  return false;
}

function offendsPlanned(v: Indexable, plan: ScreenPlan, depth: number, maxDepth: number): boolean {
  if (depth > maxDepth) return true;
  if (Array.isArray(v)) return offends(v, depth, maxDepth);
  for (const k in v) {
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') return true;
    const x = v[k];
    if (isIndexable(x)) {
      const sub = plan.props.get(k);
      if (sub === null) continue;
      if (sub === undefined ? offends(x, depth + 1, maxDepth) : offendsPlanned(x, sub, depth + 1, maxDepth))
        return true;
    }
  }
  return false;
}

function tooDeep(v: Indexable, depth: number, maxDepth: number): boolean {
  if (depth > maxDepth) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (isIndexable(x) && tooDeep(x, depth + 1, maxDepth)) return true;
    }
    return false;
  }
  if (v instanceof Map || v instanceof Set) {
    for (const entry of v instanceof Map ? [...v.keys(), ...v.values()] : v)
      if (isIndexable(entry) && tooDeep(entry, depth + 1, maxDepth)) return true;
    return false;
  }
  for (const k in v) {
    const x = v[k];
    if (isIndexable(x) && tooDeep(x, depth + 1, maxDepth)) return true;
  }
  return false;
}

function locate(
  v: unknown,
  depth: number,
  maxDepth: number,
  path: string,
): { path: string; reason: string } | null {
  if (typeof v !== 'object' || v === null) return null;
  if (depth > maxDepth) return { path, reason: `nesting deeper than ${maxDepth} levels` };
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const r = locate(v[i], depth + 1, maxDepth, `${path}/${i}`);
      if (r) return r;
    }
    return null;
  }
  for (const key in v) {
    const at = childPointer(path, key);
    if (key === '__proto__' || key === 'constructor' || key === 'prototype')
      return { path: at, reason: `the key "${key}" is not allowed` };
    const r = locate(Reflect.get(v, key), depth + 1, maxDepth, at);
    if (r) return r;
  }
  return null;
}
