import type { Migration } from '../migrate.js';

/** SQL migrations of the contracts domain, applied in order by migrate(). */
export const contractsMigrations: Migration[] = [
  {
    id: 'contracts_0001_init',
    sql: `
CREATE TABLE IF NOT EXISTS ig_contracts_versions (
  subject text NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  format text NOT NULL CHECK (format IN ('json', 'avro')),
  schema_json text NOT NULL,
  fingerprint text NOT NULL,
  created_at timestamptz NOT NULL,
  deleted_at timestamptz,
  PRIMARY KEY (subject, version)
);
CREATE INDEX IF NOT EXISTS ig_contracts_versions_live ON ig_contracts_versions (subject, version) WHERE deleted_at IS NULL;
CREATE TABLE IF NOT EXISTS ig_contracts_config (
  scope text PRIMARY KEY,
  compatibility text NOT NULL CHECK (compatibility IN (
    'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE', 'NONE'))
);
`,
  },
  {
    id: 'contracts_0002_migration_rules',
    sql: `
CREATE TABLE IF NOT EXISTS ig_contracts_migration_rules (
  subject text NOT NULL,
  from_version integer NOT NULL CHECK (from_version >= 1),
  to_version integer NOT NULL CHECK (to_version >= 1 AND abs(to_version - from_version) = 1),
  operations_json text NOT NULL,
  description text,
  registered_at timestamptz NOT NULL,
  PRIMARY KEY (subject, from_version, to_version)
);
CREATE TABLE IF NOT EXISTS ig_contracts_deprecations (
  subject text NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  until timestamptz NOT NULL,
  PRIMARY KEY (subject, version)
);
`,
  },
];
