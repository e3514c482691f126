import { createPgCatalogStore } from '@intelgraph/adapters/postgres';
import { CapabilityBroker, defineHostApi, scopeHostApi } from '@intelgraph/capabilities';
import { createAuditTrail, createManualClock, createMemoryAuditStore, sequentialIds } from '@intelgraph/core';
import { createMarketplace, generatePublisherKeyPair, verifyPluginPackage } from '@intelgraph/marketplace';
import { createSandbox } from '@intelgraph/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSamplePlugins, SAMPLE_PUBLISHER } from '../../../examples/plugins/build.js';
import { sqlBackends } from '../../support/sql.js';

// The demo's first step end to end, on PGlite and the real sandbox: publish the signed samples,
// install sample-enricher with minimal capabilities, run it, uninstall without leftovers.
const entities = [
  { id: 'e1', type: 'Organization', label: 'Acme Corp', properties: { degree: 40, flags: ['sanctioned'] } },
  { id: 'e2', type: 'Person', label: 'Alice Acme', properties: { degree: 5, flags: [] } },
  {
    id: 'e3',
    type: 'Account',
    label: 'acme',
    properties: { degree: 60, flags: ['mule', 'new', 'offshore'] },
  },
];
const hostApi = defineHostApi({
  graph: {
    search: {
      scope: 'graph:read',
      handler: async ({ q, limit }: { q: string; limit?: number }) =>
        entities.filter((e) => e.label.toLowerCase().includes(q.toLowerCase())).slice(0, limit ?? 10),
    },
  },
  cases: {
    list: {
      scope: 'cases:read',
      handler: async () => [
        { id: 'c1', title: 'Acme', status: 'open', entityIds: ['e1'], updatedAt: '2026-03-30T09:00:00.000Z' },
      ],
    },
  },
});

describe('sample plugins through the marketplace and the sandbox', () => {
  const backend = sqlBackends()[0];
  let close: () => Promise<void> = async () => {};
  const sandbox = createSandbox({ poolSize: 1 });
  let built: Awaited<ReturnType<typeof buildSamplePlugins>>;
  beforeAll(async () => {
    built = await buildSamplePlugins(generatePublisherKeyPair());
  });
  afterAll(async () => {
    await sandbox.close();
    await close();
  });

  it('builds three signed packages that verify, with deterministic code', async () => {
    expect(built.packages.map((p) => p.manifest.name)).toEqual([
      'sample-enricher',
      'heatmap-overlay',
      'case-exporter',
    ]);
    for (const pkg of built.packages) {
      const manifest = await verifyPluginPackage(pkg, { trustedKeys: [built.publicKeyPem] });
      expect(manifest.publisher).toBe(SAMPLE_PUBLISHER);
      expect(String(pkg.files[manifest.entry])).not.toContain('Math.random');
    }
  });

  it('installs sample-enricher with minimal capabilities, runs it in the sandbox, uninstalls cleanly', async () => {
    if (!backend) throw new Error('no SQL backend');
    const opened = await backend.open();
    close = opened.close;
    const clock = createManualClock();
    const audit = createAuditTrail({ store: createMemoryAuditStore(), clock, ids: sequentialIds() });
    const broker = new CapabilityBroker({ audit, clock });
    const evicted: string[] = [];
    const market = createMarketplace({
      store: createPgCatalogStore(opened.db),
      broker,
      audit,
      clock,
      trust: [{ publisher: built.publisher, publicKey: built.publicKeyPem }],
      evict: (sha) => {
        evicted.push(sha);
        sandbox.evict(sha);
      },
    });
    for (const pkg of built.packages) await market.publish(pkg);
    expect((await market.search({ q: 'enrich' }))[0]?.pluginId).toBe('sample-enricher');
    const detail = await market.detail('case-exporter');
    expect(detail.capabilities.required.map((c) => c.scope)).toEqual(['cases:read']);
    expect(detail.manifest.outputSchema).toEqual({ subject: 'case-export', version: 1 });

    const admin = { userId: 'alice', orgId: 'acme', roles: ['admin'] };
    const inst = await market.install(admin, { pluginId: 'sample-enricher', version: '^0.1.0' });
    expect(inst.grants).toEqual(['graph:read']);

    const runOnce = async () => {
      const installed = await market.installation('acme', 'sample-enricher');
      const api = scopeHostApi(hostApi, installed.installation.grants);
      expect(api.methods).toEqual(['graph.search']); // cases.list is not granted
      return sandbox.run({ code: installed.code, manifest: installed.manifest, input: { q: 'acme' }, api });
    };
    const first = await runOnce();
    const second = await runOnce();
    expect(first.ok).toBe(true);
    if (!first.ok || !second.ok) throw new Error('run failed');
    expect(second.value).toEqual(first.value);
    expect((first.value as { id: string; score: number }[]).map((e) => [e.id, e.score])).toEqual([
      ['e3', 0.89],
      ['e1', 0.62],
      ['e2', 0.35],
    ]);
    expect(first.provenance.hostCalls.map((c) => c.scope)).toEqual(['graph:read']);

    await market.uninstall(admin, 'sample-enricher');
    expect(evicted).toEqual([inst.codeSha256]);
    expect(await broker.list('acme')).toEqual([]);
    expect((await audit.verify()).ok).toBe(true);
    const types = (await audit.list()).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'plugin.published',
        'plugin.installed',
        'grant.added',
        'grant.revoked',
        'plugin.uninstalled',
      ]),
    );
  });

  it('runs the exporter and the overlay with their own scopes', async () => {
    const byName = (n: string) => {
      const p = built.packages.find((x) => x.manifest.name === n);
      if (!p) throw new Error(n);
      return p;
    };
    const exporter = byName('case-exporter');
    const r = await sandbox.run({
      code: String(exporter.files['index.js']),
      manifest: exporter.manifest,
      input: {},
      api: scopeHostApi(hostApi, ['cases:read']),
    });
    expect(r.ok && r.value).toMatchObject({ format: 'csv', rows: [{ caseId: 'c1', entityCount: 1 }] });
    const overlay = byName('heatmap-overlay');
    const denied = await sandbox.run({
      code: String(overlay.files['index.js']),
      manifest: overlay.manifest,
      input: { q: 'acme' },
      api: scopeHostApi(hostApi, []),
    });
    expect(denied.ok).toBe(false);
    const drawn = await sandbox.run({
      code: String(overlay.files['index.js']),
      manifest: overlay.manifest,
      input: { q: 'acme' },
      api: scopeHostApi(hostApi, ['graph:read']),
    });
    expect(drawn.ok && (drawn.value as { cells: unknown[] }).cells).toHaveLength(3);
  });
});
