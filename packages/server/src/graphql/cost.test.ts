import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { queryCost } from './cost.js';
import { DEFAULT_QUERY_LIMITS, queryLimitsRule } from './limits.js';
import { typeDefs } from './type-defs.js';

// graphql-query-complexity loads graphql's CommonJS build; build the schema with that copy too (under
// vitest a plain import is the ESM build, another realm).
const { buildSchema, parse, validate } = createRequire(import.meta.url)(
  'graphql',
) as typeof import('graphql');
const schema = buildSchema(typeDefs.join('\n'));
const cost = (query: string, variables: Record<string, unknown> = {}) =>
  queryCost({ schema, document: parse(query), variables });
const limitsOf = (query: string) =>
  validate(schema, parse(query), [queryLimitsRule()]).map(
    (e) => (e.extensions.details as { limit?: string } | undefined)?.limit,
  );

describe('queryCost', () => {
  it('costs a list of objects by its page size times one item', () => {
    expect(cost('{ catalog(first: 5) { id } }')).toBe(5 * 2);
    expect(cost('{ catalog { id } }')).toBe(20 * 2); // the SDL default
    expect(cost('query($n: Int) { catalog(first: $n) { id } }', { n: 3 })).toBe(3 * 2);
    expect(cost('{ catalog(first: 5) { versions(first: 4) { version } } }')).toBe(5 * (1 + 4 * 2));
  });

  it('costs an explicit null page size at the declared default the resolver falls back to (hostile review)', () => {
    // `first: null` skips the SDL default in graphql-js; the resolver then answers its default page (20).
    const defaulted = cost('{ catalog { versions { version } reviews { stars } } }');
    expect(
      cost('{ catalog(first: null) { versions(first: null) { version } reviews(first: null) { stars } } }'),
    ).toBe(defaulted);
    expect(cost('query($n: Int) { catalog(first: $n) { id } }', { n: null })).toBe(20 * 2);
    expect(cost('{ auditTrail(subject: "s", first: null) { events { seq } } }')).toBe(
      cost('{ auditTrail(subject: "s") { events { seq } } }'),
    );
  });

  it('costs scalars and scalar lists 1, and lists without a page size at defaultListSize', () => {
    expect(cost('{ ping me { userId roles } }')).toBe(1 + 3);
    expect(cost('{ plugin(id: "x") { capabilities { scope } } }')).toBe(
      1 + DEFAULT_QUERY_LIMITS.defaultListSize * 2,
    );
  });

  it('counts introspection: __schema and __type carry their own weight, __typename costs 1', () => {
    expect(cost('{ __typename }')).toBe(1);
    expect(cost('{ __schema { queryType { name } } }')).toBe(2000 + 2);
    expect(cost('{ a: __type(name: "Plugin") { name } b: __type(name: "Query") { name } }')).toBe(2 * 101);
  });

  it('scales a page object by its page size', () => {
    const small = cost('{ auditTrail(subject: "s", first: 10) { events { seq } } }');
    const big = cost('{ auditTrail(subject: "s", first: 1000) { events { seq } } }');
    expect(big).toBeGreaterThan(small * 50);
  });
});

describe('queryLimitsRule', () => {
  const aliased = (n: number, field: string) =>
    `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;

  it('counts aliases, introspection included', () => {
    expect(limitsOf(aliased(30, '__typename'))).toEqual([]);
    expect(limitsOf(aliased(31, '__typename'))).toEqual(['maxAliases']);
    expect(limitsOf(aliased(31, '__schema { queryType { name } }'))).toEqual(['maxAliases']);
  });

  it('counts every field, introspection and repeated fragments included', () => {
    expect(limitsOf(`{ ${'__typename '.repeat(501)} }`)).toEqual(['maxFields']);
    const fragment = `fragment F on Plugin { ${Array.from({ length: 30 }, (_, i) => `f${i}: id`).join(' ')} }`;
    expect(limitsOf(`{ catalog { ...F ...F } } ${fragment}`)).toEqual(['maxAliases']);
  });

  it('limits depth, except inside introspection type references', () => {
    let nested = 'id';
    for (let i = 0; i < 10; i++) nested = `plugin { ${nested} }`;
    expect(limitsOf(`{ search(query: "a") { ${nested} } }`)).toEqual(['maxDepth']);
    let refs = 'name';
    for (let i = 0; i < 12; i++) refs = `ofType { ${refs} }`;
    expect(limitsOf(`{ __type(name: "Plugin") { fields { type { ${refs} } } } }`)).toEqual([]);
  });
});
