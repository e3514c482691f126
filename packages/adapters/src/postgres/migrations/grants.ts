import type { Migration } from '../migrate.js';

/** SQL migrations of the grants domain, applied in order by migrate(). */
export const grantsMigrations: Migration[] = [
  {
    id: 'grants_0001_init',
    sql: `
CREATE TABLE IF NOT EXISTS ig_grants_records (
  org_id text NOT NULL,
  plugin_id text NOT NULL,
  scope text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('required', 'optional')),
  granted_by text NOT NULL,
  granted_at timestamptz NOT NULL,
  reason text NOT NULL,
  PRIMARY KEY (org_id, plugin_id, scope)
);
`,
  },
];
