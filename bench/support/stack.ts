// A seeded demo host behind the Express router on an ephemeral port, on one of two backends:
// - `embedded`: the host's defaults (PGlite in a temp folder, memory quotas, kill switches and graph);
// - `production`: PostgreSQL (a schema of its own), Redis (quotas + kill switch, a key prefix of its
//   own) and Neo4j (graph + cases, a namespace of its own) — the machine's shared services, never
//   stopped or flushed, only our own schema / prefix / namespace is removed at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createNeo4jCaseStore,
  createNeo4jConnection,
  createNeo4jGraphStore,
} from '@intelgraph/adapters/neo4j';
import { createPGliteDatabase, createPgDatabase, type SqlDatabase } from '@intelgraph/adapters/postgres';
import {
  createRedisClient,
  createRedisKillSwitchStore,
  createRedisQuotaStore,
} from '@intelgraph/adapters/redis';
import { createExtensionHost, type ExtensionHost, type ExtensionHostOptions } from '@intelgraph/host';
import { generatePublisherKeyPair, publicKeyPem, signPluginPackage } from '@intelgraph/marketplace';
import { createExpressRouter } from '@intelgraph/server/express';
import express from 'express';
import { seedHost, USERS } from '../../examples/demo/src/seed.js';
import { PG_URL, REDIS_URL } from '../../tests/support/env.js';
import { NEO4J_URL, openTestNeo4j } from '../../tests/support/neo4j.js';
import { redisTestClient } from '../../tests/support/redis.js';
import { openTestPostgres } from '../../tests/support/sql.js';

/** Which stores the host runs on. */
export type Backend = 'embedded' | 'production';

/** The plugin the load mix runs, and the org whose quota it charges. */
export const LOAD_PLUGIN = 'sample-enricher';
/** A plugin with no capabilities that returns at once: the floor of a pluginRun (see `prepareLoad`). */
export const NOOP_PLUGIN = 'load-noop';
/** A plugin the soak installs and uninstalls in throwaway orgs (low risk: installs without review). */
export const CHURN_PLUGIN = 'geo-enricher';
/** The billing customer of the demo org, so every settled run appends one outbox event. */
export const DEMO_CUSTOMER = 'cus_acme_load';

/** A running stack. */
export interface Stack {
  backend: Backend;
  host: ExtensionHost;
  url: string;
  /** Human description of the stores, for the report. */
  stores: string;
  /** The SQL database under the durable ports (for ledger counts straight from the tables). */
  sql: SqlDatabase;
  close(): Promise<void>;
}

/**
 * Stores shared with other hosts (the scale-out benchmark): an existing, migrated PostgreSQL schema, a
 * Redis key prefix and a Neo4j namespace, all owned (created and removed) by the caller. Only the host
 * with `seed: true` seeds the catalog and the load quota.
 */
export interface SharedStores {
  schema: string;
  redisPrefix: string;
  neo4jNamespace: string;
  seed: boolean;
}

/** Options of {@link startStack}. */
export interface StackOptions {
  backend: Backend;
  /** Production backend only: join stores that other hosts use too, instead of fresh ones. */
  shared?: SharedStores;
  /** Sandbox isolate pool size (default: the host's, DEFAULT_SANDBOX_POOL_SIZE). */
  poolSize?: number;
  /** Extra host options (tests use them to inject faulty stores). */
  host?: ExtensionHostOptions;
}

