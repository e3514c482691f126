import {
  type BillingOutbox,
  type Clock,
  type IdSource,
  IntelGraphError,
  type Logger,
  packageTracer,
  parseInput,
  randomIds,
  systemClock,
} from '@intelgraph/core';
import type { TracerProvider } from '@opentelemetry/api';
import { z } from 'zod';
import { DAY_MS, type DispatcherContext, OptionsSchema, resumeDelivery } from './billing-dispatch/context.js';
import { dispatchRound } from './billing-dispatch/round.js';
import type {
  BillingDeliveryAlert,
  BillingDispatcherStatus,
  DispatchReport,
} from './billing-dispatch/types.js';
import { assertEndpoint, type StripeEndpoint } from './billing-stripe-client.js';
import type { FinOpsMeters } from './meters.js';

// The billing dispatcher's public face. Its concerns live under billing-dispatch/, sharing one
// DispatcherContext: the context and state (context.ts), one round (round.ts), Stripe's answers
// (answers.ts), and the report and status types (types.ts).

export type {
  BillingDeliveryAlert,
  BillingDispatcherStatus,
  DispatchReport,
} from './billing-dispatch/types.js';

const RequeueSchema = z
  .object({
    identifiers: z.array(z.string().min(1).max(100)).max(10_000).optional(),
    reconciled: z.boolean().optional(),
  })
  .strict();

/** Options of {@link createBillingDispatcher}. */
export interface BillingDispatcherOptions extends StripeEndpoint {
  outbox: BillingOutbox;
  /**
   * Stripe secret or restricted key (`rak_…` with write access to meter events), or a function read
   * before every round: after a 401/403, delivery resumes by itself once it returns another key.
   */
  apiKey: string | (() => string | Promise<string>);
  /** The meter's `customer_mapping.event_payload_key` (default `stripe_customer_id`). */
  customerPayloadKey?: string;
  /** The meter's `value_settings.event_payload_key` (default `value`). */
  valuePayloadKey?: string;
  /**
   * Attempts before an entry is marked `dead` as `exhausted`. Unset by default: a retryable failure keeps
   * retrying (capped backoff) until delivered, or until the event leaves Stripe's 35-day window.
   */
  maxAttempts?: number;
  /** Backoff after the first failure, doubled per attempt (default 1000), capped by `maxBackoffMs` (default 300 000). */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Entries claimed per round (default 50). */
  batchSize?: number;
  /** How long a claim is held before another dispatcher may take it (default 30 000). */
  leaseMs?: number;
  /** Per request (default 10 000). */
  timeoutMs?: number;
  /**
   * How long Stripe is relied on to de-duplicate an `identifier` (Stripe: "at least 24 hours"; default
   * 24 h). An entry whose first uncertain attempt is older than this is dead-lettered as
   * `uncertain_past_dedup_window` instead of being sent again (it might be billed twice).
   */
  dedupWindowMs?: number;
  /**
   * `v1` (default): one `POST /v1/billing/meter_events` per event, validated synchronously. `v2_stream`:
   * Stripe's high-throughput meter event stream, up to 100 events per request under a 15-minute meter
   * event session; Stripe validates and de-duplicates those events asynchronously, so `delivered` means
   * accepted, and per-event errors (and duplicates) arrive as `v1.billing.meter.error_report_triggered`
   * events rather than answers. The same rules apply to each request's answer.
   */
  transport?: 'v1' | 'v2_stream';
  /** Pause and resume alerts. Errors thrown here are ignored. */
  onAlert?: (alert: BillingDeliveryAlert) => void | Promise<void>;
  clock?: Clock;
  ids?: IdSource;
  meters?: FinOpsMeters;
  /**
   * Where failed deliveries, dead letters, pauses, back-offs and failed rounds of `start()` are logged
   * (default: nowhere), each line with the `trace_id` and `span_id` of its round's span.
   */
  logger?: Logger;
  /**
   * Where each round's span `intelgraph.billing.dispatch` goes (default: the global OpenTelemetry
   * provider, a no-op until the application registers an SDK).
   */
  tracerProvider?: TracerProvider;
}

/** Delivers the billing outbox to Stripe. */
export interface BillingDispatcher {
  /** Claims due entries and tries each once (nothing while paused or backing off). */
  dispatchOnce(): Promise<DispatchReport>;
  /** Runs {@link BillingDispatcher.dispatchOnce} every `intervalMs` until {@link BillingDispatcher.stop}. */
  start(options?: { intervalMs?: number }): void;
  stop(): Promise<void>;
  status(): BillingDispatcherStatus;
  /** Replaces the API key (a rotated key) and resumes delivery if it was paused. */
  rotateApiKey(apiKey: string): void;
  /** Resumes after a 403 fixed on Stripe's side (the key's permissions), with the same key. */
  resume(): void;
  /**
   * Puts dead entries back in the queue (all, or those listed), each under a FRESH idempotency key: a
   * key Stripe saved a 5xx or another answer under would only replay it. The `identifier` is unchanged,
   * so an entry Stripe already billed comes back as delivered (already billed), never billed twice.
   * Entries dead as `uncertain_past_dedup_window` need `reconciled: true` (checked against Stripe).
   */
  requeue(options?: { identifiers?: readonly string[]; reconciled?: boolean }): Promise<string[]>;
}

