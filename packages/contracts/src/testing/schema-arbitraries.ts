// Test support (not exported, not published): small JSON Schema generators, a mutator that derives a
// next version from a schema, and a payload generator that produces values a schema accepts.
import fc from 'fast-check';
import { compileContract } from '../compiled-contract.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const NAMES = ['id', 'name', 'age', 'email', 'tags', 'score', 'kind', 'note'];

function leaf(): fc.Arbitrary<Obj> {
  return fc.oneof(
    fc.record(
      {
        type: fc.constant('string'),
        minLength: fc.integer({ min: 0, max: 3 }),
        maxLength: fc.integer({ min: 3, max: 12 }),
      },
      { requiredKeys: ['type'] },
    ),
    fc.record(
      {
        type: fc.constant('integer'),
        minimum: fc.integer({ min: -50, max: 0 }),
        maximum: fc.integer({ min: 0, max: 50 }),
      },
      { requiredKeys: ['type'] },
    ),
    fc.constant({ type: 'number' }),
    fc.constant({ type: 'boolean' }),
    fc.constant({ type: ['string', 'null'] }),
    fc.constant({ type: 'string', format: 'date' }),
    fc
      .uniqueArray(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1, maxLength: 4 })
      .map((e) => ({ enum: e })),
  );
}

/** Small JSON Schemas: objects of scalars, arrays, nested objects and anyOf. */
export function jsonSchemaArbitrary(): fc.Arbitrary<Obj> {
  const { node } = fc.letrec<{ node: Obj; object: Obj }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf(),
      leaf(),
      tie('object'),
      tie('node').map((items) => ({ type: 'array', items })),
      fc.tuple(leaf(), leaf()).map(([x, y]) => ({ anyOf: [x, y] })),
      // Combinator shapes that once broke the compatibility check: "make it nullable", a one-branch allOf, tuples.
      leaf().map((x) => ({ oneOf: [{ type: 'null' }, x] })),
      tie('node').map((x) => ({ allOf: [x] })),
      fc
        .tuple(
          leaf(),
          leaf(),
          fc.constantFrom<'absent' | 'false' | 'schema' | 'unevaluated'>(
            'absent',
            'false',
            'schema',
            'unevaluated',
          ),
        )
        .map(([x, y, rest]) => {
          const s: Obj = { type: 'array', prefixItems: [x, y] };
          if (rest === 'false') s.items = false;
          if (rest === 'schema') s.items = { type: 'string' };
          if (rest === 'unevaluated') s.unevaluatedItems = { type: 'string' };
          return s;
        }),
    ),
    object: fc
      .tuple(
        fc.uniqueArray(fc.constantFrom(...NAMES), { maxLength: 4 }),
        fc.array(tie('node'), { minLength: 4, maxLength: 4 }),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        fc.constantFrom<'open' | 'closed' | 'unset' | 'unevaluated'>(
          'open',
          'closed',
          'unset',
          'unevaluated',
        ),
      )
      .map(([names, subs, req, model]) => {
        const properties: Obj = {};
        const required: string[] = [];
        names.forEach((n, i) => {
          properties[n] = subs[i];
          if (req[i]) required.push(n);
        });
        const s: Obj = { type: 'object', properties };
        if (required.length > 0) s.required = required;
        if (model === 'closed') s.additionalProperties = false;
        if (model === 'open') s.additionalProperties = true;
        if (model === 'unevaluated') s.unevaluatedProperties = false;
        return s;
      }),
  }));
  // Draft 2020-12 throughout: prefixItems and unevaluated* are part of the grammar.
  return fc
    .oneof(
      node,
      node.map((s) => ({ type: 'object', properties: { root: s }, required: ['root'] })),
    )
    .map((s) => ({ $schema: DRAFT_2020_12, ...s }));
}

const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';

function nodes(s: unknown, out: Obj[] = []): Obj[] {
  if (!isObj(s)) return out;
  out.push(s);
  if (isObj(s.properties)) for (const v of Object.values(s.properties)) nodes(v, out);
  if (isObj(s.items)) nodes(s.items, out);
  for (const k of ['anyOf', 'oneOf', 'allOf', 'prefixItems'])
    if (Array.isArray(s[k])) for (const v of s[k] as unknown[]) nodes(v, out);
  return out;
}

