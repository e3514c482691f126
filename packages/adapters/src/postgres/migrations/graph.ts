import type { Migration } from '../migrate.js';

/**
 * SQL migrations of the graph and cases domain (the SQL adjacency store), applied in order by migrate().
 *
 * Every row carries `ns`, the store's namespace, as the Neo4j store's nodes do. Ids and words use the
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
];
