import { createRequire } from 'node:module';
import {
  createGraphQLSchema,
  DEFAULT_QUERY_LIMITS,
  queryCost,
  queryLimitsRule,
} from '@intelgraph/server/graphql';
import { type GraphQLSchema, getIntrospectionQuery, parse, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS } from '../../../examples/demo/src/seed.js';
import { startTestServer, type TestServer } from './support.js';

// Introspection counts, lists cost by their size, aliases/fields/depth are capped, per-plugin
// lookups are batched per request, and a refused query never reaches a resolver nor starves another.
const { alice } = USERS;
// The schema is built by @graphql-tools, which Node loads with graphql's CommonJS build; validate with the
// same copy (under vitest, a plain import would be the ESM build, another realm).
const { validate } = createRequire(import.meta.url)('graphql') as typeof import('graphql');
let s: TestServer;
const calls = { list: 0, detail: 0, stats: 0 };

beforeAll(async () => {
  s = await startTestServer(); // development: true, so introspection is on
  const m = s.host.marketplace;
  const list = m.list.bind(m);
  const detail = m.detail.bind(m);
  const stats = s.host.catalogStats.bind(s.host);
  m.list = (q) => {
    calls.list++;
    return list(q);
  };
  m.detail = (id) => {
    calls.detail++;
    return detail(id);
  };
  (s.host as { catalogStats: typeof stats }).catalogStats = (id) => {
    calls.stats++;
    return stats(id);
  };
}, 120_000);
afterAll(async () => {
  await s?.close();
});

