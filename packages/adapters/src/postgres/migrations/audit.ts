import type { Migration } from '../migrate.js';

/** SQL migrations of the audit domain, applied in order by migrate(). */
export const auditMigrations: Migration[] = [
  {
    id: 'audit_0001_chain',
    // `event` holds the canonical JSON that was hashed, byte for byte (JSONB would reformat it).
    // `ig_audit_head` is the single row every append moves (compare-and-swap; under its row lock when
    // contended), so the chain stays linear across hosts.
    sql: `
CREATE TABLE IF NOT EXISTS ig_audit_events (
  seq       BIGINT PRIMARY KEY CHECK (seq >= 0),
  id        TEXT NOT NULL,
  at        TEXT NOT NULL,
  type      TEXT NOT NULL,
  subject   TEXT NOT NULL,
  org_id    TEXT,
  prev_hash CHAR(64) NOT NULL,
  hash      CHAR(64) NOT NULL UNIQUE,
  event     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ig_audit_events_subject ON ig_audit_events (subject, seq);
CREATE INDEX IF NOT EXISTS ig_audit_events_org ON ig_audit_events (org_id, seq);
CREATE INDEX IF NOT EXISTS ig_audit_events_type ON ig_audit_events (type, seq);
CREATE TABLE IF NOT EXISTS ig_audit_head (
  id   SMALLINT PRIMARY KEY CHECK (id = 1),
  seq  BIGINT NOT NULL,
  hash CHAR(64) NOT NULL
);
INSERT INTO ig_audit_head (id, seq, hash) VALUES (1, -1, repeat('0', 64)) ON CONFLICT (id) DO NOTHING;
`,
  },
];
