// Shared pieces of the fault-injection tests: a host with one small plugin per behaviour, free ports,
// and (from tests/support) the TCP proxy the tests can cut to take a service away from the host.
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { Actor } from '@intelgraph/core';
import { createExtensionHost, type ExtensionHost, type ExtensionHostOptions } from '@intelgraph/host';
import { generatePublisherKeyPair, publicKeyPem, signPluginPackage } from '@intelgraph/marketplace';

export { type TcpProxy, tcpProxy } from '../../support/tcp-proxy.js';

export const alice: Actor = { userId: 'alice', orgId: 'acme', roles: ['analyst', 'admin'] };
export const bob: Actor = { userId: 'bob', orgId: 'acme', roles: ['steward'] };
const platform: Actor = { userId: 'platform', orgId: 'intelgraph', roles: ['marketplace-admin'] };

/** Small plugins: one that searches the graph, one that needs no capability at all. */
export const PLUGINS = {
  searcher: {
    manifest: { name: 'searcher', capabilities: { graph: ['read'] }, budgets: { ms: 5000, rows: 100 } },
    code: `module.exports.run = async (input, api) => {
  const found = await api.graph.search({ q: input.q, limit: 5 });
  return found.map((e) => e.id);
};`,
  },
  echo: {
    manifest: { name: 'echo', capabilities: {}, budgets: { ms: 5000 } },
    code: 'module.exports.run = async (input) => ({ echo: input });',
  },
} as const;

/** A host with the plugins published (fresh trusted key) and installed for acme, plus a large quota. */
export async function hostWithPlugins(
  options: ExtensionHostOptions,
  plugins: (keyof typeof PLUGINS)[] = ['searcher', 'echo'],
): Promise<ExtensionHost> {
  const host = await createExtensionHost({
    database: 'memory',
    prices: { default: { currency: 'usd_micros', perCall: 100, perCpuMs: 2, perRow: 1 } },
    sandbox: { poolSize: 1 },
    ...options,
  });
  try {
    const key = generatePublisherKeyPair();
    await host.internals.marketplace.trustKey(platform, 'fault-labs', publicKeyPem(key.privateKeyPem));
    for (const name of plugins) {
      const p = PLUGINS[name];
      const pkg = await signPluginPackage(
        {
          manifest: { version: '1.0.0', entry: 'index.js', publisher: 'fault-labs', ...p.manifest },
          files: { 'index.js': p.code },
        },
        key.privateKeyPem,
      );
      await host.plugins.publish(null, pkg);
      await host.plugins.install(alice, { pluginId: name });
    }
    return host;
  } catch (err) {
    await host.close();
    throw err;
  }
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `fn` until it returns true or `timeoutMs` passes; returns the time it took, or null. */
export async function eventually(fn: () => Promise<boolean>, timeoutMs: number): Promise<number | null> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await fn().catch(() => false)) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

/** Counts audit events by type. */
export async function auditCounts(host: ExtensionHost): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (let after: number | undefined; ; ) {
    const page = await host.internals.audit.list({
      limit: 1000,
      ...(after === undefined ? {} : { afterSeq: after }),
    });
    for (const e of page) out[e.type] = (out[e.type] ?? 0) + 1;
    if (page.length < 1000) break;
    after = page.at(-1)?.seq;
  }
  return out;
}
