import type { Migration } from '../migrate.js';

/** SQL migrations of the governance domain, applied in order by migrate(). */
export const governanceMigrations: Migration[] = [];
