import type { Migration } from '../migrate.js';

/** SQL migrations of the catalog domain, applied in order by migrate(). */
export const catalogMigrations: Migration[] = [];
