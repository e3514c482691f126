import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createMemoryCaseStore, createMemoryGraphStore } from '@intelgraph/adapters/memory';
import {
  createPGliteDatabase,
  createPgAuditStore,
  createPgBillingOutbox,
  createPgCaseStore,
  createPgCatalogStore,
  createPgDatabase,
  createPgGrantStore,
  createPgGraphStore,
  createPgMigrationRuleStore,
  createPgReplayStore,
  createPgReviewStore,
  createPgSchemaRegistryStore,
  migrate,
  type SqlDatabase,
} from '@intelgraph/adapters/postgres';
import { createMemoryGrantStore } from '@intelgraph/capabilities';
import { createMemoryMigrationRuleStore, createMemorySchemaStore } from '@intelgraph/contracts';
import {
  type AuditStore,
  type BillingOutbox,
  type CaseStore,
  type Clock,
  createMemoryAuditStore,
  type GrantStore,
  type GraphStore,
  type IdSource,
  IntelGraphError,
  type KillSwitchStore,
  type MarketplaceStore,
  type MigrationRuleStore,
  type QuotaStore,
  type ReplayStore,
  type ReviewStore,
  type SchemaRegistryStore,
} from '@intelgraph/core';
import {
  createMemoryBillingOutbox,
  createMemoryKillSwitchStore,
  createMemoryQuotaStore,
} from '@intelgraph/finops';
import { createMemoryReviewStore } from '@intelgraph/governance';
import { createMemoryMarketplaceStore } from '@intelgraph/marketplace';
import { createMemoryReplayStore } from './replay-store.js';

/** Every port the host composes. Pass any subset; the rest comes from `database` or the defaults. */
export interface HostStores {
  audit: AuditStore;
  grants: GrantStore;
  marketplace: MarketplaceStore;
  contracts: SchemaRegistryStore;
  /** Migration rules between contract versions, and version deprecations. */
  migrationRules: MigrationRuleStore;
  reviews: ReviewStore;
  outbox: BillingOutbox;
  quotas: QuotaStore;
  killSwitches: KillSwitchStore;
  graph: GraphStore;
  cases: CaseStore;
  /** Recordings of replayable runs (see the host's `replay` option). */
  replays: ReplayStore;
}

/**
 * Where the durable ports live (the graph and cases included):
 * - omitted: embedded PGlite in `<dataDir>/pg` (default `./.intelgraph/pg`), data survives restarts;
 * - a {@link SqlDatabase} (PostgreSQL through `createPgDatabase`, or PGlite): migrated at start;
 * - `{ connectionString }`: a PostgreSQL pool the host opens and closes;
 * - `'memory'`: in-memory stores, nothing persists (tests, benchmarks, throwaway demos).
 */
export type HostDatabase =
  | SqlDatabase
  | { connectionString: string; schema?: string; max?: number }
  | 'memory';

/** The resolved stores plus what the host must close. */
export interface ResolvedStores extends HostStores {
  database: SqlDatabase | null;
  close(): Promise<void>;
}

/**
 * PostgreSQL settings of the embedded database. PGlite starts with PostgreSQL's server defaults, sized
 * for a shared server: 128 MB of shared buffers alone made an idle embedded host 400-570 MB resident.
 * One embedded user needs far less, and pages missed in these buffers still come from the OS page cache.
 *
 * @example
 * ```ts
 * EMBEDDED_PGLITE_SETTINGS.shared_buffers; // '16MB'
 * ```
 */
export const EMBEDDED_PGLITE_SETTINGS: Readonly<Record<string, string>> = Object.freeze({
  shared_buffers: '16MB',
  wal_buffers: '1MB',
  temp_buffers: '2MB',
  work_mem: '4MB',
  maintenance_work_mem: '16MB',
});

const INT8_OID = 20;

async function openEmbeddedDatabase(dataDir: string): Promise<SqlDatabase> {
  const { PGlite } = await import('@electric-sql/pglite');
  const settings = Object.entries(EMBEDDED_PGLITE_SETTINGS).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
  const instance = await PGlite.create({
    dataDir,
    // BIGINT as numbers, as createPGliteDatabase() does.
    parsers: { [INT8_OID]: (v: string) => Number(v) },
    startParams: [...PGlite.defaultStartParams, ...settings],
  });
  return createPGliteDatabase({ instance, ownsInstance: true });
}

/** Resolves the host's stores from its options (see {@link HostDatabase}). */
export async function resolveStores(options: {
  database?: HostDatabase;
  dataDir?: string;
  stores?: Partial<HostStores>;
  clock: Clock;
  ids: IdSource;
}): Promise<ResolvedStores> {
  const given = options.stores ?? {};
  // Checked before any database is opened, so a refused configuration leaves nothing open.
  if (given.graph && !given.cases) {
    throw new IntelGraphError(
      'INVALID_INPUT',
      'createExtensionHost: pass stores.cases together with a custom stores.graph',
    );
  }
  let database: SqlDatabase | null = null;
  let ownsDatabase = false;
  if (options.database === 'memory') {
    database = null;
  } else if (options.database === undefined) {
    const dir = resolve(options.dataDir ?? '.intelgraph', 'pg');
    mkdirSync(dir, { recursive: true });
    database = await openEmbeddedDatabase(join(dir));
    ownsDatabase = true;
  } else if ('connectionString' in options.database) {
    database = await createPgDatabase(options.database);
    ownsDatabase = true;
  } else {
    database = options.database;
  }
  if (database) await migrate(database);

  // The graph and cases live together: on the host's database (SQL adjacency tables) unless stores say
  // otherwise, in memory only with `database: 'memory'`. A custom graph needs its own case store,
  // because a case store re-points its links inside the graph's merges.
  let graph: GraphStore;
  let cases: CaseStore;
  if (given.graph && given.cases) {
    graph = given.graph;
    cases = given.cases;
  } else if (database) {
    graph = createPgGraphStore(database, { clock: options.clock });
    cases = given.cases ?? createPgCaseStore(database, { clock: options.clock, ids: options.ids });
  } else {
    const memoryGraph = createMemoryGraphStore({ clock: options.clock });
    graph = memoryGraph;
    cases =
      given.cases ?? createMemoryCaseStore({ graph: memoryGraph, clock: options.clock, ids: options.ids });
  }
  const db = database;
  return {
    database,
    audit: given.audit ?? (db ? createPgAuditStore(db) : createMemoryAuditStore()),
    grants: given.grants ?? (db ? createPgGrantStore(db) : createMemoryGrantStore()),
    marketplace: given.marketplace ?? (db ? createPgCatalogStore(db) : createMemoryMarketplaceStore()),
    contracts: given.contracts ?? (db ? createPgSchemaRegistryStore(db) : createMemorySchemaStore()),
    migrationRules:
      given.migrationRules ?? (db ? createPgMigrationRuleStore(db) : createMemoryMigrationRuleStore()),
    reviews: given.reviews ?? (db ? createPgReviewStore(db) : createMemoryReviewStore()),
    outbox: given.outbox ?? (db ? createPgBillingOutbox(db) : createMemoryBillingOutbox()),
    quotas: given.quotas ?? createMemoryQuotaStore(),
    killSwitches: given.killSwitches ?? createMemoryKillSwitchStore(),
    graph,
    cases,
    replays: given.replays ?? (db ? createPgReplayStore(db) : createMemoryReplayStore()),
    async close() {
      if (ownsDatabase && db) await db.close();
    },
  };
}
