// The dispatcher's reports, status and alerts (re-exported by billing-dispatcher.ts).

/** Raised through `onAlert` when delivery pauses (401/403) and when it resumes. */
export interface BillingDeliveryAlert {
  kind: 'billing.delivery_paused' | 'billing.delivery_resumed';
  /** `authentication` (401), `permission` (403), `credentials_changed`, or `resumed_by_operator`. */
  reason: 'authentication' | 'permission' | 'credentials_changed' | 'resumed_by_operator';
  /** Stripe's answer, for a pause. */
  detail: string | null;
  /** The last four characters of the key concerned (never the key). */
  keyHint: string;
  /** ISO-8601. */
  at: string;
}

/** The outcome of one dispatch round. */
export interface DispatchReport {
  claimed: number;
  /** Entries that reached `delivered` this round, `alreadyBilled` included. */
  delivered: number;
  /** Of `delivered`: Stripe answered that the identifier was already billed. */
  alreadyBilled: number;
  /** Zero quantities recorded as `skipped`, never sent. */
  skipped: number;
  retried: number;
  dead: number;
  /** Claimed entries given back unsent (after a 401/403 or a 429). */
  released: number;
  /** Delivery is paused until the credentials change (401/403). */
  paused: boolean;
  /** Epoch ms before which this dispatcher sends nothing (429), or `null`. */
  backoffUntil: number | null;
}

/** The dispatcher's state, for health checks and operators. */
export interface BillingDispatcherStatus {
  state: 'running' | 'paused' | 'backing_off';
  /** Why delivery is paused, when it is. */
  paused: { reason: 'authentication' | 'permission'; detail: string; since: number; keyHint: string } | null;
  backoffUntil: number | null;
}