/** Applies `seeds.length` random edits (each picked by a seed) to a copy of `schema`. */
export function mutateSchema(schema: Obj, seeds: readonly number[]): Obj {
  const copy = structuredClone(schema);
  for (const seed of seeds) {
    const all = nodes(copy);
    const n = all[seed % all.length] as Obj;
    const op = Math.floor(seed / 7) % 19;
    const props = isObj(n.properties) ? n.properties : null;
    const names = props ? Object.keys(props) : [];
    const pick = names[seed % Math.max(1, names.length)];
    switch (op) {
      case 0:
        if (props) props[NAMES[(seed >> 3) % NAMES.length] as string] = { type: 'string' };
        break;
      case 1:
        if (props && pick) {
          delete props[pick];
          if (Array.isArray(n.required)) n.required = n.required.filter((r) => r !== pick);
        }
        break;
      case 2:
        if (props && pick)
          n.required = [...new Set([...(Array.isArray(n.required) ? n.required : []), pick])];
        break;
      case 3:
        if (Array.isArray(n.required) && n.required.length > 0) n.required = n.required.slice(1);
        break;
      case 4:
        if (props) n.additionalProperties = n.additionalProperties === false;
        break;
      case 5:
        if (typeof n.type === 'string' && n.type !== 'object' && n.type !== 'array')
          n.type = [n.type, 'null'];
        break;
      case 6:
        if (Array.isArray(n.type)) n.type = n.type[0];
        else if (n.type === 'number') n.type = 'integer';
        else if (n.type === 'integer') n.type = 'number';
        break;
      case 7:
        if (typeof n.maxLength === 'number') n.maxLength = n.maxLength + ((seed & 1) === 0 ? 2 : -1);
        else if (typeof n.maximum === 'number') n.maximum = n.maximum + ((seed & 1) === 0 ? 5 : -5);
        break;
      case 8:
        if (typeof n.minLength === 'number') delete n.minLength;
        else if (typeof n.minimum === 'number') delete n.minimum;
        else if (n.type === 'string') n.minLength = 1;
        break;
      case 9:
        if (Array.isArray(n.enum))
          n.enum =
            (seed & 1) === 0
              ? [...new Set([...n.enum, 'z'])]
              : n.enum.slice(0, Math.max(1, n.enum.length - 1));
        break;
      case 10:
        if (props && pick) {
          const sub = props[pick];
          if (isObj(sub) && sub.type === 'string')
            sub.default =
              sub.format === 'date'
                ? '2000-01-01'
                : 'x'.repeat(Math.max(typeof sub.minLength === 'number' ? sub.minLength : 1, 1));
          n.required = [...new Set([...(Array.isArray(n.required) ? n.required : []), pick])];
        }
        break;
      case 11:
        if (Array.isArray(n.anyOf))
          n.anyOf = (seed & 1) === 0 ? [...n.anyOf, { type: 'boolean' }] : n.anyOf.slice(0, 1);
        break;
      case 12:
        if (n.type === 'string' && n.format === undefined && (seed & 1) === 0) n.format = 'date';
        else if (n.format !== undefined) delete n.format;
        break;
      case 13:
        // Make it nullable the oneOf way.
        if (props && pick && isObj(props[pick])) props[pick] = { oneOf: [{ type: 'null' }, props[pick]] };
        break;
      case 14:
        if (props && pick && isObj(props[pick]))
          props[pick] =
            (seed & 1) === 0 ? { allOf: [props[pick]] } : { anyOf: [props[pick], { type: 'boolean' }] };
        break;
      case 15:
        if (props) {
          delete n.additionalProperties;
          if (n.unevaluatedProperties === false) delete n.unevaluatedProperties;
          else n.unevaluatedProperties = false;
        }
        break;
      case 16:
        if (Array.isArray(n.prefixItems))
          n.prefixItems =
            (seed & 1) === 0 ? n.prefixItems.slice(0, -1) : [...n.prefixItems, { type: 'string' }];
        break;
      case 17:
        if (props && pick && isObj(props[pick])) {
          const sub = props[pick] as Obj;
          const list = (sub.oneOf ?? sub.anyOf ?? sub.allOf) as unknown[] | undefined;
          if (Array.isArray(list) && list.length > 0) props[pick] = list[list.length - 1];
        }
        break;
      default:
        n.description = `edited ${seed}`;
    }
  }
  return copy;
}

