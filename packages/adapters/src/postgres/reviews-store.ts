import type { ReviewStore } from '@intelgraph/core';
import { queryMethods } from './reviews/queries.js';
import { recordMethods } from './reviews/records.js';
import { taskMethods } from './reviews/tasks.js';
import type { SqlDatabase } from './sql.js';

// The PostgreSQL review store's public face; its concerns live under reviews/, sharing one context.

/**
 * {@link ReviewStore} on PostgreSQL or PGlite. Updates lock the task row (`SELECT … FOR UPDATE`, or
 * `SKIP LOCKED` for the deadline processor), read its decisions and apply record, and write what the
 * domain decided in the same transaction; the apply record's idempotency key is `UNIQUE`, and so is a
 * reviewer's decision on a task. Run `migrate(db)` first.
 *
 * @example
 * ```ts
 * import { createPgDatabase, createPgReviewStore, migrate } from '@intelgraph/adapters/postgres';
 * import { createGovernance } from '@intelgraph/governance';
 * const db = await createPgDatabase({ connectionString: process.env.DATABASE_URL });
 * await migrate(db);
 * const gov = createGovernance({ policies, appliers, store: createPgReviewStore(db) });
 * ```
 */
export function createPgReviewStore(db: SqlDatabase): ReviewStore {
  const ctx = { db };
  return { ...taskMethods(ctx), ...queryMethods(ctx), ...recordMethods(ctx) };
}
