import { createExpressRouter } from '@intelgraph/server/express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_METRICS_TOKEN, type TestServer } from '../host/support.js';

// /metrics and /readyz need the metrics token or an operator; /readyz names only the backend that
// is down. Every bad-input path of the router is a typed 4xx, never a 500.
let dev: TestServer; // development identity headers, introspection on
let prod: TestServer; // introspection off, as in production
const operator = {
  'x-intelgraph-user': 'olga',
  'x-intelgraph-org': 'platform',
  'x-intelgraph-roles': 'operator',
};
const orgAdmin = {
  'x-intelgraph-user': 'alice',
  'x-intelgraph-org': 'acme',
  'x-intelgraph-roles': 'analyst,admin',
};

beforeAll(async () => {
  dev = await startTestServer();
  prod = await startTestServer({}, { introspection: false });
}, 180_000);
afterAll(async () => {
  await dev?.close();
  await prod?.close();
});

async function errorOf(res: Response): Promise<{ status: number; code: string | undefined; text: string }> {
  const text = await res.text();
  let code: string | undefined;
  try {
    const body = JSON.parse(text) as {
      error?: { code?: string };
      errors?: { extensions?: { code?: string } }[];
    };
    code = body.error?.code ?? body.errors?.[0]?.extensions?.code;
  } catch {
    code = undefined;
  }
  return { status: res.status, code, text };
}

describe('/metrics and /readyz', () => {
  it('/metrics: 401 anonymous, 403 for an org admin, 200 for the token or an operator', async () => {
    const path = '/metrics';
    expect((await errorOf(await fetch(`${dev.url}${path}`))).code).toBe('UNAUTHENTICATED');
    const wrong = await fetch(`${dev.url}${path}`, { headers: { authorization: 'Bearer nope' } });
    expect([wrong.status, (await errorOf(wrong)).code]).toEqual([401, 'UNAUTHENTICATED']);
    const admin = await fetch(`${dev.url}${path}`, { headers: orgAdmin });
    expect([admin.status, (await errorOf(admin)).code]).toEqual([403, 'FORBIDDEN']);
    expect((await fetch(`${dev.url}${path}`, { headers: operator })).status).toBe(200);
    const token = await fetch(`${dev.url}${path}`, {
      headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
    });
    expect(token.status).toBe(200);
    expect(await token.text()).toMatch(/^# HELP /m);
  });

  it('/readyz: the verdict for anyone, which backend for the token or an operator only', async () => {
    for (const headers of [{}, orgAdmin, { authorization: 'Bearer nope' }]) {
      const res = await fetch(`${dev.url}/readyz`, { headers });
      expect([res.status, await res.json()]).toEqual([200, { ok: true }]);
    }
    for (const headers of [operator, { authorization: `Bearer ${TEST_METRICS_TOKEN}` }]) {
      const body = (await (await fetch(`${dev.url}/readyz`, { headers })).json()) as { checks: object };
      expect(Object.keys(body.checks)).toContain('audit');
    }
  });

  it('/readyz names the backend that is down and never its error text', async () => {
    const host = prod.host;
    const original = host.health.bind(host);
    (host as { health: typeof original }).health = async () => ({
      ok: false,
      checks: {
        audit: { ok: true },
        graph: { ok: false, error: 'connect ECONNREFUSED 10.0.0.7:7687 user=neo4j password=hunter2' },
      },
    });
    try {
      const res = await fetch(`${prod.url}/readyz`, {
        headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
      });
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ ok: false, checks: { audit: { ok: true }, graph: { ok: false } } });
      expect(text).not.toMatch(/ECONNREFUSED|hunter2|10\.0\.0\.7/);
      const anonymous = await fetch(`${prod.url}/readyz`);
      expect([anonymous.status, await anonymous.json()]).toEqual([503, { ok: false }]);
    } finally {
      (host as { health: typeof original }).health = original;
    }
  });

  it('/healthz stays public and says nothing else', async () => {
    const res = await fetch(`${prod.url}/healthz`);
    expect([res.status, await res.json()]).toEqual([200, { ok: true }]);
  });
});

