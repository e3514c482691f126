import type { Migration } from '../migrate.js';

/** SQL migrations of the audit domain, applied in order by migrate(). */
export const auditMigrations: Migration[] = [];
