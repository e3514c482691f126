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
  {
    id: 'audit_0002_merkle',
    // The RFC 9162 Merkle tree over the events, as an index: the hash of every complete perfect subtree
    // (`2^level` events from `idx * 2^level`), so any proof is O(log n) point reads. `ig_audit_tree_head`
    // says how many events the tree covers (compare-and-swap, as for the chain head); it starts at 0, so an
    // existing chain keeps its history and the first checkpoint computes the tree over it.
    sql: `
CREATE TABLE IF NOT EXISTS ig_audit_tree_nodes (
  level SMALLINT NOT NULL CHECK (level >= 0 AND level < 63),
  idx   BIGINT NOT NULL CHECK (idx >= 0),
  hash  CHAR(64) NOT NULL,
  PRIMARY KEY (level, idx)
);
CREATE TABLE IF NOT EXISTS ig_audit_tree_head (
  id   SMALLINT PRIMARY KEY CHECK (id = 1),
  size BIGINT NOT NULL CHECK (size >= 0)
);
INSERT INTO ig_audit_tree_head (id, size) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
CREATE TABLE IF NOT EXISTS ig_audit_checkpoints (
  tree_size BIGINT PRIMARY KEY CHECK (tree_size >= 0),
  root_hash CHAR(64) NOT NULL,
  time      TEXT NOT NULL,
  key_id    CHAR(64) NOT NULL,
  signature TEXT NOT NULL
);
`,
  },
];
