import type { Migration } from '../migrate.js';

/** SQL migrations of the contracts domain, applied in order by migrate(). */
export const contractsMigrations: Migration[] = [];
