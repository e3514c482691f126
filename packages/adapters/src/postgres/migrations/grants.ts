import type { Migration } from '../migrate.js';

/** SQL migrations of the grants domain, applied in order by migrate(). */
export const grantsMigrations: Migration[] = [];
