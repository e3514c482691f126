import type {
  BillingEventStatus,
  BillingOutbox,
  BillingOutboxRecord,
  BillingOutcome,
  MeterEvent,
} from '@intelgraph/core';
import type { SqlDatabase } from './sql.js';

interface Row {
  identifier: string;
  event: MeterEvent | string;
  org: string;
  plugin: string;
  run_id: string;
  created_at: number | string;
  status: BillingEventStatus;
  attempts: number;
  next_attempt_at: number | string;
  last_error: string | null;
  delivered_at: number | string | null;
  outcome: BillingOutcome | null;
  idempotency_key: string | null;
  uncertain_since: number | string | null;
  seq: number | string;
}

const COLUMNS =
  'seq, identifier, event, org, plugin, run_id, created_at, status, attempts, next_attempt_at, last_error, delivered_at, outcome, idempotency_key, uncertain_since';

const toRecord = (r: Row): BillingOutboxRecord => ({
  event: typeof r.event === 'string' ? (JSON.parse(r.event) as MeterEvent) : r.event,
  org: r.org,
  plugin: r.plugin,
  runId: r.run_id,
  createdAt: Number(r.created_at),
  status: r.status,
  attempts: Number(r.attempts),
  nextAttemptAt: Number(r.next_attempt_at),
  lastError: r.last_error,
  deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at),
  outcome: r.outcome,
  // Rows written before billing_0002 have no key: their attempts used the identifier.
  idempotencyKey: r.idempotency_key ?? r.identifier,
  uncertainSince: r.uncertain_since === null ? null : Number(r.uncertain_since),
});

/**
 * The billing outbox on PostgreSQL or PGlite (table `ig_billing_outbox`, migration `billing_0001_outbox`).
 * `append` is idempotent on the identifier (`ON CONFLICT DO NOTHING`); `claim` leases due entries with
 * `FOR UPDATE SKIP LOCKED`, so concurrent dispatchers on any number of hosts never hold the same entry;
 * `markDelivered` is a conditional update that succeeds once. Migration `billing_0002_delivery` adds the
 * `skipped` status, the outcome, the next attempt's idempotency key and the first uncertain attempt.
 *
 * @example
 * ```ts
 * import { createPgDatabase, createPgBillingOutbox, migrate } from '@intelgraph/adapters/postgres';
 * import { createFinOps } from '@intelgraph/finops';
 * const db = await createPgDatabase({ connectionString: process.env.DATABASE_URL });
 * await migrate(db);
 * const finops = createFinOps({ outbox: createPgBillingOutbox(db) });
 * ```
 */