/**
 * Creates a {@link BillingDispatcher}: delivers each outbox entry through Stripe's official SDK
 * (`billing.meterEvents.create`, form-encoded, API version {@link STRIPE_API_VERSION}), under the
 * entry's stored idempotency key, and applies the rules of {@link readStripeAnswer}:
 * - network error or timeout: retry with the same key;
 * - 5xx: retry with a fresh key (Stripe replays a saved 5xx for 24 hours; the `identifier` prevents
 *   double billing);
 * - duplicate identifier: delivered (already billed), never dead;
 * - 401/403: pause all delivery, alert, and resume when the key changes;
 * - 429: back off the whole dispatcher (`Retry-After`, `Stripe-Should-Retry`) and stop the batch;
 * - other 4xx: dead, with Stripe's code and message.
 * Zero quantities are recorded as `skipped`; events outside Stripe's timestamp window are dead before
 * any call. `markDelivered` succeeds once per entry, so the accounting stays exactly-once.
 *
 * @example
 * ```ts
 * import { createBillingDispatcher, createMemoryBillingOutbox } from '@intelgraph/finops';
 * const dispatcher = createBillingDispatcher({
 *   outbox: createMemoryBillingOutbox(),
 *   apiKey: () => process.env.STRIPE_SECRET_KEY ?? '',
 * });
 * dispatcher.start({ intervalMs: 1000 });
 * ```
 */
export function createBillingDispatcher(options: BillingDispatcherOptions): BillingDispatcher {
  const {
    outbox,
    apiKey,
    onAlert,
    clock = systemClock,
    ids = randomIds,
    meters,
    logger,
    tracerProvider,
    ...rest
  } = options;
  const tracer = packageTracer('@intelgraph/finops', tracerProvider);
  const o = parseInput(OptionsSchema, rest, 'billing dispatcher options');
  if (!(typeof apiKey === 'function' || (typeof apiKey === 'string' && apiKey.length > 0))) {
    throw new IntelGraphError(
      'INVALID_INPUT',
      'billing dispatcher options: apiKey must be a key or a function',
    );
  }
  const endpoint: StripeEndpoint = {
    ...(o.host ? { host: o.host } : {}),
    ...(o.port ? { port: o.port } : {}),
    ...(o.protocol ? { protocol: o.protocol } : {}),
  };
  const timeoutMs = o.timeoutMs ?? 10_000;
  assertEndpoint(endpoint);
  const ctx: DispatcherContext = {
    o,
    outbox,
    apiKey,
    onAlert,
    clock,
    ids,
    meters,
    logger,
    endpoint,
    timeoutMs,
    base: o.baseBackoffMs ?? 1000,
    cap: o.maxBackoffMs ?? 300_000,
    dedupWindowMs: o.dedupWindowMs ?? DAY_MS,
    keys: {
      ...(o.customerPayloadKey ? { customer: o.customerPayloadKey } : {}),
      ...(o.valuePayloadKey ? { value: o.valuePayloadKey } : {}),
    },
    state: {
      rotated: null,
      sender: null,
      stream: null,
      paused: null,
      backoffUntil: 0,
      consecutive429: 0,
      timer: null,
      running: null,
    },
  };
  const { state } = ctx;

  return {
    dispatchOnce: () => dispatchRound(ctx, tracer, false),
    start({ intervalMs = 1000 } = {}) {
      if (state.timer) return;
      const tick = () => {
        // A failed round is logged (with its span's ids) and the next one is scheduled.
        state.running = dispatchRound(ctx, tracer, true)
          .catch(() => undefined)
          .finally(() => {
            state.running = null;
            if (state.timer) state.timer = setTimeout(tick, intervalMs);
          });
      };
      state.timer = setTimeout(tick, intervalMs);
    },
    async stop() {
      if (state.timer) clearTimeout(state.timer);
      state.timer = null;
      await state.running;
    },
    status() {
      const now = clock.now();
      let p: BillingDispatcherStatus['paused'] = null;
      if (state.paused !== null) {
        const { key: _k, ...view } = state.paused;
        p = view;
      }
      return {
        state: p ? 'paused' : state.backoffUntil > now ? 'backing_off' : 'running',
        paused: p,
        backoffUntil: state.backoffUntil > now ? state.backoffUntil : null,
      };
    },
    rotateApiKey(next) {
      const key = parseInput(z.string().min(1).max(500), next, 'api key');
      state.rotated = key;
      if (state.paused !== null && state.paused.key !== key) resumeDelivery(ctx, 'credentials_changed');
    },
    resume() {
      resumeDelivery(ctx, 'resumed_by_operator');
    },
    async requeue(input = {}) {
      const q = parseInput(RequeueSchema, input, 'requeue options');
      return outbox.requeue({
        ...(q.identifiers ? { identifiers: q.identifiers } : {}),
        now: clock.now(),
        keySuffix: ids.next('rq'),
        reconciled: q.reconciled ?? false,
      });
    },
  };
}
