import type { Migration } from '../migrate.js';

/**
 * SQL migrations of the governance domain (review tasks, decisions, apply records, evidence, policy
 * overrides), applied in order by migrate(). Each task row keeps its full record as JSON text (`doc`,
 * exact round trip, NUL-safe) next to the columns that queues, deadlines and locks need.
 */
export const governanceMigrations: Migration[] = [
  {
    id: 'governance_0001_init',
    sql: `
CREATE TABLE IF NOT EXISTS ig_governance_tasks (
  id text PRIMARY KEY,
  org_id text NOT NULL,
  kind text NOT NULL,
  state text NOT NULL,
  requester_id text NOT NULL,
  created_at bigint NOT NULL,
  due_at bigint,
  -- due_at, or the largest time for tasks without one: the keyset of the 'due' order
  due_key bigint NOT NULL,
  next_deadline_at bigint,
  reviewer_selectors text[] NOT NULL,
  excluded_user_ids text[] NOT NULL,
  revision integer NOT NULL,
  doc text NOT NULL
);
CREATE INDEX IF NOT EXISTS ig_governance_tasks_due ON ig_governance_tasks (org_id, state, due_key, id);
CREATE INDEX IF NOT EXISTS ig_governance_tasks_created ON ig_governance_tasks (org_id, created_at, id);
CREATE INDEX IF NOT EXISTS ig_governance_tasks_deadline ON ig_governance_tasks (next_deadline_at)
  WHERE next_deadline_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS ig_governance_tasks_reviewers ON ig_governance_tasks USING gin (reviewer_selectors);

CREATE TABLE IF NOT EXISTS ig_governance_decisions (
  id text PRIMARY KEY,
  task_id text NOT NULL REFERENCES ig_governance_tasks (id),
  seq integer NOT NULL,
  user_id text,
  doc text NOT NULL,
  UNIQUE (task_id, seq)
);
-- One reviewer counts once: a second decision by the same user on the same task cannot be stored.
CREATE UNIQUE INDEX IF NOT EXISTS ig_governance_decisions_reviewer
  ON ig_governance_decisions (task_id, user_id) WHERE user_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS ig_governance_applies (
  task_id text PRIMARY KEY REFERENCES ig_governance_tasks (id),
  idempotency_key text NOT NULL UNIQUE,
  status text NOT NULL,
  doc text NOT NULL
);

CREATE TABLE IF NOT EXISTS ig_governance_evidence (
  sha256 text PRIMARY KEY,
  size integer NOT NULL,
  bytes bytea NOT NULL
);

CREATE TABLE IF NOT EXISTS ig_governance_policies (
  org_id text NOT NULL,
  kind text NOT NULL,
  version integer NOT NULL,
  task_id text NOT NULL UNIQUE,
  definition text NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (org_id, kind, version)
);
`,
  },
];
