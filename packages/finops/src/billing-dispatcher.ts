import {
  type BillingOutbox,
  type BillingOutboxRecord,
  backoffDelay,
  type Clock,
  type ErrorCode,
  type IdSource,
  IntelGraphError,
  inBackgroundSpan,
  type Logger,
  logEvent,
  logFailure,
  packageTracer,
  parseInput,
  randomIds,
  sha256Hex,
  systemClock,
} from '@intelgraph/core';
import type { TracerProvider } from '@opentelemetry/api';
import { z } from 'zod';
import { readStripeAnswer, type StripeAnswer } from './billing-answer.js';
import {
  createMeterEventStreamSender,
  METER_EVENT_STREAM_BATCH,
  type MeterEventStreamSender,
} from './billing-meter-event-stream.js';
import { preflightMeterEvent } from './billing-preflight.js';
import {
  assertEndpoint,
  createMeterEventSender,
  type MeterEventSender,
  type StripeEndpoint,
} from './billing-stripe-client.js';
import { meterEventParams } from './meter-events.js';
import type { FinOpsMeters } from './meters.js';

const PAYLOAD_KEY = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/);
const DAY_MS = 86_400_000;

const OptionsSchema = z
  .object({
    host: z.string().min(1).max(253).optional(),
    port: z.number().int().min(1).max(65_535).optional(),
    protocol: z.enum(['https', 'http']).optional(),
    customerPayloadKey: PAYLOAD_KEY.optional(),
    valuePayloadKey: PAYLOAD_KEY.optional(),
    maxAttempts: z.number().int().min(1).max(10_000).optional(),
    baseBackoffMs: z.number().int().nonnegative().max(3_600_000).optional(),
    maxBackoffMs: z.number().int().nonnegative().max(DAY_MS).optional(),
    batchSize: z.number().int().min(1).max(1000).optional(),
    leaseMs: z.number().int().min(100).max(3_600_000).optional(),
    timeoutMs: z.number().int().min(10).max(120_000).optional(),
    dedupWindowMs: z
      .number()
      .int()
      .min(60_000)
      .max(30 * DAY_MS)
      .optional(),
    transport: z.enum(['v1', 'v2_stream']).optional(),
  })
  .strict();

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

const keyHint = (key: string) => `…${key.slice(-4)}`;

/** The stable code a log line gives Stripe's answer. */
const ANSWER_CODES: Record<StripeAnswer['kind'], ErrorCode> = {
  network: 'UNAVAILABLE',
  server_error: 'UNAVAILABLE',
  conflict: 'CONFLICT',
  key_mismatch: 'CONFLICT',
  already_billed: 'CONFLICT',
  auth: 'UNAUTHENTICATED',
  rate_limited: 'RATE_LIMITED',
  rejected: 'INVALID_INPUT',
};

const entryFields = (record: BillingOutboxRecord) => ({
  identifier: record.event.identifier,
  org: record.org,
  plugin: record.plugin,
});

