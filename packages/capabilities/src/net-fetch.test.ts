import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HostCallRecord } from '@intelgraph/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineHostApi, scopeHostApi } from './host-api.js';
import { netFetchMethod } from './net-fetch.js';

let server: Server;
let port = 0;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} host=${req.headers.host}`);
    if (req.url === '/big') {
      res.end('x'.repeat(5000));
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ hello: 'world' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

// "svc.test" resolves to loopback: the test host opts in to private egress, as a host would for an
// internal service; the default guard refuses it.
const resolve = async () => [{ address: '127.0.0.1', family: 4 }];

describe('netFetchMethod', () => {
  it('is visible with any net: scope and fetches a granted host through the vetted address', async () => {
    const hostApi = defineHostApi({
      net: { fetch: netFetchMethod({ resolve, allowPrivate: true, maxResponseBytes: 1000 }) },
    });
    expect(scopeHostApi(hostApi, []).methods).toEqual([]);
    const api = scopeHostApi(hostApi, [`net:svc.test:${port}`]);
    expect(api.methods).toEqual(['net.fetch']);
    const calls: HostCallRecord[] = [];
    const r = await api.call(
      'net.fetch',
      { url: `http://svc.test:${port}/x?y=1`, headers: { Host: 'evil' } },
      { onCall: (c) => calls.push(c) },
    );
    expect(r).toMatchObject({
      status: 200,
      body: '{"hello":"world"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(seen.at(-1)).toBe(`GET /x?y=1 host=svc.test:${port}`);
    expect(calls[0]).toMatchObject({ scope: `net:svc.test:${port}`, method: 'net.fetch', ok: true, rows: 0 });
    await expect(api.call('net.fetch', { url: `http://svc.test:${port}/big` })).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
  });

  it('denies hosts outside the grants and private addresses by default, recording the attempted scope', async () => {
    const hostApi = defineHostApi({ net: { fetch: netFetchMethod({ resolve }) } });
    const api = scopeHostApi(hostApi, ['net:svc.test']);
    const calls: HostCallRecord[] = [];
    const onCall = (c: HostCallRecord) => calls.push(c);
    const before = seen.length;
    await expect(api.call('net.fetch', { url: 'https://elsewhere.test/' }, { onCall })).rejects.toMatchObject(
      { code: 'CAPABILITY_DENIED' },
    );
    await expect(
      api.call('net.fetch', { url: `http://svc.test:${port}/` }, { onCall }),
    ).rejects.toMatchObject({
      code: 'CAPABILITY_DENIED',
      details: { reason: 'private_address' },
    });
    await expect(
      api.call('net.fetch', { url: 'http://x', headers: { a: 'b\r\nInjected: 1' } }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(seen.length).toBe(before);
    expect(calls.map((c) => [c.scope, c.error])).toEqual([
      ['net:elsewhere.test:443', 'CAPABILITY_DENIED'],
      [`net:svc.test:${port}`, 'CAPABILITY_DENIED'],
    ]);
  });
});