const DATE = fc
  .date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(2100, 0, 1)), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

/** How {@link payloadArbitrary} treats oneOf. */
export interface PayloadOptions {
  /**
   * `true` (the default): a oneOf value is filtered until exactly one branch accepts it, which is exact
   * for the schemas {@link jsonSchemaArbitrary} produces. `false`: the first of a few candidates that
   * exactly one branch accepts, else the first candidate; for edited schemas (see {@link mutateSchema}),
   * where no value may satisfy the filter, so the caller must check each payload itself.
   */
  exact?: boolean;
}

const ONE_OF_CANDIDATES = 6;

/**
 * Values `schema` accepts (for the subset of JSON Schema {@link jsonSchemaArbitrary} produces). For
 * another schema (an edited one) a value may miss; unsatisfiable ranges are widened rather than thrown.
 */
export function payloadArbitrary(schema: unknown, options: PayloadOptions = {}): fc.Arbitrary<unknown> {
  const sub = (s: unknown): fc.Arbitrary<unknown> => payloadArbitrary(s, options);
  if (schema === true || (isObj(schema) && Object.keys(schema).length === 0)) return fc.jsonValue();
  if (!isObj(schema)) return fc.constant(null);
  if (Array.isArray(schema.enum))
    return schema.enum.length > 0 ? fc.constantFrom(...(schema.enum as unknown[])) : fc.constant(null);
  if (Array.isArray(schema.anyOf) && schema.anyOf.length > 0) return fc.oneof(...schema.anyOf.map(sub));
  if (Array.isArray(schema.allOf) && schema.allOf.length === 1) return sub(schema.allOf[0]);
  if (Array.isArray(schema.oneOf) && schema.oneOf.length > 0) {
    // A value of one branch that no other branch accepts.
    const branches = schema.oneOf.map((b) => compileContract('json', b));
    const exactlyOne = (v: unknown): boolean => branches.filter((b) => b.isValid(v)).length === 1;
    const any = fc.oneof(...schema.oneOf.map(sub));
    if (options.exact !== false) return any.filter(exactlyOne);
    return fc
      .array(any, { minLength: ONE_OF_CANDIDATES, maxLength: ONE_OF_CANDIDATES })
      .map((c) => c.find(exactlyOne) ?? c[0]);
  }
  if (Array.isArray(schema.prefixItems)) {
    const prefix = fc.tuple(...schema.prefixItems.map(sub));
    const rest = schema.items ?? schema.unevaluatedItems ?? true;
    if (rest === false) return prefix;
    return fc.tuple(prefix, fc.array(sub(rest), { maxLength: 2 })).map(([p, r]) => [...p, ...r]);
  }
  if (Array.isArray(schema.type) && schema.type.length > 0)
    return fc.oneof(...schema.type.map((t) => sub({ ...schema, type: t })));
  switch (schema.type) {
    case 'string': {
      if (schema.format === 'date') return DATE;
      const minLength = typeof schema.minLength === 'number' ? Math.max(schema.minLength, 0) : 0;
      const maxLength = typeof schema.maxLength === 'number' ? Math.max(schema.maxLength, 0) : 12;
      return fc.string({ minLength, maxLength: Math.max(minLength, maxLength) });
    }
    case 'integer': {
      const min = typeof schema.minimum === 'number' ? Math.ceil(schema.minimum) : -1000;
      const max = typeof schema.maximum === 'number' ? Math.floor(schema.maximum) : 1000;
      return fc.integer({ min, max: Math.max(min, max) });
    }
    case 'number':
      return fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(sub(schema.items ?? true), { maxLength: 3 });
    case 'object': {
      const props = isObj(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) model[k] = sub(v);
      const declared = fc.record(model, { requiredKeys: required.filter((r) => r in props) });
      const extraAllowed = schema.additionalProperties !== false && schema.unevaluatedProperties !== false;
      if (!extraAllowed) return declared;
      const extra = fc.dictionary(
        fc
          .string({ minLength: 1, maxLength: 6 })
          .filter((k) => !(k in props) && !['__proto__', 'constructor', 'prototype'].includes(k)),
        fc.jsonValue({ maxDepth: 2 }),
        { maxKeys: 2 },
      );
      return fc.tuple(declared, extra).map(([d, e]) => ({ ...e, ...d }));
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}