type Pause = NonNullable<BillingDispatcherStatus['paused']> & { key: string };

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
  const base = o.baseBackoffMs ?? 1000;
  const cap = o.maxBackoffMs ?? 300_000;
  const dedupWindowMs = o.dedupWindowMs ?? DAY_MS;
  const keys = {
    ...(o.customerPayloadKey ? { customer: o.customerPayloadKey } : {}),
    ...(o.valuePayloadKey ? { value: o.valuePayloadKey } : {}),
  };

  let rotated: string | null = null;
  let sender: { key: string; client: MeterEventSender } | null = null;
  let stream: { key: string; sender: MeterEventStreamSender } | null = null;
  let paused: Pause | null = null;
  let backoffUntil = 0;
  let consecutive429 = 0;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;

  const alert = (a: Omit<BillingDeliveryAlert, 'at'>) => {
    try {
      Promise.resolve(onAlert?.({ ...a, at: new Date(clock.now()).toISOString() })).catch((err: unknown) =>
        logFailure(logger, 'billing alert delivery failed', err, { alert: a.kind }, 'warn'),
      );
    } catch (err) {
      // An alert never stops delivery.
      logFailure(logger, 'billing alert delivery failed', err, { alert: a.kind }, 'warn');
    }
  };

  const currentKey = async (): Promise<string> => {
    if (rotated !== null) return rotated;
    return typeof apiKey === 'function' ? await apiKey() : apiKey;
  };

  const clientFor = (key: string): MeterEventSender => {
    if (sender?.key !== key) sender = { key, client: createMeterEventSender(key, endpoint, timeoutMs) };
    return sender.client;
  };

  const backoff = (record: BillingOutboxRecord) =>
    backoffDelay({
      attempt: record.attempts,
      baseMs: base,
      maxMs: cap,
      // Jitter in [50 %, 100 %], derived from the identifier so runs are reproducible (no Math.random).
      jitter: 0.5,
      random: () =>
        Number.parseInt(sha256Hex(`${record.event.identifier}:${record.attempts}`).slice(0, 8), 16) /
        0xffffffff,
    });

  const freshKey = (record: BillingOutboxRecord) => `${record.event.identifier}:${ids.next('ik')}`;

  const emptyReport = (claimed = 0): DispatchReport => ({
    claimed,
    delivered: 0,
    alreadyBilled: 0,
    skipped: 0,
    retried: 0,
    dead: 0,
    released: 0,
    paused: paused !== null,
    backoffUntil: backoffUntil > clock.now() ? backoffUntil : null,
  });

  const streamFor = (key: string): MeterEventStreamSender => {
    if (stream?.key !== key)
      stream = { key, sender: createMeterEventStreamSender(key, endpoint, timeoutMs, clock) };
    return stream.sender;
  };

  // Each round runs in a span of its own, so what it logs carries a trace and span id.
  const dispatchRound = (logRoundFailure: boolean): Promise<DispatchReport> =>
    inBackgroundSpan(tracer, 'intelgraph.billing.dispatch', {}, async (span) => {
      try {
        const report = await dispatchOnceIn();
        if (span.isRecording())
          span.setAttributes({
            'intelgraph.billing.claimed': report.claimed,
            'intelgraph.billing.delivered': report.delivered,
            'intelgraph.billing.retried': report.retried,
            'intelgraph.billing.dead': report.dead,
            'intelgraph.billing.released': report.released,
            'intelgraph.billing.paused': report.paused,
          });
        return report;
      } catch (err) {
        if (logRoundFailure) logFailure(logger, 'billing dispatch round failed', err);
        throw err;
      }
    });

  const dispatchOnceIn = async (): Promise<DispatchReport> => {
    const key = await currentKey();
    if (paused !== null && key !== paused.key && key.length > 0) {
      const hint = paused.keyHint;
      paused = null;
      alert({ kind: 'billing.delivery_resumed', reason: 'credentials_changed', detail: null, keyHint: hint });
    }
    if (paused !== null) return emptyReport();
    if (clock.now() < backoffUntil) return emptyReport();
    if (key.length === 0) {
      throw new IntelGraphError(
        'INVALID_INPUT',
        'billing dispatcher: the apiKey function returned an empty key',
      );
    }
    const leaseToken = ids.next('lease');
    const claim = await outbox.claim({
      now: clock.now(),
      limit: o.batchSize ?? 50,
      leaseMs: o.leaseMs ?? 30_000,
      leaseToken,
    });
    const report = emptyReport(claim.records.length);
    let rateLimited = 0;
    let authFailures = 0;

    // 1. Before any call: zero quantities, Stripe's window, malformed events, lapsed de-duplication.
    const sendable: BillingOutboxRecord[] = [];
    for (const record of claim.records) {
      const id = record.event.identifier;
      const now = clock.now();
      const pre = preflightMeterEvent(record.event, now);
      if (!pre.ok) {
        if (pre.outcome === 'zero_quantity') {
          if (await outbox.markSkipped(id, leaseToken, 'zero_quantity', now)) report.skipped++;
        } else if (
          await outbox.markFailed(id, leaseToken, {
            error: pre.error,
            nextAttemptAt: now,
            dead: true,
            outcome: pre.outcome,
            countAttempt: false,
          })
        ) {
          report.dead++;
          logFailure(
            logger,
            'billing event dead before delivery',
            new IntelGraphError('INVALID_INPUT', pre.error),
            {
              ...entryFields(record),
              outcome: pre.outcome,
            },
          );
        }
        continue;
      }
      if (record.uncertainSince !== null && now - record.uncertainSince >= dedupWindowMs) {
        const marked = await outbox.markFailed(id, leaseToken, {
          error: `an attempt at ${new Date(record.uncertainSince).toISOString()} may have been billed and Stripe's identifier de-duplication may have lapsed since; reconcile with Stripe before re-queueing`,
          nextAttemptAt: now,
          dead: true,
          outcome: 'uncertain_past_dedup_window',
          countAttempt: false,
        });
        if (marked) {
          report.dead++;
          logFailure(
            logger,
            'billing event dead: its de-duplication window lapsed after an uncertain attempt',
            new IntelGraphError('CONFLICT', 'uncertain past the de-duplication window'),
            { ...entryFields(record), outcome: 'uncertain_past_dedup_window' },
          );
        }
        continue;
      }
      sendable.push(record);
    }

    // 401/403 pause all delivery, 429 backs the dispatcher off: nothing ran and it is no fault of the
    // entries, so the rest of the batch goes back unsent. True when the batch must stop.
    const stopOn = async (answer: StripeAnswer, rest: readonly BillingOutboxRecord[], after: number) => {
      if (answer.kind !== 'auth' && answer.kind !== 'rate_limited') return false;
      let notBefore = after;
      if (answer.kind === 'auth') {
        authFailures++;
        paused = {
          reason: answer.status === 401 ? 'authentication' : 'permission',
          detail: answer.detail,
          since: after,
          keyHint: keyHint(key),
          key,
        };
        alert({
          kind: 'billing.delivery_paused',
          reason: paused.reason,
          detail: answer.detail,
          keyHint: paused.keyHint,
        });
        logFailure(
          logger,
          'billing delivery paused until the Stripe key changes',
          new IntelGraphError(answer.status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN', answer.detail),
          { status: answer.status, keyHint: paused.keyHint },
        );
      } else {
        rateLimited++;
        consecutive429++;
        const exp = backoffDelay({ attempt: consecutive429 - 1, baseMs: base, maxMs: cap, jitter: 0 });
        const floor = answer.shouldRetry === false ? cap : exp;
        backoffUntil = after + Math.max(floor, answer.retryAfterMs ?? 0);
        notBefore = backoffUntil;
        logEvent(logger, 'warn', 'billing delivery backing off (Stripe rate limit)', {
          code: 'RATE_LIMITED',
          backoffUntil: new Date(backoffUntil).toISOString(),
        });
      }
      report.released += await outbox.release(
        rest.map((r) => r.event.identifier),
        leaseToken,
        notBefore,
      );
      return true;
    };

    const delivered = async (record: BillingOutboxRecord, after: number, alreadyBilled: boolean) => {
      if (await outbox.markDelivered(record.event.identifier, leaseToken, after, { alreadyBilled })) {
        report.delivered++;
        if (alreadyBilled) report.alreadyBilled++;
      }
    };

    const logFailed = (record: BillingOutboxRecord, answer: StripeAnswer, cause: unknown, next: string) =>
      logFailure(
        logger,
        'billing delivery failed',
        new IntelGraphError(ANSWER_CODES[answer.kind], `Stripe: ${answer.detail}`, { cause }),
        { ...entryFields(record), stripe: answer.kind, attempt: record.attempts + 1, next },
      );

    const failed = async (
      record: BillingOutboxRecord,
      answer: StripeAnswer,
      after: number,
      cause: unknown,
    ) => {
      const id = record.event.identifier;
      if (answer.kind === 'already_billed') return delivered(record, after, true);
      if (answer.kind === 'rejected') {
        if (
          await outbox.markFailed(id, leaseToken, { error: answer.detail, nextAttemptAt: after, dead: true })
        ) {
          report.dead++;
          logFailed(record, answer, cause, 'dead');
        }
        return;
      }
      // Retryable: network (same key), server_error (fresh key), conflict, key_mismatch (fresh key).
      const exhausted = o.maxAttempts !== undefined && record.attempts + 1 >= o.maxAttempts;
      const rotate =
        answer.kind === 'server_error' ||
        answer.kind === 'key_mismatch' ||
        (answer.kind === 'conflict' && answer.freshKey);
      const uncertain =
        answer.kind === 'network' ||
        answer.kind === 'server_error' ||
        (answer.kind === 'conflict' && answer.inFlight);
      const wait = Math.max(
        backoff(record),
        'retryAfterMs' in answer && answer.retryAfterMs !== null ? answer.retryAfterMs : 0,
      );
      const marked = await outbox.markFailed(id, leaseToken, {
        error: answer.detail,
        nextAttemptAt: answer.kind === 'key_mismatch' ? after : after + wait,
        dead: exhausted,
        outcome: 'exhausted',
        ...(rotate ? { idempotencyKey: freshKey(record) } : {}),
        ...(uncertain ? { uncertainAt: after } : {}),
      });
      if (marked) {
        if (exhausted) report.dead++;
        else report.retried++;
        logFailed(record, answer, cause, exhausted ? 'dead' : 'retry');
      }
    };

    // 2. Send: one request per event on v1, up to 100 events per request on the v2 stream.
    const per = o.transport === 'v2_stream' ? METER_EVENT_STREAM_BATCH : 1;
    for (let i = 0; i < sendable.length; i += per) {
      const chunk = sendable.slice(i, i + per);
      let error: unknown = null;
      try {
        if (o.transport === 'v2_stream') {
          await streamFor(key).send(chunk.map((r) => meterEventParams(r.event, keys)));
        } else {
          const record = chunk[0]!;
          await clientFor(key).create(meterEventParams(record.event, keys), record.idempotencyKey);
        }
      } catch (err) {
        error = err;
      }
      const after = clock.now();
      if (error === null) {
        consecutive429 = 0;
        for (const record of chunk) await delivered(record, after, false);
        continue;
      }
      const answer = readStripeAnswer(error, after);
      if (await stopOn(answer, sendable.slice(i), after)) break;
      consecutive429 = 0;
      for (const record of chunk) await failed(record, answer, after, error);
    }

    report.paused = paused !== null;
    report.backoffUntil = backoffUntil > clock.now() ? backoffUntil : null;
    meters?.recordBillingDispatch('delivered', report.delivered - report.alreadyBilled);
    meters?.recordBillingDispatch('already_billed', report.alreadyBilled);
    meters?.recordBillingDispatch('skipped', report.skipped);
    meters?.recordBillingDispatch('retry', report.retried);
    meters?.recordBillingDispatch('dead', report.dead);
    meters?.recordBillingDispatch('rate_limited', rateLimited);
    meters?.recordBillingDispatch('paused', authFailures);
    return report;
  };

  const RequeueSchema = z
    .object({
      identifiers: z.array(z.string().min(1).max(100)).max(10_000).optional(),
      reconciled: z.boolean().optional(),
    })
    .strict();

  return {
    dispatchOnce: () => dispatchRound(false),
    start({ intervalMs = 1000 } = {}) {
      if (timer) return;
      const tick = () => {
        // A failed round is logged (with its span's ids) and the next one is scheduled.
        running = dispatchRound(true)
          .catch(() => undefined)
          .finally(() => {
            running = null;
            if (timer) timer = setTimeout(tick, intervalMs);
          });
      };
      timer = setTimeout(tick, intervalMs);
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
    },
    status() {
      const now = clock.now();
      let p: BillingDispatcherStatus['paused'] = null;
      if (paused !== null) {
        const { key: _k, ...view } = paused;
        p = view;
      }
      return {
        state: p ? 'paused' : backoffUntil > now ? 'backing_off' : 'running',
        paused: p,
        backoffUntil: backoffUntil > now ? backoffUntil : null,
      };
    },
    rotateApiKey(next) {
      const key = parseInput(z.string().min(1).max(500), next, 'api key');
      rotated = key;
      if (paused !== null && paused.key !== key) {
        const hint = paused.keyHint;
        paused = null;
        alert({
          kind: 'billing.delivery_resumed',
          reason: 'credentials_changed',
          detail: null,
          keyHint: hint,
        });
      }
    },
    resume() {
      if (paused === null) return;
      const hint = paused.keyHint;
      paused = null;
      alert({ kind: 'billing.delivery_resumed', reason: 'resumed_by_operator', detail: null, keyHint: hint });
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