export function createPgBillingOutbox(db: SqlDatabase): BillingOutbox {
  return {
    async append(events) {
      if (events.length === 0) return { appended: 0, duplicates: 0 };
      // One statement (atomic on its own, no BEGIN/COMMIT round trips): the run's hot path appends here.
      const r = await db.query(
        `INSERT INTO ig_billing_outbox
           (identifier, event, org, plugin, run_id, created_at, next_attempt_at, status, outcome, idempotency_key)
         SELECT i, e::jsonb, o, p, r, c, c, CASE WHEN k IS NULL THEN 'pending' ELSE 'skipped' END, k, i
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[])
           AS t(i, e, o, p, r, c, k)
         ON CONFLICT (identifier) DO NOTHING`,
        [
          events.map((e) => e.event.identifier),
          events.map((e) => JSON.stringify(e.event)),
          events.map((e) => e.org),
          events.map((e) => e.plugin),
          events.map((e) => e.runId),
          events.map((e) => e.createdAt),
          events.map((e) => e.skip ?? null),
        ],
      );
      return { appended: r.rowCount, duplicates: events.length - r.rowCount };
    },
    async claim({ now, limit, leaseMs, leaseToken }) {
      const { rows } = await db.query<Row>(
        `UPDATE ig_billing_outbox SET lease_token = $1, lease_until = $2::bigint + $3::bigint
         WHERE seq IN (
           SELECT seq FROM ig_billing_outbox
           WHERE status = 'pending' AND next_attempt_at <= $2 AND lease_until <= $2
           ORDER BY next_attempt_at, seq
           LIMIT $4
           FOR UPDATE SKIP LOCKED)
         RETURNING ${COLUMNS}`,
        [leaseToken, now, leaseMs, Math.max(0, Math.min(limit, 1000))],
      );
      rows.sort(
        (a, b) => Number(a.next_attempt_at) - Number(b.next_attempt_at) || Number(a.seq) - Number(b.seq),
      );
      return { leaseToken, records: rows.map(toRecord) };
    },
    async markDelivered(identifier, leaseToken, now, options = {}) {
      const r = await db.query(
        `UPDATE ig_billing_outbox
         SET status = 'delivered', attempts = attempts + 1, delivered_at = $3, last_error = NULL, outcome = $4,
             lease_token = NULL, lease_until = 0
         WHERE identifier = $1 AND status = 'pending' AND lease_token = $2`,
        [identifier, leaseToken, now, options.alreadyBilled ? 'already_billed' : 'billed'],
      );
      return r.rowCount === 1;
    },
    async markFailed(identifier, leaseToken, failure) {
      const r = await db.query(
        `UPDATE ig_billing_outbox
         SET attempts = attempts + CASE WHEN $6::boolean THEN 1 ELSE 0 END, last_error = $3, next_attempt_at = $4,
             status = CASE WHEN $5::boolean THEN 'dead' ELSE 'pending' END,
             outcome = CASE WHEN $5::boolean THEN $7 ELSE NULL END,
             idempotency_key = COALESCE($8, idempotency_key),
             uncertain_since = COALESCE(uncertain_since, $9::bigint),
             lease_token = NULL, lease_until = 0
         WHERE identifier = $1 AND status = 'pending' AND lease_token = $2`,
        [
          identifier,
          leaseToken,
          failure.error.slice(0, 2000),
          failure.nextAttemptAt,
          failure.dead,
          failure.countAttempt !== false,
          failure.outcome ?? 'rejected',
          failure.idempotencyKey ?? null,
          failure.uncertainAt ?? null,
        ],
      );
      return r.rowCount === 1;
    },
    async markSkipped(identifier, leaseToken, outcome) {
      const r = await db.query(
        `UPDATE ig_billing_outbox SET status = 'skipped', outcome = $3, lease_token = NULL, lease_until = 0
         WHERE identifier = $1 AND status = 'pending' AND lease_token = $2`,
        [identifier, leaseToken, outcome],
      );
      return r.rowCount === 1;
    },
    async release(identifiers, leaseToken, notBefore) {
      if (identifiers.length === 0) return 0;
      const r = await db.query(
        `UPDATE ig_billing_outbox
         SET next_attempt_at = GREATEST(next_attempt_at, $3::bigint), lease_token = NULL, lease_until = 0
         WHERE identifier = ANY($1::text[]) AND status = 'pending' AND lease_token = $2`,
        [[...identifiers], leaseToken, notBefore],
      );
      return r.rowCount;
    },
    async requeue({ identifiers, now, keySuffix, reconciled = false }) {
      const { rows } = await db.query<{ identifier: string }>(
        `UPDATE ig_billing_outbox
         SET status = 'pending', outcome = NULL, attempts = 0, next_attempt_at = $2,
             idempotency_key = identifier || ':' || $3,
             uncertain_since = CASE WHEN $4::boolean THEN NULL ELSE uncertain_since END,
             lease_token = NULL, lease_until = 0
         WHERE status = 'dead' AND ($1::text[] IS NULL OR identifier = ANY($1::text[]))
           AND ($4::boolean OR outcome IS DISTINCT FROM 'uncertain_past_dedup_window')
         RETURNING identifier`,
        [identifiers ? [...identifiers] : null, now, keySuffix, reconciled],
      );
      return rows.map((r) => r.identifier);
    },
    async counts() {
      const { rows } = await db.query<{ status: BillingEventStatus; n: number | string }>(
        'SELECT status, count(*) AS n FROM ig_billing_outbox GROUP BY status',
      );
      const c: Record<BillingEventStatus, number> = { pending: 0, delivered: 0, skipped: 0, dead: 0 };
      for (const r of rows) c[r.status] = Number(r.n);
      return c;
    },
    async get(identifier) {
      const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM ig_billing_outbox WHERE identifier = $1`, [
        identifier,
      ]);
      return rows[0] ? toRecord(rows[0]) : null;
    },
    async list(query = {}) {
      const limit = Math.max(0, Math.min(query.limit ?? 1000, 10_000));
      const { rows } =
        query.status === undefined
          ? await db.query<Row>(`SELECT ${COLUMNS} FROM ig_billing_outbox ORDER BY seq LIMIT $1`, [limit])
          : await db.query<Row>(
              `SELECT ${COLUMNS} FROM ig_billing_outbox WHERE status = $1 ORDER BY seq LIMIT $2`,
              [query.status, limit],
            );
      return rows.map(toRecord);
    },
  };
}
