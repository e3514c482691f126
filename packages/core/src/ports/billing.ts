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

/** Delivery state of an outbox entry. `dead` entries exhausted their attempts and wait for an operator. */
export type BillingEventStatus = 'pending' | 'delivered' | 'dead';

/** What is appended for a settled run. */
export interface BillingEventInput {
  event: MeterEvent;
  org: string;
  plugin: string;
  runId: string;
  /** Epoch ms. */
  createdAt: number;
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
  /** True when this call moved the entry from pending to delivered (and the lease was still ours). */
  markDelivered(identifier: string, leaseToken: string, now: number): Promise<boolean>;
  /** Records a failed attempt; `dead` ends retries. Ignored when the lease is no longer ours. */
  markFailed(
    identifier: string,
    leaseToken: string,
    failure: { error: string; nextAttemptAt: number; dead: boolean },
  ): Promise<boolean>;
  get(identifier: string): Promise<BillingOutboxRecord | null>;
  list(query?: { status?: BillingEventStatus; limit?: number }): Promise<BillingOutboxRecord[]>;
}

/** Port: which Stripe customer pays for an org; `null` when the org is not billed. */
export interface CustomerMapping {
  customerFor(org: string): Promise<string | null>;
}
