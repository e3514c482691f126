import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createMemoryCaseStore, createMemoryGraphStore } from '@intelgraph/adapters/memory';
import {
  createPGliteDatabase,
  createPgAuditStore,
  createPgBillingOutbox,
  createPgCatalogStore,
  createPgDatabase,
  createPgGrantStore,
  createPgReplayStore,
  createPgReviewStore,
  createPgSchemaRegistryStore,
  migrate,
  type SqlDatabase,
} from '@intelgraph/adapters/postgres';
import { createMemoryGrantStore } from '@intelgraph/capabilities';
import { createMemorySchemaStore } from '@intelgraph/contracts';
import {
  type AuditStore,
  type BillingOutbox,
  type CaseStore,
  type Clock,
  createMemoryAuditStore,
  type GrantStore,
  type GraphStore,
  type IdSource,
  type KillSwitchStore,
  type MarketplaceStore,
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
 * Where the durable ports live:
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

/** Resolves the host's stores from its options (see {@link HostDatabase}). */
export async function resolveStores(options: {
  database?: HostDatabase;
  dataDir?: string;
  stores?: Partial<HostStores>;
  clock: Clock;
  ids: IdSource;
}): Promise<ResolvedStores> {
  const given = options.stores ?? {};
  let database: SqlDatabase | null = null;
  let ownsDatabase = false;
  if (options.database === 'memory') {
    database = null;
  } else if (options.database === undefined) {
    const dir = resolve(options.dataDir ?? '.intelgraph', 'pg');
    mkdirSync(dir, { recursive: true });
    database = await createPGliteDatabase({ dataDir: join(dir) });
    ownsDatabase = true;
  } else if ('connectionString' in options.database) {
    database = await createPgDatabase(options.database);
    ownsDatabase = true;
  } else {
    database = options.database;
  }
  if (database) await migrate(database);

  const graph = given.graph ?? createMemoryGraphStore({ clock: options.clock });
  const cases =
    given.cases ??
    (given.graph
      ? undefined
      : createMemoryCaseStore({
          graph: graph as ReturnType<typeof createMemoryGraphStore>,
          clock: options.clock,
          ids: options.ids,
        }));
  if (!cases) {
    throw new Error('createExtensionHost: pass stores.cases together with a custom stores.graph');
  }
  const db = database;
  return {
    database,
    audit: given.audit ?? (db ? createPgAuditStore(db) : createMemoryAuditStore()),
    grants: given.grants ?? (db ? createPgGrantStore(db) : createMemoryGrantStore()),
    marketplace: given.marketplace ?? (db ? createPgCatalogStore(db) : createMemoryMarketplaceStore()),
    contracts: given.contracts ?? (db ? createPgSchemaRegistryStore(db) : createMemorySchemaStore()),
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