const reset = () => Object.assign(calls, { list: 0, detail: 0, stats: 0 });
const aliased = (n: number, field: string) =>
  `query { ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;

interface Refusal {
  code: string | undefined;
  limit: unknown;
}
async function refusal(query: string, variables: Record<string, unknown> = {}): Promise<Refusal> {
  const r = await s.gql(alice, query, variables);
  expect(r.data).toBeNull();
  const e = r.errors?.[0] as { extensions?: { code?: string; details?: { limit?: unknown } } } | undefined;
  return { code: e?.extensions?.code, limit: e?.extensions?.details?.limit };
}

describe('GraphQL query limits', () => {
  const attacks: [string, string, Record<string, unknown>?][] = [
    ['200 aliased __schema', aliased(200, '__schema { types { name fields { name } } }')],
    [
      '20 aliased __schema (under the alias cap: cost)',
      aliased(20, '__schema { types { name fields { name args { name } } } }'),
    ],
    ['2,000 aliased __typename', aliased(2000, '__typename')],
    ['2,000 unaliased __typename', `query { ${'__typename '.repeat(2000)} }`],
    [
      '40 aliased catalog { versions reviews }',
      aliased(40, 'catalog { id versions { version } reviews { stars } }'),
    ],
    [
      '8 aliased catalog(first: 100) with versions(first: 100)',
      aliased(8, 'catalog(first: 100) { id versions(first: 100) { version capabilities { scope } } }'),
    ],
    [
      'page sizes through variables',
      'query($n: Int) { a: catalog(first: $n) { versions(first: $n) { version capabilities { scope } } } }',
      { n: 100 },
    ],
    [
      'fragments spread many times',
      `query { catalog { ...F } } fragment F on Plugin { ${Array.from({ length: 600 }, (_, i) => `f${i}: id`).join(' ')} }`,
    ],
  ];

  it.each(attacks)('refuses %s with INVALID_INPUT before any resolver runs', async (_, query, variables) => {
    reset();
    const r = await refusal(query, variables);
    expect(r.code).toBe('INVALID_INPUT');
    expect(['maxAliases', 'maxFields', 'maxCost', 'maxDepth']).toContain(r.limit);
    expect(calls).toEqual({ list: 0, detail: 0, stats: 0 });
  });

  it('costs the same query text again when its variables set its page sizes (a cached cost never lets a bigger page through)', async () => {
    const query =
      'query Pages($n: Int) { a: catalog(first: $n) { versions(first: $n) { version capabilities { scope } } } }';
    for (let i = 0; i < 3; i++) {
      const small = await s.gql(alice, query, { n: 2 });
      expect(small.errors).toBeUndefined();
      reset();
      const big = await refusal(query, { n: 100 });
      expect(big).toEqual({ code: 'INVALID_INPUT', limit: 'maxCost' });
      expect(calls).toEqual({ list: 0, detail: 0, stats: 0 });
    }
    // A query refused for its cost stays refused when sent again (only costs within the limit are kept).
    const heavy = aliased(20, '__schema { types { name fields { name args { name } } } }');
    for (let i = 0; i < 2; i++) expect((await refusal(heavy)).limit).toBe('maxCost');
  });

  it('counts introspection in the cost, not only the alias cap', async () => {
    const r = await refusal(aliased(20, '__schema { types { name fields { name args { name } } } }'));
    expect(r.limit).toBe('maxCost');
    const typename = await refusal(`query { ${'__typename '.repeat(600)} }`);
    expect(typename.limit).toBe('maxFields');
  });

  it('answers a normal request while attacks are refused', async () => {
    const attacks = Array.from({ length: 20 }, (_, i) =>
      s.gql(alice, aliased(40, `catalog { id versions { version } reviews { stars } } x${i}: ping`)),
    );
    const normal = s.gql<{ catalog: { id: string }[] }>(
      alice,
      'query { catalog(first: 3) { id latestVersion } }',
    );
    const [ok, ...refused] = await Promise.all([normal, ...attacks]);
    expect(ok?.errors).toBeUndefined();
    expect(ok?.data?.catalog.length).toBeGreaterThan(0);
    for (const r of refused) expect(r.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
  });

  it('serves the standard introspection query under the default limits', async () => {
    const r = await s.gql<{ __schema: { types: unknown[] } }>(alice, getIntrospectionQuery());
    expect(r.errors).toBeUndefined();
    expect(r.data?.__schema.types.length).toBeGreaterThan(20);
  });

  it('paginates list fields with first: a default, a maximum, and INVALID_INPUT beyond it', async () => {
    const two = await s.gql<{ catalog: unknown[] }>(alice, 'query { catalog(first: 2) { id } }');
    expect(two.data?.catalog).toHaveLength(2);
    const byDefault = await s.gql<{ catalog: unknown[] }>(alice, 'query { catalog { id } }');
    expect(byDefault.data?.catalog.length).toBeLessThanOrEqual(20);
    for (const first of [0, 101, -1]) {
      const r = await s.gql(alice, 'query($n: Int) { catalog(first: $n) { id } }', { n: first });
      expect(r.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
    }
    const versions = await s.gql(
      alice,
      'query { plugin(id: "sample-enricher") { versions(first: 1000) { version } } }',
    );
    expect(versions.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
  });

  it('batches per-plugin lookups: each plugin is read once per request, however many fields ask', async () => {
    reset();
    const r = await s.gql<{ a: { id: string }[]; b: { id: string }[] }>(
      alice,
      `query {
        a: catalog(first: 5) { id installCount inputSchema versions { version } reviews { stars } }
        b: catalog(first: 5) { id installCount inputSchema versions { version } reviews { stars } }
        p: plugin(id: "sample-enricher") { id versions { version } installCount }
      }`,
    );
    expect(r.errors).toBeUndefined();
    const ids = new Set([...(r.data?.a ?? []), ...(r.data?.b ?? [])].map((p) => p.id));
    ids.add('sample-enricher');
    expect(calls.detail).toBe(ids.size);
    expect(calls.stats).toBe(ids.size);
    // A new request reads afresh: the cache lives for one request only.
    reset();
    await s.gql(alice, 'query { plugin(id: "sample-enricher") { versions { version } } }');
    expect(calls.detail).toBe(1);
  });

  it('fits every operation of the example web app within the default limits', async () => {
    const schema = createGraphQLSchema(s.host);
    const modules = await Promise.all([
      import('../../../examples/marketplace-app/src/api/operations/marketplace.js'),
      import('../../../examples/marketplace-app/src/api/operations/governance.js'),
      import('../../../examples/marketplace-app/src/api/operations/contracts.js'),
      import('../../../examples/marketplace-app/src/api/operations/finops.js'),
      import('../../../examples/marketplace-app/src/api/operations/runner.js'),
    ]);
    const ops = modules.flatMap((m) =>
      Object.entries(m).filter(
        (e): e is [string, { query: string }] => typeof (e[1] as { query?: unknown })?.query === 'string',
      ),
    );
    expect(ops.length).toBeGreaterThan(10);
    const over: string[] = [];
    for (const [name, op] of ops) {
      const document = parse(op.query);
      const errors = validate(schema, document, [queryLimitsRule()]);
      if (errors.length) over.push(`${name}: ${errors.map((e) => e.message).join('; ')}`);
      // The largest page sizes the app sends (Int variables at their maximum).
      const variables: Record<string, unknown> = {};
      for (const def of document.definitions)
        if (def.kind === 'OperationDefinition')
          for (const v of def.variableDefinitions ?? [])
            variables[v.variable.name.value] = placeholder(schema, print(v.type));
      const cost = queryCost({ schema, document, variables });
      if (cost > DEFAULT_QUERY_LIMITS.maxCost) over.push(`${name}: cost ${cost}`);
    }
    expect(over).toEqual([]);
  });
});

/** A valid value for a variable's type: Ints at 100 (the largest page), required input fields filled. */
function placeholder(schema: GraphQLSchema, printed: string): unknown {
  const required = printed.endsWith('!');
  const bare = required ? printed.slice(0, -1) : printed;
  if (bare.startsWith('[')) return [];
  if (bare === 'Int') return 100;
  if (bare === 'Float') return 1;
  if (bare === 'Boolean') return true;
  if (bare === 'DateTime') return '2026-01-01T00:00:00Z';
  if (bare === 'JSON') return {};
  if (bare === 'String' || bare === 'ID') return 'x';
  const t = schema.getType(bare) as unknown as {
    getValues?: () => { value: unknown }[];
    getFields?: () => Record<string, { type: unknown }>;
  };
  if (t?.getValues) return t.getValues()[0]?.value;
  if (!required) return null;
  const fields = t?.getFields?.() ?? {};
  return Object.fromEntries(
    Object.entries(fields)
      .filter(([, f]) => String(f.type).endsWith('!'))
      .map(([k, f]) => [k, placeholder(schema, String(f.type))]),
  );
}
