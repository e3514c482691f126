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
  {
    // Delivery through Stripe: a `skipped` status for zero quantities, why an entry ended where
    // it did, the idempotency key of the next attempt (NULL = the identifier, as before), and when an
    // attempt first ended without a known result. Additive: old rows read as before.
    id: 'billing_0002_delivery',
    sql: `
ALTER TABLE ig_billing_outbox DROP CONSTRAINT IF EXISTS ig_billing_outbox_status_check;
ALTER TABLE ig_billing_outbox ADD CONSTRAINT ig_billing_outbox_status_check
  CHECK (status IN ('pending', 'delivered', 'skipped', 'dead'));
ALTER TABLE ig_billing_outbox ADD COLUMN IF NOT EXISTS outcome TEXT;
ALTER TABLE ig_billing_outbox ADD COLUMN IF NOT EXISTS idempotency_key TEXT;
ALTER TABLE ig_billing_outbox ADD COLUMN IF NOT EXISTS uncertain_since BIGINT;
`,
  },
];
