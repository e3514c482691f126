import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExtensionHost, type ExtensionHost, type ExtensionHostOptions } from '@intelgraph/host';
import { createExpressRouter, type ExpressRouterOptions } from '@intelgraph/server/express';
import express from 'express';

/** An unseeded host on embedded PGlite (a temp folder) behind the Express router on an ephemeral port. */
export interface HttpTestServer {
  host: ExtensionHost;
  url: string;
  close(): Promise<void>;
}

export async function startHttpServer(
  hostOptions: ExtensionHostOptions,
  routerOptions: Omit<ExpressRouterOptions, 'host'>,
): Promise<HttpTestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ig-http-it-'));
  const host = await createExtensionHost({ dataDir, sandbox: { poolSize: 1 }, ...hostOptions });
  const app = express();
  const { router, stop } = await createExpressRouter({ host, ...routerOptions });
  app.use(router);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    host,
    url,
    async close() {
      await stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await host.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
