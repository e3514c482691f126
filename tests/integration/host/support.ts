import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Actor } from '@intelgraph/core';
import { createExtensionHost, type ExtensionHost, type ExtensionHostOptions } from '@intelgraph/host';
import { createExpressRouter, type ExpressRouterOptions } from '@intelgraph/server/express';
import express from 'express';
import { seedHost } from '../../../examples/demo/src/seed.js';

/** A demo host on embedded PGlite (a temp folder) behind the Express router on an ephemeral port. */
export interface TestServer {
  host: ExtensionHost;
  url: string;
  /** POSTs a GraphQL operation with variables as the given actor (development identity headers). */
  gql<T = Record<string, unknown>>(
    actor: Actor | null,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{
    status: number;
    data: T | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  }>;
  close(): Promise<void>;
}

/** The bearer token the test router accepts on `/metrics` and `/readyz`. */
export const TEST_METRICS_TOKEN = 'test-metrics-token';

export async function startTestServer(
  options: ExtensionHostOptions = {},
  routerOptions: Partial<ExpressRouterOptions> = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ig-host-it-'));
  const host = await createExtensionHost({
    dataDir,
    prices: { default: { currency: 'usd_micros', perCall: 100, perCpuMs: 2, perRow: 1 } },
    sandbox: { poolSize: 1 },
    ...options,
  });
  await seedHost(host);
  const app = express();
  const { router, stop } = await createExpressRouter({
    host,
    development: true,
    metricsToken: TEST_METRICS_TOKEN,
    ...routerOptions,
  });
  app.use(router);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    host,
    url,
    async gql(actor, query, variables = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (actor) {
        headers['x-intelgraph-user'] = actor.userId;
        headers['x-intelgraph-org'] = actor.orgId;
        headers['x-intelgraph-roles'] = actor.roles.join(',');
      }
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data: never; errors?: never };
      return { status: res.status, data: body.data ?? null, ...(body.errors ? { errors: body.errors } : {}) };
    },
    async close() {
      await stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await host.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
