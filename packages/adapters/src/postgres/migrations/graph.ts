import type { Migration } from '../migrate.js';

// The org that rows written before `graph_0002_org` belong to (see docs/guides/deployment.md).
const PRE_TENANCY_ORG = 'default';

/**
 * SQL migrations of the graph and cases domain (the SQL adjacency store), applied in order by migrate().
 *
 * Every row carries `ns`, the store's namespace, as the Neo4j store's nodes do, and graph rows carry
 * `org_id` (since `graph_0002_org`): entities are keyed by `(ns, org_id, id)`, and relationships, search
 * words and case links reference entities of their own org, so two orgs may hold the same entity id. Ids and words use the
 * "C" collation, so ordering is by code point on every database, as in the memory and Neo4j stores.
 * Caller-supplied free text (names, aliases, properties, descriptions, note texts) is kept as JSON
 * text: an exact round trip that also holds a NUL character, which neither `text` nor `jsonb` accept.
 */
export const graphMigrations: Migration[] = [
  {
    id: 'graph_0001_init',
    sql: `
CREATE TABLE IF NOT EXISTS ig_graph_entities (
  ns          text NOT NULL,
  id          text COLLATE "C" NOT NULL,
  type        text NOT NULL,
  name        text NOT NULL,
  aliases     text NOT NULL,
  properties  text NOT NULL,
  merged_from text NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (ns, id)
);
CREATE TABLE IF NOT EXISTS ig_graph_words (
  ns        text NOT NULL,
  word      text COLLATE "C" NOT NULL,
  entity_id text COLLATE "C" NOT NULL,
  PRIMARY KEY (ns, word, entity_id),
  FOREIGN KEY (ns, entity_id) REFERENCES ig_graph_entities (ns, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ig_graph_words_entity ON ig_graph_words (ns, entity_id);
CREATE TABLE IF NOT EXISTS ig_graph_relationships (
  ns         text NOT NULL,
  from_id    text COLLATE "C" NOT NULL,
  type       text COLLATE "C" NOT NULL,
  to_id      text COLLATE "C" NOT NULL,
  properties text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (ns, from_id, type, to_id),
  FOREIGN KEY (ns, from_id) REFERENCES ig_graph_entities (ns, id) ON DELETE CASCADE,
  FOREIGN KEY (ns, to_id) REFERENCES ig_graph_entities (ns, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ig_graph_relationships_to ON ig_graph_relationships (ns, to_id, type, from_id);
CREATE TABLE IF NOT EXISTS ig_cases (
  ns          text NOT NULL,
  id          text COLLATE "C" NOT NULL,
  org_id      text NOT NULL,
  title       text NOT NULL,
  description text NOT NULL,
  status      text NOT NULL CHECK (status IN ('open', 'in_progress', 'closed')),
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  version     integer NOT NULL,
  note_count  integer NOT NULL DEFAULT 0,
  PRIMARY KEY (ns, id)
);
CREATE INDEX IF NOT EXISTS ig_cases_org ON ig_cases (ns, org_id, created_at DESC, id DESC);
CREATE TABLE IF NOT EXISTS ig_case_entities (
  ns        text NOT NULL,
  case_id   text COLLATE "C" NOT NULL,
  entity_id text COLLATE "C" NOT NULL,
  PRIMARY KEY (ns, case_id, entity_id),
  FOREIGN KEY (ns, case_id) REFERENCES ig_cases (ns, id) ON DELETE CASCADE,
  FOREIGN KEY (ns, entity_id) REFERENCES ig_graph_entities (ns, id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ig_case_entities_entity ON ig_case_entities (ns, entity_id);
CREATE TABLE IF NOT EXISTS ig_case_notes (
  ns      text NOT NULL,
  case_id text COLLATE "C" NOT NULL,
  seq     integer NOT NULL,
  id      text NOT NULL,
  author  text NOT NULL,
  body    text NOT NULL,
  at      timestamptz NOT NULL,
  PRIMARY KEY (ns, case_id, seq),
  FOREIGN KEY (ns, case_id) REFERENCES ig_cases (ns, id) ON DELETE CASCADE
);
`,
  },
  {
    // Partitions the graph by org. Rows written before it belong to PRE_TENANCY_ORG; the foreign keys
    // cascade updates, so re-keying them to a real org is one UPDATE of ig_graph_entities (deployment guide).
    id: 'graph_0002_org',
    sql: `
ALTER TABLE ig_graph_words DROP CONSTRAINT ig_graph_words_ns_entity_id_fkey;
ALTER TABLE ig_graph_relationships DROP CONSTRAINT ig_graph_relationships_ns_from_id_fkey;
ALTER TABLE ig_graph_relationships DROP CONSTRAINT ig_graph_relationships_ns_to_id_fkey;
ALTER TABLE ig_case_entities DROP CONSTRAINT ig_case_entities_ns_entity_id_fkey;

ALTER TABLE ig_graph_entities ADD COLUMN org_id text COLLATE "C" NOT NULL DEFAULT '${PRE_TENANCY_ORG}';
ALTER TABLE ig_graph_words ADD COLUMN org_id text COLLATE "C" NOT NULL DEFAULT '${PRE_TENANCY_ORG}';
ALTER TABLE ig_graph_relationships ADD COLUMN org_id text COLLATE "C" NOT NULL DEFAULT '${PRE_TENANCY_ORG}';
ALTER TABLE ig_case_entities ADD COLUMN org_id text COLLATE "C" NOT NULL DEFAULT '${PRE_TENANCY_ORG}';
-- From here on every writer names the org: no default to fall back on.
ALTER TABLE ig_graph_entities ALTER COLUMN org_id DROP DEFAULT;
ALTER TABLE ig_graph_words ALTER COLUMN org_id DROP DEFAULT;
ALTER TABLE ig_graph_relationships ALTER COLUMN org_id DROP DEFAULT;
ALTER TABLE ig_case_entities ALTER COLUMN org_id DROP DEFAULT;

ALTER TABLE ig_graph_entities DROP CONSTRAINT ig_graph_entities_pkey;
ALTER TABLE ig_graph_entities ADD PRIMARY KEY (ns, org_id, id);
ALTER TABLE ig_graph_words DROP CONSTRAINT ig_graph_words_pkey;
ALTER TABLE ig_graph_words ADD PRIMARY KEY (ns, org_id, word, entity_id);
ALTER TABLE ig_graph_words ADD FOREIGN KEY (ns, org_id, entity_id)
  REFERENCES ig_graph_entities (ns, org_id, id) ON DELETE CASCADE ON UPDATE CASCADE;
DROP INDEX IF EXISTS ig_graph_words_entity;
CREATE INDEX ig_graph_words_entity ON ig_graph_words (ns, org_id, entity_id);
ALTER TABLE ig_graph_relationships DROP CONSTRAINT ig_graph_relationships_pkey;
ALTER TABLE ig_graph_relationships ADD PRIMARY KEY (ns, org_id, from_id, type, to_id);
ALTER TABLE ig_graph_relationships ADD FOREIGN KEY (ns, org_id, from_id)
  REFERENCES ig_graph_entities (ns, org_id, id) ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE ig_graph_relationships ADD FOREIGN KEY (ns, org_id, to_id)
  REFERENCES ig_graph_entities (ns, org_id, id) ON DELETE CASCADE ON UPDATE CASCADE;
DROP INDEX IF EXISTS ig_graph_relationships_to;
CREATE INDEX ig_graph_relationships_to ON ig_graph_relationships (ns, org_id, to_id, type, from_id);
ALTER TABLE ig_case_entities ADD FOREIGN KEY (ns, org_id, entity_id)
  REFERENCES ig_graph_entities (ns, org_id, id) ON DELETE CASCADE ON UPDATE CASCADE;
DROP INDEX IF EXISTS ig_case_entities_entity;
CREATE INDEX ig_case_entities_entity ON ig_case_entities (ns, org_id, entity_id);
`,
  },
];
