// A strict TypeScript consumer of every public entry point, typechecked with `skipLibCheck: false`
// under moduleResolution node16 and bundler (tsconfig.*.json). It is compiled, not run: the point is
// that the published declarations resolve and check in a project outside the workspace, without
// `pg` or `@types/pg` installed (a PGlite-only or Redis/Neo4j host must not need them).

import { createMemoryCaseStore, createMemoryGraphStore } from '@intelgraph/adapters/memory';
import { createNeo4jConnection, createNeo4jGraphStore } from '@intelgraph/adapters/neo4j';
import { createPGliteDatabase, migrate, type SqlDatabase } from '@intelgraph/adapters/postgres';
import { createRedisClient, createRedisQuotaStore } from '@intelgraph/adapters/redis';
import { defineHostApi, manifestScopes, scopeHostApi } from '@intelgraph/capabilities';
import { createSchemaRegistry, diffSchemas } from '@intelgraph/contracts';
import {
  type Actor,
  IntelGraphError,
  isIntelGraphError,
  type PluginManifest,
  parseManifest,
} from '@intelgraph/core';
import { createFinOps, FREE_PRICES } from '@intelgraph/finops';
import { createGovernance, definePolicy } from '@intelgraph/governance';
import {
  createExtensionHost,
  defaultPolicies,
  type ExtensionHost,
  type PluginRunResult,
} from '@intelgraph/host';
import {
  generatePublisherKeyPair,
  packTarball,
  signPluginPackage,
  unpackTarball,
} from '@intelgraph/marketplace';
import { definePlugin, type PluginInput, type PluginOutput } from '@intelgraph/marketplace/plugin';
import { runCli } from '@intelgraph/plugin-kit';
import { createSandbox, type SandboxResult } from '@intelgraph/sandbox';
import { fuzzSandbox } from '@intelgraph/sandbox/testing';
import { createExpressRouter, type ExpressRouterOptions } from '@intelgraph/server/express';
import { createGraphQLSchema, DEFAULT_QUERY_LIMITS } from '@intelgraph/server/graphql';
import express from 'express';

export const plugin = definePlugin({
  manifest: { name: 'typed', version: '1.0.0', entry: 'index.js', capabilities: { graph: ['read'] } },
  async run(input: { q: string }, api) {
    const hits = await api.graph.search({ q: input.q, limit: 3 });
    return { labels: hits.map((h) => h.label) };
  },
});
export const typedInput: PluginInput<typeof plugin> = { q: 'acme' };
export type TypedOutput = PluginOutput<typeof plugin>;

export async function embed(actor: Actor): Promise<string> {
  const db: SqlDatabase = await createPGliteDatabase();
  await migrate(db);
  const graph = createMemoryGraphStore();
  const host: ExtensionHost = await createExtensionHost({
    database: db,
    stores: { graph, cases: createMemoryCaseStore({ graph }) },
    policies: defaultPolicies(),
    trust: [{ publisher: 'acme', publicKey: generatePublisherKeyPair().publicKeyPem }],
  });
  const r: PluginRunResult = await host.plugins.run(actor, 'typed', typedInput);
  const out = r.ok ? JSON.stringify(r.value) : (r.error?.code ?? 'no code');
  const options: ExpressRouterOptions = { host, auth: () => actor };
  const { router, stop } = await createExpressRouter(options);
  express().use('/intelgraph', router);
  await stop();
  createGraphQLSchema(host);
  await host.close();
  return `${out} ${DEFAULT_QUERY_LIMITS.maxDepth}`;
}

export async function other(): Promise<void> {
  const sandbox = createSandbox({ poolSize: 1 });
  const manifest: PluginManifest = parseManifest({ name: 'x', version: '1.0.0', entry: 'index.js' });
  const api = scopeHostApi(defineHostApi({}), []);
  const r: SandboxResult = await sandbox.run({
    code: 'export async function run() { return 1 }',
    manifest,
    input: {},
    api,
  });
  if (!r.ok) throw new IntelGraphError(r.error.code, r.error.message);
  manifestScopes(manifest);
  await sandbox.close();
  const pair = generatePublisherKeyPair();
  const signed = await signPluginPackage(
    { manifest: { ...manifest }, files: { 'index.js': '' } },
    pair.privateKeyPem,
  );
  unpackTarball(packTarball(signed));
  await runCli(['help']);
  void fuzzSandbox;
  void createSchemaRegistry;
  void diffSchemas;
  void createFinOps;
  void FREE_PRICES;
  void createGovernance;
  void definePolicy;
  void createRedisClient;
  void createRedisQuotaStore;
  void createNeo4jConnection;
  void createNeo4jGraphStore;
  if (isIntelGraphError(new Error('x'), 'NOT_FOUND')) throw new Error('unreachable');
}
