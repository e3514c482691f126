// Ports of the billing domain: the outbox of Stripe-shaped meter events and the org-to-customer mapping.
// Owned by @intelgraph/finops (in-memory outbox) and implemented on PostgreSQL/PGlite by
// @intelgraph/adapters/postgres. Type-only, so core stays free of I/O.

/**
 * One usage event, shaped like a Stripe Billing meter event (`POST /v1/billing/meter_events`):
 * `payload.value` is a whole number written as a string, `timestamp` is in Unix seconds, and
 * `identifier` (at most 100 characters) is what makes retries idempotent.
 */
export interface MeterEvent {
  event_name: string;
  payload: { stripe_customer_id: string; value: string };
  identifier: string;
  timestamp: number;
}

/**
 * Delivery state of an outbox entry. `skipped` entries were never sent on purpose (a quantity of 0);
 * `dead` entries wait for an operator (see {@link BillingOutcome} for why).
 */
export type BillingEventStatus = 'pending' | 'delivered' | 'skipped' | 'dead';

/**
 * Why an entry reached its final status:
 * - delivered: `billed` (Stripe accepted it now) or `already_billed` (Stripe answered that the
 *   identifier was already recorded, so an earlier attempt billed it);
 * - skipped: `zero_quantity` (Stripe documents values as positive whole numbers; nothing to bill);
 * - dead: `rejected` (a 4xx that will not change; Stripe's code and message are in `lastError`),
 *   `outside_window` (timestamp older than 35 days or more than 5 minutes ahead, refused before any
 *   call), `invalid_event` (not a well-formed meter event, refused before any call),
 *   `uncertain_past_dedup_window` (an earlier attempt may have been billed and Stripe's identifier
 *   de-duplication, at least 24 hours, may have lapsed: reconcile before re-queueing), or `exhausted`
 *   (the dispatcher's optional `maxAttempts` ran out).
 */
export type BillingOutcome =
  | 'billed'
  | 'already_billed'
  | 'zero_quantity'
  | 'rejected'
  | 'outside_window'
  | 'invalid_event'
  | 'uncertain_past_dedup_window'
  | 'exhausted';

/** What is appended for a settled run. */
export interface BillingEventInput {
  event: MeterEvent;
  org: string;
  plugin: string;
  runId: string;
  /** Epoch ms. */
  createdAt: number;
  /** Recorded as `skipped` with this outcome instead of queued (a run that used nothing billable). */
  skip?: 'zero_quantity';
}

/** One outbox entry. */
export interface BillingOutboxRecord extends BillingEventInput {
  status: BillingEventStatus;
  attempts: number;
  /** Epoch ms before which no attempt is made. */
  nextAttemptAt: number;
  lastError: string | null;
  /** Epoch ms of the successful delivery. */
  deliveredAt: number | null;
  /** Why the entry reached its status; `null` while pending. */
  outcome: BillingOutcome | null;
  /**
   * The `Idempotency-Key` of the next attempt: the identifier at first, a fresh one after a 5xx or a
   * re-queue (Stripe saves and replays a 5xx under its key for 24 hours; the body's `identifier` is what
   * prevents double billing across keys).
   */
  idempotencyKey: string;
  /**
   * Epoch ms of the first attempt whose result is unknown (network error, timeout, 5xx, a concurrent
   * request under the same key): Stripe may have billed it. `null` when no attempt was ambiguous.
   */
  uncertainSince: number | null;
}

/** A failed attempt, as recorded by {@link BillingOutbox.markFailed}. */
export interface BillingFailure {
  error: string;
  nextAttemptAt: number;
  /** Ends retries (status `dead`). */
  dead: boolean;
  /** Why it is dead (default `rejected`); ignored unless `dead`. */
  outcome?: BillingOutcome;
  /** The key of the next attempt, when the last one must not be reused (after a 5xx). */
  idempotencyKey?: string;
  /** Set when this attempt's result is unknown; kept if an earlier one already was. */
  uncertainAt?: number;
  /** False for answers that are no fault of the entry (401, 429): attempts stay as they were. */
  countAttempt?: boolean;
}

/** Entries handed to one dispatcher; `leaseToken` must accompany the outcome. */
export interface BillingClaim {
  leaseToken: string;
  records: BillingOutboxRecord[];
}

/**
 * Port: the billing outbox. `append` is idempotent on `event.identifier` (a repeated identifier is
 * ignored, never re-sent with another one). `claim` leases due pending entries to one dispatcher
 * (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so concurrent dispatchers never hold the same entry; an
 * expired lease makes them claimable again. `markDelivered` succeeds exactly once per entry.
 */
export interface BillingOutbox {
  append(events: readonly BillingEventInput[]): Promise<{ appended: number; duplicates: number }>;
  claim(options: { now: number; limit: number; leaseMs: number; leaseToken: string }): Promise<BillingClaim>;
  /**
   * True when this call moved the entry from pending to delivered (and the lease was still ours).
   * `alreadyBilled` records the outcome `already_billed` instead of `billed`.
   */
  markDelivered(
    identifier: string,
    leaseToken: string,
    now: number,
    options?: { alreadyBilled?: boolean },
  ): Promise<boolean>;
  /** Records a failed attempt; `dead` ends retries. Ignored when the lease is no longer ours. */
  markFailed(identifier: string, leaseToken: string, failure: BillingFailure): Promise<boolean>;
  /** Moves a pending entry it holds to `skipped` without sending it. */
  markSkipped(
    identifier: string,
    leaseToken: string,
    outcome: 'zero_quantity',
    now: number,
  ): Promise<boolean>;
  /**
   * Gives entries back unsent (the dispatcher paused or backs off): no attempt is counted, and none is
   * made before `notBefore`. Returns how many were still held under `leaseToken`.
   */
  release(identifiers: readonly string[], leaseToken: string, notBefore: number): Promise<number>;
  /**
   * Puts `dead` entries (all, or those listed) back in the queue: due at `now`, attempts reset, and a
   * fresh idempotency key `<identifier>:<keySuffix>`. Entries dead as `uncertain_past_dedup_window` are
   * left alone unless `reconciled` (an operator checked Stripe); then their `uncertainSince` is cleared.
   * Returns the identifiers re-queued.
   */
  requeue(options: {
    identifiers?: readonly string[];
    now: number;
    keySuffix: string;
    reconciled?: boolean;
  }): Promise<string[]>;
  /** How many entries are in each status. */
  counts(): Promise<Record<BillingEventStatus, number>>;
  get(identifier: string): Promise<BillingOutboxRecord | null>;
  list(query?: { status?: BillingEventStatus; limit?: number }): Promise<BillingOutboxRecord[]>;
}

/** Port: which Stripe customer pays for an org; `null` when the org is not billed. */
export interface CustomerMapping {
  customerFor(org: string): Promise<string | null>;
}
