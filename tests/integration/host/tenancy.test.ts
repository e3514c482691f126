// The knowledge graph is partitioned by org, end to end through the host (a finding of the hostile
// review of the sandbox guardrails): a plugin installed in one org with graph:read and graph:write can
// neither see, overwrite, link to nor merge what another org ingested, in both sandbox isolation modes,
// on PostgreSQL.
import type { Actor } from '@intelgraph/core';
import { createExtensionHost, type ExtensionHost } from '@intelgraph/host';
import { generatePublisherKeyPair, publicKeyPem, signPluginPackage } from '@intelgraph/marketplace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedSql, openTestPostgres } from '../../support/sql.js';

const alice: Actor = { userId: 'alice', orgId: 'acme', roles: ['analyst', 'admin'] };
const bob: Actor = { userId: 'bob', orgId: 'acme', roles: ['steward'] };
const erin: Actor = { userId: 'erin', orgId: 'globex', roles: ['analyst', 'admin'] };
const gus: Actor = { userId: 'gus', orgId: 'globex', roles: ['steward'] };
const platform: Actor = { userId: 'platform', orgId: 'intelgraph', roles: ['marketplace-admin'] };

const personContract = {
  type: 'object',
  required: ['id', 'name'],
  properties: { id: { type: 'string' }, name: { type: 'string' }, city: { type: 'string' } },
  additionalProperties: false,
};

// Tries everything graph:read and graph:write allow against an id it was told about.
const PROBE = `module.exports.run = async (input, api) => {
  const codeOf = async (p) => { try { await p; return 'ok'; } catch (e) { return e.code; } };
  const found = await api.graph.search({ q: input.q, limit: 50 });
  const neighbors = await codeOf(api.graph.neighbors({ id: input.id }));
  const written = input.write
    ? await api.graph.upsertEntity({ id: input.id, type: 'Person', label: 'Overwritten', properties: { by: 'probe' } })
    : null;
  return { found: found.map((e) => e.id + ':' + e.label), neighbors, written: written && written.label };
};`;

describe.each(['process', 'in-process'] as const)(
  'graph org isolation through the host (%s sandbox)',
  (isolation) => {
    let sql: OpenedSql;
    let host: ExtensionHost;

    beforeAll(async () => {
      sql = await openTestPostgres();
      host = await createExtensionHost({ database: sql.db, sandbox: { poolSize: 1, isolation } });
      const key = generatePublisherKeyPair();
      await host.internals.marketplace.trustKey(platform, 'probe-labs', publicKeyPem(key.privateKeyPem));
      await host.plugins.publish(
        null,
        await signPluginPackage(
          {
            manifest: {
              name: 'graph-probe',
              version: '1.0.0',
              entry: 'index.js',
              publisher: 'probe-labs',
              capabilities: { graph: ['read', 'write'] },
              budgets: { ms: 5000, rows: 200 },
            },
            files: { 'index.js': PROBE },
          },
          key.privateKeyPem,
        ),
      );
      for (const [requester, steward] of [
        [alice, bob],
        [erin, gus],
      ] as const) {
        const pending = await host.plugins.install(requester, { pluginId: 'graph-probe' });
        if (pending.status === 'pending_review')
          await host.governance.approve(steward, pending.reviewTask.id);
      }
      await host.contracts.register(bob, { subject: 'person', format: 'json', schema: personContract });
      const ingested = await host.contracts.ingest(alice, 'person', [
        { id: 'person:alice', name: 'Alice Confidential', city: 'Zurich' },
        { id: 'person:bob', name: 'Bob Confidential' },
      ]);
      expect(ingested.status).toBe('accepted');
      await host.internals.graph.forOrg('acme').upsert({
        relationships: [{ type: 'KNOWS', from: 'person:alice', to: 'person:bob' }],
      });
    }, 120_000);

    afterAll(async () => {
      await host?.close();
      await sql?.close();
    });

    it('shows org B’s plugin nothing of what org A ingested, and its writes stay in org B', async () => {
      const probe = await host.plugins.run(erin, 'graph-probe', {
        q: 'confidential',
        id: 'person:alice',
        write: true,
      });
      expect(probe.ok, JSON.stringify(probe.error)).toBe(true);
      expect(probe.value).toEqual({ found: [], neighbors: 'NOT_FOUND', written: 'Overwritten' });
      // The write created globex's own person:alice; acme's is untouched, with its relationship.
      expect(await host.internals.graph.forOrg('acme').getEntity('person:alice')).toMatchObject({
        name: 'Alice Confidential',
        properties: { city: 'Zurich' },
      });
      expect(await host.internals.graph.forOrg('globex').getEntity('person:alice')).toMatchObject({
        name: 'Overwritten',
        properties: { by: 'probe' },
      });
      const again = await host.plugins.run(erin, 'graph-probe', { q: 'confidential', id: 'person:alice' });
      expect(again.value).toMatchObject({ found: [], neighbors: 'ok' });
    });

    it('lets org A’s plugin see its own ingested entities', async () => {
      const probe = await host.plugins.run(alice, 'graph-probe', { q: 'confidential', id: 'person:alice' });
      expect(probe.ok, JSON.stringify(probe.error)).toBe(true);
      expect(probe.value).toEqual({
        found: ['person:alice:Alice Confidential', 'person:bob:Bob Confidential'],
        neighbors: 'ok',
        written: null,
      });
    });

    it('refuses org B a merge of org A’s entities with NOT_FOUND', async () => {
      await expect(
        host.governance.mergeEntities(erin, {
          survivorId: 'person:bob',
          mergedId: 'person:alice',
          reason: 'dupes',
        }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await host.internals.graph.forOrg('acme').getEntity('person:bob')).toMatchObject({
        mergedFrom: [],
      });
    });
  },
);
