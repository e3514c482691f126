import type { MarketplaceStore } from '@intelgraph/core';
import { feedbackMethods } from './catalog/feedback.js';
import { installationMethods } from './catalog/installations.js';
import { publisherMethods } from './catalog/publishers.js';
import { versionMethods } from './catalog/versions.js';
import type { SqlDatabase } from './sql.js';

// The PostgreSQL catalog store's public face; its concerns live under catalog/, sharing one context.

/**
 * The marketplace store (catalog, publisher keys, installations, ratings, abuse reports) on PostgreSQL
 * or PGlite. Run `migrate(db)` first. The `(org_id, plugin_id)` primary key makes concurrent installs
 * of one plugin leave exactly one installation; updates use an optimistic `revision` check.
 *
 * @example
 * ```ts
 * import { createPgDatabase, createPgCatalogStore, migrate } from '@intelgraph/adapters/postgres';
 * import { createMarketplace } from '@intelgraph/marketplace';
 * const db = await createPgDatabase({ connectionString: process.env.DATABASE_URL });
 * await migrate(db);
 * const market = createMarketplace({ store: createPgCatalogStore(db), broker, audit });
 * ```
 */
export function createPgCatalogStore(db: SqlDatabase): MarketplaceStore {
  const ctx = { db };
  return {
    ...publisherMethods(ctx),
    ...versionMethods(ctx),
    ...installationMethods(ctx),
    ...feedbackMethods(ctx),
  };
}
