import type { Migration } from '../migrate.js';

/**
 * SQL migrations of replayable run recordings. Additive: new tables only. Request,
 * response and input bodies are kept once per SHA-256 of their canonical JSON (`ig_replay_blobs`),
 * code once per code digest.
 */
export const replayMigrations: Migration[] = [
  {
    id: 'replay_0001_recordings',
    sql: `
CREATE TABLE IF NOT EXISTS ig_replay_runs (
  run_id       TEXT PRIMARY KEY,
  org_id       TEXT NOT NULL,
  plugin_id    TEXT NOT NULL,
  code_sha256  TEXT NOT NULL,
  input_sha256 TEXT NOT NULL,
  meta         JSONB NOT NULL,
  replayable   BOOLEAN NOT NULL,
  created_at   TEXT NOT NULL,
  expires_at   BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS ig_replay_runs_expiry ON ig_replay_runs (expires_at);
CREATE TABLE IF NOT EXISTS ig_replay_calls (
  run_id          TEXT NOT NULL REFERENCES ig_replay_runs (run_id) ON DELETE CASCADE,
  seq             INTEGER NOT NULL,
  path            TEXT NOT NULL,
  request_sha256  TEXT NOT NULL,
  response_sha256 TEXT NOT NULL,
  record          JSONB NOT NULL,
  PRIMARY KEY (run_id, seq)
);
CREATE TABLE IF NOT EXISTS ig_replay_blobs (
  sha256 TEXT PRIMARY KEY,
  body   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ig_replay_code (
  code_sha256 TEXT PRIMARY KEY,
  code        TEXT NOT NULL
);
`,
  },
];
