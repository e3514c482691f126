import type { Migration } from '../migrate.js';

/** SQL migrations of the billing domain, applied in order by migrate(). */
export const billingMigrations: Migration[] = [];
