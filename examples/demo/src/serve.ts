// `--serve`: the demo host behind Express (GraphQL, metrics, health) plus the built web app, on 127.0.0.1.
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { ExtensionHost } from '@intelgraph/host';
import { createExpressRouter } from '@intelgraph/server/express';
import express from 'express';

/** Starts the HTTP server; resolves once it listens. Development auth: identity headers (see README). */
export async function serve(
  host: ExtensionHost,
  options: { port: number; hostname?: string },
): Promise<{ server: Server; url: string; stop(): Promise<void> }> {
  const app = express();
  app.disable('x-powered-by');
  const { router, stop } = await createExpressRouter({ host, development: true });
  app.use(router);
  const appDist = join(import.meta.dirname, '..', '..', 'marketplace-app', 'dist');
  if (existsSync(appDist)) {
    app.use(express.static(appDist, { index: 'index.html', maxAge: '1h' }));
    // Client-side routes fall back to the app shell.
    app.get('/{*path}', (_req, res) => res.sendFile(join(appDist, 'index.html')));
  }
  const hostname = options.hostname ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(options.port, hostname, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    server,
    url: `http://${hostname}:${port}`,
    async stop() {
      await stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
