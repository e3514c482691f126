export { createPgAuditStore, type PgAuditStoreOptions } from './audit-store.js';
export { createPgBillingOutbox } from './billing-store.js';
export { createPgCaseStore, type PgCaseStoreOptions } from './case-store.js';
// Domain stores: one line each, added by the work that owns the store.
export { createPgCatalogStore } from './catalog-store.js';
export { createPgMigrationRuleStore, createPgSchemaRegistryStore } from './contracts-store.js';
export { createPgGrantStore } from './grants-store.js';
export { createPgGraphStore, type PgGraphStoreOptions } from './graph-store.js';
export type { Migration } from './migrate.js';
export { migrate } from './migrate.js';
export { allMigrations } from './migrations/index.js';
export { createPgReplayStore } from './replay-store.js';
export { createPgReviewStore } from './reviews-store.js';
export type {
  IsolationLevel,
  PGliteDatabaseOptions,
  PGliteExecutorLike,
  PGliteLike,
  PgClientLike,
  PgDatabaseOptions,
  PgPoolLike,
  SqlDatabase,
  SqlExecutor,
  SqlResult,
} from './sql.js';
export { createPGliteDatabase, createPgDatabase } from './sql.js';
