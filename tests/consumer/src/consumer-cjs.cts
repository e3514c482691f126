// The same packages seen from CommonJS: `require` resolves each package's `require` condition and its
// `.d.cts` declarations.
import host = require('@intelgraph/host');
import core = require('@intelgraph/core');
import plugin = require('@intelgraph/marketplace/plugin');
import memory = require('@intelgraph/adapters/memory');
import expressAdapter = require('@intelgraph/server/express');

export async function start(actor: core.Actor): Promise<void> {
  const h = await host.createExtensionHost({ database: 'memory' });
  const { stop } = await expressAdapter.createExpressRouter({ host: h, auth: () => actor });
  await stop();
  memory.createMemoryGraphStore();
  plugin.definePlugin({ manifest: { name: 'c', version: '1.0.0', entry: 'index.js' }, run: () => 1 });
  await h.close();
}
