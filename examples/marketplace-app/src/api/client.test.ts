import { describe, expect, it } from 'vitest';
import { ApiError, createApiClient, identityHeaders, operation, readResponse } from './client.js';

const PING = operation<{ ping: boolean }, { n: number }>('query Ping($n: Int) { ping }');
const alice = { userId: 'alice', orgId: 'acme', roles: ['analyst', 'admin'] };

function fakeFetch(status: number, body: unknown, seen: { url?: string; init?: RequestInit }[] = []) {
  return (async (url: string, init?: RequestInit) => {
    seen.push({ url, init: init ?? {} });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof globalThis.fetch;
}

describe('readResponse', () => {
  it('returns the data', () => {
    expect(readResponse(200, { data: { ping: true } })).toEqual({ ping: true });
  });

  it("throws the first error with its extensions' code and details", () => {
    const body = {
      errors: [
        { message: 'over budget', extensions: { code: 'BUDGET_EXCEEDED', details: { resource: 'cpuMs' } } },
        { message: 'second', extensions: { code: 'INTERNAL' } },
      ],
    };
    try {
      readResponse(200, body);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe('BUDGET_EXCEEDED');
      expect((err as ApiError).message).toBe('over budget');
      expect((err as ApiError).details).toEqual({ resource: 'cpuMs' });
    }
  });

  it('falls back to INTERNAL without a code and to UNAVAILABLE for a 5xx without data', () => {
    expect(() => readResponse(200, { errors: [{ message: 'x' }] })).toThrow(
      expect.objectContaining({ code: 'INTERNAL' }),
    );
    expect(() => readResponse(503, {})).toThrow(expect.objectContaining({ code: 'UNAVAILABLE' }));
  });
});

describe('createApiClient', () => {
  it('POSTs the query and the variables as JSON with the identity headers', async () => {
    const seen: { url?: string; init?: RequestInit }[] = [];
    const client = createApiClient({
      identity: () => alice,
      fetch: fakeFetch(200, { data: { ping: true } }, seen),
    });
    await expect(client.request(PING, { n: 1 })).resolves.toEqual({ ping: true });
    const call = seen[0];
    expect(call?.url).toBe('/graphql');
    expect(call?.init?.method).toBe('POST');
    expect(JSON.parse(String(call?.init?.body))).toEqual({ query: PING.query, variables: { n: 1 } });
    expect(call?.init?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-intelgraph-user': 'alice',
      'x-intelgraph-org': 'acme',
      'x-intelgraph-roles': 'analyst,admin',
    });
  });

  it('reads the identity on every request', async () => {
    let who = alice;
    const seen: { url?: string; init?: RequestInit }[] = [];
    const client = createApiClient({
      identity: () => who,
      fetch: fakeFetch(200, { data: { ping: true } }, seen),
    });
    await client.request(PING, { n: 1 });
    who = { userId: 'bob', orgId: 'acme', roles: ['steward'] };
    await client.request(PING, { n: 2 });
    expect(seen[1]?.init?.headers).toMatchObject({ 'x-intelgraph-user': 'bob' });
  });

  it('reports an unreachable server and a non-JSON answer as errors with codes', async () => {
    const down = createApiClient({
      identity: () => alice,
      fetch: (async () => {
        throw new TypeError('connection refused');
      }) as typeof globalThis.fetch,
    });
    await expect(down.request(PING, { n: 1 })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const html = createApiClient({
      identity: () => alice,
      fetch: fakeFetch(502, '<html>bad gateway</html>'),
    });
    await expect(html.request(PING, { n: 1 })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('joins roles with commas in the headers', () => {
    expect(
      identityHeaders({ userId: 'c', orgId: 'o', roles: ['steward', 'legal'] })['x-intelgraph-roles'],
    ).toBe('steward,legal');
  });
});