describe('bad input on every router path is a typed 4xx', () => {
  const gql = (headers: Record<string, string>, body: string, method = 'POST') =>
    fetch(`${dev.url}/graphql`, { method, headers, body: method === 'GET' ? null : body });
  const json = { 'content-type': 'application/json' };

  const cases: [string, () => Promise<Response>, number, string][] = [
    [
      'malformed identity: bad roles',
      () => gql({ ...json, ...orgAdmin, 'x-intelgraph-roles': 'admin,<script>' }, '{"query":"{ ping }"}'),
      401,
      'UNAUTHENTICATED',
    ],
    [
      'malformed identity: user id too long',
      () => gql({ ...json, ...orgAdmin, 'x-intelgraph-user': 'u'.repeat(10_000) }, '{"query":"{ ping }"}'),
      401,
      'UNAUTHENTICATED',
    ],
    [
      'malformed identity on /metrics',
      () => fetch(`${dev.url}/metrics`, { headers: { ...operator, 'x-intelgraph-org': ' ' } }),
      401,
      'UNAUTHENTICATED',
    ],
    ['malformed JSON', () => gql(json, '{"query": '), 400, 'INVALID_INPUT'],
    ['JSON that is not an operation', () => gql({ ...json, ...orgAdmin }, '[1, 2]'), 400, 'INVALID_INPUT'],
    ['query not a string', () => gql({ ...json, ...orgAdmin }, '{"query": 5}'), 400, 'INVALID_INPUT'],
    ['text/plain body', () => gql({ 'content-type': 'text/plain' }, '{ ping }'), 415, 'INVALID_INPUT'],
    [
      'form body',
      () => gql({ 'content-type': 'application/x-www-form-urlencoded' }, 'query=%7Bping%7D'),
      415,
      'INVALID_INPUT',
    ],
    [
      'no content type',
      () => fetch(`${dev.url}/graphql`, { method: 'POST', body: new Uint8Array([1, 2, 3]) }),
      415,
      'INVALID_INPUT',
    ],
    [
      'unsupported charset',
      () => gql({ 'content-type': 'application/json; charset=koi8-r' }, '{}'),
      415,
      'INVALID_INPUT',
    ],
    [
      'unsupported encoding',
      () => gql({ ...json, 'content-encoding': 'compress' }, '{"query":"{ ping }"}'),
      415,
      'INVALID_INPUT',
    ],
    [
      'oversized body',
      () => gql(json, JSON.stringify({ query: '{ ping }', variables: { x: 'y'.repeat(2_000_000) } })),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    ['parse error', () => gql({ ...json, ...orgAdmin }, '{"query":"query {"}'), 400, 'INVALID_INPUT'],
    [
      'document over the token limit',
      () => gql({ ...json, ...orgAdmin }, JSON.stringify({ query: `{ ${'ping '.repeat(20_000)} }` })),
      400,
      'INVALID_INPUT',
    ],
    ['GET without the CSRF header', () => fetch(`${dev.url}/graphql?query=%7Bping%7D`), 400, 'INVALID_INPUT'],
  ];

  it.each(cases)('%s', async (_, send, status, code) => {
    const r = await errorOf(await send());
    expect([r.status, r.code], r.text).toEqual([status, code]);
  });

  it('serves GET queries with the CSRF header, and the server keeps serving after every refusal', async () => {
    const r = await fetch(`${dev.url}/graphql?query=%7Bping%7D`, {
      headers: { ...orgAdmin, 'apollo-require-preflight': '1' },
    });
    expect(await r.json()).toEqual({ data: { ping: true } });
  });

  it('names the router option when introspection is off', async () => {
    const r = await prod.gql(null, '{ __schema { queryType { name } } }');
    expect(r.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
    expect(r.errors?.[0]?.message).toMatch(/createExpressRouter\(\{ introspection: true \}\)/);
    expect(r.errors?.[0]?.message).not.toMatch(/ApolloServer/);
  });
});

describe('createExpressRouter options', () => {
  it.each([
    ['no auth hook outside development', {}],
    ['a short metrics token', { development: true, metricsToken: 'short' }],
    ['a negative cost limit', { development: true, queryLimits: { maxCost: -1 } }],
    ['an unknown limit', { development: true, queryLimits: { maxCots: 5 } }],
    ['a body limit that is not a size', { development: true, bodyLimit: 'lots' }],
    [
      'the removed metricsRoles option (the host authorizes observability.read)',
      { development: true, metricsRoles: ['operator'] },
    ],
  ])('refuses %s with INVALID_INPUT', async (_, options) => {
    await expect(
      createExpressRouter({ host: dev.host, ...options } as Parameters<typeof createExpressRouter>[0]),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});