/**
 * Starts the stack, seeds it like the demo (`seedHost`), installs the load plugin for the demo org and
 * replaces the demo's 1 000 calls/hour quota by a large sliding monthly one, so the load measures the
 * path rather than the quota's denial.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  };
  try {
    const base: ExtensionHostOptions = {
      prices: { default: { currency: 'usd_micros', perCall: 100, perCpuMs: 2, perRow: 1 } },
      customers: { customerFor: async (org) => (org === USERS.alice.orgId ? DEMO_CUSTOMER : null) },
      sandbox: options.poolSize ? { poolSize: options.poolSize } : {},
    };
    let stores: string;
    let sql: SqlDatabase;
    if (options.backend === 'embedded') {
      // The same database the host would open on its own (`dataDir/pg`), opened here so the ledger can
      // count rows in it.
      const dataDir = mkdtempSync(join(tmpdir(), 'ig-load-'));
      cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
      sql = await createPGliteDatabase({ dataDir: join(dataDir, 'pg') });
      cleanups.push(() => sql.close());
      base.database = sql;
      stores = 'PGlite (temp dir) for durable ports; memory quotas, kill switches, graph and cases';
    } else if (options.shared) {
      const shared = options.shared;
      sql = await createPgDatabase({ connectionString: PG_URL, schema: shared.schema, max: 20 });
      cleanups.push(() => sql.close());
      const redis = createRedisClient(REDIS_URL);
      cleanups.push(async () => void redis.disconnect());
      const neo = await createNeo4jConnection({ url: NEO4J_URL, namespace: shared.neo4jNamespace });
      cleanups.push(() => neo.close());
      const killSwitches = createRedisKillSwitchStore({ redis, prefix: shared.redisPrefix });
      cleanups.push(() => killSwitches.close());
      base.database = sql;
      base.stores = {
        quotas: createRedisQuotaStore({ redis, prefix: shared.redisPrefix }),
        killSwitches,
        graph: createNeo4jGraphStore(neo),
        cases: createNeo4jCaseStore(neo),
      };
      stores = 'PostgreSQL, Redis and Neo4j shared with the other hosts (pool 20 per host)';
    } else {
      const pg = await openTestPostgres({ poolSize: 20 });
      cleanups.push(() => pg.close());
      const redisAdmin = await redisTestClient();
      cleanups.push(() => redisAdmin.close());
      const redis = createRedisClient(REDIS_URL);
      cleanups.push(async () => void redis.disconnect());
      const neo = await openTestNeo4j();
      cleanups.push(() => neo.close());
      sql = pg.db;
      base.database = pg.db;
      base.stores = {
        quotas: createRedisQuotaStore({ redis, prefix: redisAdmin.prefix }),
        killSwitches: createRedisKillSwitchStore({ redis, prefix: redisAdmin.prefix }),
        graph: createNeo4jGraphStore(neo.connection),
        cases: createNeo4jCaseStore(neo.connection),
      };
      stores = 'PostgreSQL (own schema, pool 20); Redis quotas + kill switch; Neo4j graph + cases';
    }
    const host = await createExtensionHost({
      ...base,
      ...options.host,
      stores: { ...base.stores, ...options.host?.stores },
    });
    cleanups.push(() => host.close());
    if (options.shared?.seed !== false) {
      await seedHost(host);
      await prepareLoad(host);
    }

    const app = express();
    const { router, stop } = await createExpressRouter({ host, development: true });
    app.use(router);
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    // Keep-alive sockets from the load generator must not hold the close open.
    cleanups.push(async () => {
      await stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return {
      backend: options.backend,
      host,
      url: `http://127.0.0.1:${port}`,
      stores,
      sql,
      close: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/**
 * Publishes the no-op plugin (its own publisher key), installs it and the load plugin for the demo org,
 * and gives the org a quota the load cannot exhaust.
 */
export async function prepareLoad(host: ExtensionHost): Promise<void> {
  const { alice } = USERS;
  const key = generatePublisherKeyPair();
  await host.internals.marketplace.trustKey(
    { userId: 'platform', orgId: 'intelgraph', roles: ['marketplace-admin'] },
    'load-bench',
    publicKeyPem(key.privateKeyPem),
  );
  const manifest = {
    name: NOOP_PLUGIN,
    version: '1.0.0',
    entry: 'index.js',
    publisher: 'load-bench',
    description: 'Returns at once, makes no host call: the floor of a pluginRun.',
    capabilities: {},
    budgets: { ms: 800 },
  };
  const code = 'module.exports.run = async () => null;\n';
  await host.plugins.publish(
    null,
    await signPluginPackage({ manifest, files: { 'index.js': code } }, key.privateKeyPem),
  );
  for (const pluginId of [LOAD_PLUGIN, NOOP_PLUGIN]) {
    const installed = await host.plugins.install(alice, { pluginId });
    if (installed.status !== 'installed') throw new Error(`${pluginId} did not install: ${installed.status}`);
  }
  await host.internals.finops.quotas.remove({
    scope: { org: alice.orgId },
    resource: 'calls',
    window: 'hour',
  });
  await host.finops.setQuota(alice, {
    resource: 'calls',
    limit: 1_000_000_000,
    window: 'month',
    windowKind: 'sliding',
    mode: 'hard',
  });
}
