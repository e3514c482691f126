import type { Migration } from '../migrate.js';

/** SQL migrations of the billing domain, applied in order by migrate(). */
export const billingMigrations: Migration[] = [
  {
    id: 'billing_0001_outbox',
    sql: `
CREATE TABLE IF NOT EXISTS ig_billing_outbox (
  seq             BIGSERIAL PRIMARY KEY,
  identifier      TEXT NOT NULL UNIQUE,
  event           JSONB NOT NULL,
  org             TEXT NOT NULL,
  plugin          TEXT NOT NULL,
  run_id          TEXT NOT NULL,
  created_at      BIGINT NOT NULL,
  status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_error      TEXT,
  delivered_at    BIGINT,
  lease_token     TEXT,
  lease_until     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS ig_billing_outbox_due ON ig_billing_outbox (next_attempt_at, seq) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS ig_billing_outbox_status ON ig_billing_outbox (status, seq);
`,
  },
];
