// The project's main job: the four-step demo (install and run a plugin, a contract-gated ingest, a
// governed policy change, FinOps and the marketplace) as a readable transcript, on embedded
// defaults (PGlite on disk, in-memory graph and quotas). `--serve` starts the HTTP server for the web
// app instead. Exit code 0 only if every step did what it should.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createExtensionHost, type ExtensionHostOptions } from '@intelgraph/host';
import { runDemoScript } from './script.js';
import { seedHost } from './seed.js';
import { serve } from './serve.js';

const out = (line = '') => process.stdout.write(`${line}\n`);

/** Demo prices, in millionths of a dollar: a call, a CPU millisecond, a row returned to the plugin. */
const PRICES: ExtensionHostOptions['prices'] = {
  default: { currency: 'usd_micros', perCall: 100, perCpuMs: 2, perRow: 1 },
};

/** Replay is on for the demo: every run is recorded and can be replayed by an `admin` or `auditor`. */
const DEMO_REPLAY: ExtensionHostOptions['replay'] = {
  enabled: true,
  maxBytes: 1024 * 1024,
  retentionDays: 30,
};

async function demo(dataDir: string, keep: boolean): Promise<number> {
  out('IntelGraph Extensions: the demo on embedded defaults');
  out(`  data: PGlite in ${dataDir}; graph, cases and quotas in memory`);
  out();
  const host = await createExtensionHost({ dataDir, prices: PRICES, replay: DEMO_REPLAY });
  let failures = 0;
  try {
    const seeded = await seedHost(host);
    out(
      `Seeded: ${seeded.plugins.length} signed plugins from ${seeded.publisher}, contracts person v1/v2 and case-export v1, graph entities, cases, quotas`,
    );
    out();
    const checks = await runDemoScript(host, out);
    failures += checks.failures;
  } finally {
    await host.close();
  }

  out('Restart: the durable state survives on disk');
  const reopened = await createExtensionHost({ dataDir, prices: PRICES, replay: DEMO_REPLAY });
  try {
    const installs = await reopened.internals.marketplace.installations('acme');
    const chain = await reopened.internals.audit.verify();
    const ok = installs.some((i) => i.pluginId === 'sample-enricher') && chain.ok && chain.count > 0;
    out(
      `    ${ok ? '✔' : '✘'} after a restart: ${installs.length} installation(s), audit chain of ${chain.ok ? chain.count : '?'} events verifies`,
    );
    if (!ok) failures++;
  } finally {
    await reopened.close();
  }
  if (!keep) rmSync(dataDir, { recursive: true, force: true });
  out();
  out(
    failures === 0
      ? 'demo OK: every step did what it should'
      : `demo FAILED: ${failures} check(s) did not hold`,
  );
  return failures === 0 ? 0 : 1;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      serve: { type: 'boolean', default: false },
      port: { type: 'string', default: process.env.PORT ?? '4000' },
      'data-dir': { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  });
  if (values.serve) {
    const dataDir = resolve(values['data-dir'] ?? '.intelgraph/serve');
    const host = await createExtensionHost({ dataDir, prices: PRICES, replay: DEMO_REPLAY });
    const catalog = await host.internals.marketplace.list({ limit: 1 });
    if (catalog.length === 0) await seedHost(host);
    const server = await serve(host, { port: Number(values.port) });
    out(
      `IntelGraph demo server on ${server.url} (GraphQL at /graphql, metrics at /metrics for the operator role, e.g. header x-intelgraph-roles: operator; data in ${dataDir})`,
    );
    const shutdown = async () => {
      await server.stop();
      await host.close();
      process.exit(0);
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
    return;
  }
  // A fresh folder per run keeps the demo repeatable; --data-dir and --keep let you inspect the result.
  const dataDir = values['data-dir']
    ? resolve(values['data-dir'])
    : mkdtempSync(join(tmpdir(), 'intelgraph-demo-'));
  process.exitCode = await demo(dataDir, values.keep || values['data-dir'] !== undefined);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
