import type { Server } from 'node:http';
import { createExtensionHost, type ExtensionHost } from '@intelgraph/host';
import { createExpressRouter } from '@intelgraph/server/express';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `/metrics` and `/readyz` details are the host's `observability.read` permission: the host's
// `authorization` option moves it to other roles, and the router follows (it has no roles of its own).
let host: ExtensionHost;
let server: Server;
let stop: () => Promise<void>;
let url: string;

beforeAll(async () => {
  host = await createExtensionHost({
    database: 'memory',
    sandbox: { poolSize: 1 },
    authorization: { roles: { 'observability.read': ['sre'] }, platformOrgs: ['ops-org'] },
  });
  const app = express();
  const mounted = await createExpressRouter({ host, development: true });
  stop = mounted.stop;
  app.use(mounted.router);
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}, 60_000);

afterAll(async () => {
  await stop?.();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await host?.close();
});

const as = (roles: string, org = 'ops-org') => ({
  'x-intelgraph-user': 'ops',
  'x-intelgraph-org': org,
  'x-intelgraph-roles': roles,
});

describe('observability access follows the host authorizer', () => {
  it('the overriding role reads /metrics and /readyz details; the default operator role no longer does', async () => {
    const sre = await fetch(`${url}/metrics`, { headers: as('sre') });
    expect(sre.status).toBe(200);
    expect(await sre.text()).toContain('# HELP');
    const operator = await fetch(`${url}/metrics`, { headers: as('operator') });
    expect(operator.status).toBe(403);
    expect(await operator.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    const ready = await fetch(`${url}/readyz`, { headers: as('sre') });
    expect(await ready.json()).toMatchObject({ checks: { audit: { ok: true } } });
    const plain = await fetch(`${url}/readyz`, { headers: as('operator') });
    expect(await plain.json()).not.toHaveProperty('checks');
  });

  it('metrics cover every org, so the role counts only in a platform org: a tenant that gives itself the role reads nothing', async () => {
    const tenant = await fetch(`${url}/metrics`, { headers: as('sre', 'acme') });
    expect(tenant.status).toBe(403);
    expect(await tenant.json()).toMatchObject({
      error: { code: 'FORBIDDEN', details: { permission: 'observability.read', platformOrgs: ['ops-org'] } },
    });
    const ready = await fetch(`${url}/readyz`, { headers: as('sre', 'acme') });
    expect(await ready.json()).not.toHaveProperty('checks');
  });
});
