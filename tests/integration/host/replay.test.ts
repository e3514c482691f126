// Replayable runs on PostgreSQL: the sample plugins' runs, recorded under the replay
// policy, replay identically in a child-process sandbox; a recorded host response altered in the
// database is named as the divergence; an enricher that scores with Math.random() replays identically.
import { createRequire } from 'node:module';
import type { Actor } from '@intelgraph/core';
import { createExtensionHost, type ExtensionHost } from '@intelgraph/host';
import { generatePublisherKeyPair, publicKeyPem, signPluginPackage } from '@intelgraph/marketplace';
import { createGraphQLSchema } from '@intelgraph/server/graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedHost, USERS } from '../../../examples/demo/src/seed.js';
import { type OpenedSql, openTestPostgres } from '../../support/sql.js';

// The schema is built by @graphql-tools, which Node loads with graphql's CommonJS build: execute with the
// same copy (under vitest, a plain import would be the ESM build, another realm).
const { graphql } = createRequire(import.meta.url)('graphql') as typeof import('graphql');
const alice = USERS.alice;
const auditor: Actor = { userId: 'ursula', orgId: 'acme', roles: ['auditor'] };

// The original sample enricher, which scores with Math.random().
const SEED_ENRICHER = `module.exports.run = async (input, api) => {
  const found = await api.graph.search({ q: input.q, limit: input.limit || 10 });
  return found.map((e) => ({ id: e.id, score: Math.random(), at: new Date().toISOString() }))
    .sort((a, b) => b.score - a.score);
};`;

let sql: OpenedSql;
let host: ExtensionHost;

beforeAll(async () => {
  sql = await openTestPostgres();
  host = await createExtensionHost({ database: sql.db, replay: { enabled: true }, sandbox: { poolSize: 1 } });
  const seeded = await seedHost(host);
  expect(seeded.plugins).toContain('sample-enricher');
  await host.plugins.install(alice, { pluginId: 'sample-enricher' });
  await host.plugins.install(alice, { pluginId: 'heatmap-overlay' });
  const key = generatePublisherKeyPair();
  const platform: Actor = { userId: 'platform', orgId: 'intelgraph', roles: ['marketplace-admin'] };
  await host.internals.marketplace.trustKey(platform, 'seed-labs', publicKeyPem(key.privateKeyPem));
  await host.plugins.publish(
    null,
    await signPluginPackage(
      {
        manifest: {
          name: 'seed-enricher',
          version: '1.0.0',
          entry: 'index.js',
          publisher: 'seed-labs',
          capabilities: { graph: ['read'] },
          budgets: { ms: 2000, rows: 100 },
        },
        files: { 'index.js': SEED_ENRICHER },
      },
      key.privateKeyPem,
    ),
  );
  await host.plugins.install(alice, { pluginId: 'seed-enricher' });
}, 120_000);

afterAll(async () => {
  await host?.close();
  await sql?.close();
});

describe('replayable runs on PostgreSQL', () => {
  it.each([
    ['sample-enricher', { q: 'acme', limit: 5 }],
    ['heatmap-overlay', { q: 'acme' }],
    ['seed-enricher', { q: 'acme', limit: 5 }],
  ])('%s replays identically, audited', async (pluginId, input) => {
    const run = await host.plugins.run(alice, pluginId, input);
    expect(run.ok, JSON.stringify(run.error)).toBe(true);
    const runId = run.provenance?.runId ?? '';
    expect(run.provenance?.determinism?.seed).toMatch(/^[0-9a-f]{32}$/);
    const r = await host.plugins.replay(auditor, runId);
    expect(r).toMatchObject({ runId, replayable: true, identical: true });
    expect(r.outputSha256).toBe(r.recordedOutputSha256);
    const events = await host.internals.audit.list({ type: 'plugin.replay' });
    expect(events.some((e) => (e.data as { runId?: string }).runId === runId)).toBe(true);
  });

  it('a second run of the Math.random() scorer differs, yet each replays to its own answer', async () => {
    const a = await host.plugins.run(alice, 'seed-enricher', { q: 'acme' });
    const b = await host.plugins.run(alice, 'seed-enricher', { q: 'acme' });
    expect(JSON.stringify(a.value)).not.toBe(JSON.stringify(b.value));
    const ra = await host.plugins.replay(auditor, a.provenance?.runId ?? '');
    const rb = await host.plugins.replay(auditor, b.provenance?.runId ?? '');
    expect(ra.identical && rb.identical).toBe(true);
    expect(ra.outputSha256).not.toBe(rb.outputSha256);
  });

  it('names the call whose recorded response was altered in the database', async () => {
    const run = await host.plugins.run(alice, 'sample-enricher', { q: 'acme', limit: 5 });
    const runId = run.provenance?.runId ?? '';
    const { rows } = await sql.db.query<{ response_sha256: string }>(
      'SELECT response_sha256 FROM ig_replay_calls WHERE run_id = $1 AND seq = 0',
      [runId],
    );
    expect(rows).toHaveLength(1);
    // A "hostile DBA" rewrites the graph answer the plugin saw.
    await sql.db.query(`UPDATE ig_replay_blobs SET body = '{"ok":true,"value":[]}' WHERE sha256 = $1`, [
      rows[0]?.response_sha256,
    ]);
    const r = await host.plugins.replay(auditor, runId);
    expect(r.identical).toBe(false);
    expect(r.divergence).toEqual({
      kind: 'call',
      index: 0,
      reason: 'recording_altered',
      path: 'graph.search',
      recordedPath: 'graph.search',
    });
  });

  it('refuses another org and roles the policy does not name', async () => {
    const run = await host.plugins.run(alice, 'sample-enricher', { q: 'acme' });
    const runId = run.provenance?.runId ?? '';
    await expect(host.plugins.replay(USERS.erin, runId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(host.plugins.replay(USERS.bob, runId)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('GraphQL pluginRunReplay answers identical, or the divergence, and refuses without a role', async () => {
    const schema = createGraphQLSchema(host);
    // Another query than the tamper test's: bodies are shared by address, so its altered one would show.
    const run = await host.plugins.run(alice, 'seed-enricher', { q: 'coyote' });
    const source = `mutation ($runId: ID!) { pluginRunReplay(runId: $runId) {
      runId replayable identical outputSha256 recordedOutputSha256 divergence { kind reason index path recordedPath } } }`;
    const variableValues = { runId: run.provenance?.runId };
    const ok = await graphql({ schema, source, variableValues, contextValue: { actor: auditor } });
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.pluginRunReplay).toMatchObject({ replayable: true, identical: true, divergence: null });
    const ran = await graphql({
      schema,
      source: `mutation { pluginRun(id: "seed-enricher", input: { q: "acme" }) { provenance { runId determinism { seed clockOrigin } } } }`,
      contextValue: { actor: alice },
    });
    expect(ran.errors).toBeUndefined();
    const determinism = (
      ran.data?.pluginRun as
        | { provenance?: { determinism?: { seed: string; clockOrigin: number } } }
        | undefined
    )?.provenance?.determinism;
    expect(determinism?.seed).toMatch(/^[0-9a-f]{32}$/);
    expect(determinism?.clockOrigin).toBeGreaterThan(0);
    const denied = await graphql({ schema, source, variableValues, contextValue: { actor: USERS.bob } });
    expect(denied.errors?.[0]?.message).toMatch(/role/);
  });
});
