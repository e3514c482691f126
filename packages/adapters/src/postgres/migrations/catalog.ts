import type { Migration } from '../migrate.js';

/** SQL migrations of the catalog domain, applied in order by migrate(). */
export const catalogMigrations: Migration[] = [
  {
    id: 'catalog_0001_init',
    sql: `
CREATE TABLE IF NOT EXISTS ig_catalog_publishers (
  id text PRIMARY KEY,
  display_name text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS ig_catalog_keys (
  key_id text PRIMARY KEY,
  publisher_id text NOT NULL,
  public_key_pem text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'retired', 'revoked')),
  added_at timestamptz NOT NULL,
  retired_at timestamptz,
  revoked_at timestamptz,
  reason text
);
CREATE INDEX IF NOT EXISTS ig_catalog_keys_publisher ON ig_catalog_keys (publisher_id);
CREATE TABLE IF NOT EXISTS ig_catalog_plugins (
  id text PRIMARY KEY,
  publisher_id text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS ig_catalog_versions (
  plugin_id text NOT NULL REFERENCES ig_catalog_plugins (id),
  version text NOT NULL,
  seq bigserial NOT NULL,
  publisher_id text NOT NULL,
  key_id text NOT NULL,
  manifest_json text NOT NULL,
  package_json text NOT NULL,
  package_digest text NOT NULL,
  code_sha256 text NOT NULL,
  required_scopes jsonb NOT NULL,
  optional_scopes jsonb NOT NULL,
  risk text NOT NULL CHECK (risk IN ('low', 'medium', 'high')),
  published_at timestamptz NOT NULL,
  yanked boolean NOT NULL DEFAULT false,
  yank_reason text,
  hidden boolean NOT NULL DEFAULT false,
  hidden_reason text,
  key_revoked boolean NOT NULL DEFAULT false,
  PRIMARY KEY (plugin_id, version)
);
CREATE INDEX IF NOT EXISTS ig_catalog_versions_key ON ig_catalog_versions (key_id);
CREATE TABLE IF NOT EXISTS ig_catalog_installations (
  org_id text NOT NULL,
  plugin_id text NOT NULL,
  version text NOT NULL,
  requested text NOT NULL,
  pinned boolean NOT NULL,
  status text NOT NULL CHECK (status IN ('enabled', 'disabled')),
  disabled_reason text,
  pending_scopes jsonb NOT NULL,
  optional_scopes jsonb NOT NULL,
  package_digest text NOT NULL,
  code_sha256 text NOT NULL,
  warnings jsonb NOT NULL,
  approval_ref text,
  installed_by text NOT NULL,
  installed_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  revision integer NOT NULL,
  PRIMARY KEY (org_id, plugin_id)
);
CREATE INDEX IF NOT EXISTS ig_catalog_installations_plugin ON ig_catalog_installations (plugin_id);
CREATE TABLE IF NOT EXISTS ig_catalog_ratings (
  plugin_id text NOT NULL,
  user_id text NOT NULL,
  org_id text NOT NULL,
  stars smallint NOT NULL CHECK (stars BETWEEN 1 AND 5),
  comment text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (plugin_id, user_id)
);
CREATE TABLE IF NOT EXISTS ig_catalog_reports (
  id text PRIMARY KEY,
  seq bigserial NOT NULL,
  plugin_id text NOT NULL,
  version text NOT NULL,
  category text NOT NULL,
  details text NOT NULL,
  reporter_id text NOT NULL,
  org_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('open', 'upheld', 'dismissed')),
  created_at timestamptz NOT NULL,
  resolved_at timestamptz,
  resolved_by text
);
CREATE INDEX IF NOT EXISTS ig_catalog_reports_version ON ig_catalog_reports (plugin_id, version);
-- One open report per reporter and version: a user cannot stack reports.
CREATE UNIQUE INDEX IF NOT EXISTS ig_catalog_reports_open
  ON ig_catalog_reports (plugin_id, version, reporter_id) WHERE status = 'open';
`,
  },
  {
    id: 'catalog_0002_installation_contracts',
    sql: `ALTER TABLE ig_catalog_installations ADD COLUMN IF NOT EXISTS contracts jsonb;`,
  },
];
