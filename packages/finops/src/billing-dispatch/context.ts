import {
  type BillingOutbox,
  type BillingOutboxRecord,
  backoffDelay,
  type Clock,
  type ErrorCode,
  type IdSource,
  type Logger,
  logFailure,
  sha256Hex,
} from '@intelgraph/core';
import { z } from 'zod';
import type { StripeAnswer } from '../billing-answer.js';
import { createMeterEventStreamSender, type MeterEventStreamSender } from '../billing-meter-event-stream.js';
import {
  createMeterEventSender,
  type MeterEventSender,
  type StripeEndpoint,
} from '../billing-stripe-client.js';
import type { FinOpsMeters } from '../meters.js';
import type { BillingDeliveryAlert, BillingDispatcherStatus, DispatchReport } from './types.js';

// The context a billing dispatcher's modules share: its validated options, its dependencies, and the
// mutable state of delivery (pause, back-off, cached Stripe clients, the timer of `start()`).

const PAYLOAD_KEY = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/);
export const DAY_MS = 86_400_000;

/** The dispatcher's plain options, validated at creation. */
export const OptionsSchema = z
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

/** A pause with the key it happened under (the status shows everything but the key). */
export type Pause = NonNullable<BillingDispatcherStatus['paused']> & { key: string };

/** What changes while the dispatcher runs. */
export interface DispatcherState {
  /** The key given to `rotateApiKey`, which wins over `apiKey`. */
  rotated: string | null;
  sender: { key: string; client: MeterEventSender } | null;
  stream: { key: string; sender: MeterEventStreamSender } | null;
  paused: Pause | null;
  backoffUntil: number;
  consecutive429: number;
  timer: NodeJS.Timeout | null;
  running: Promise<unknown> | null;
}

/** Everything a dispatcher's modules share. */
export interface DispatcherContext {
  o: z.infer<typeof OptionsSchema>;
  outbox: BillingOutbox;
  apiKey: string | (() => string | Promise<string>);
  onAlert: ((alert: BillingDeliveryAlert) => void | Promise<void>) | undefined;
  clock: Clock;
  ids: IdSource;
  meters: FinOpsMeters | undefined;
  logger: Logger | undefined;
  endpoint: StripeEndpoint;
  timeoutMs: number;
  /** Backoff after the first failure and its cap. */
  base: number;
  cap: number;
  dedupWindowMs: number;
  /** The meter's payload keys. */
  keys: { customer?: string; value?: string };
  state: DispatcherState;
}

/** The state of one round, shared by its steps. */
export interface Round {
  ctx: DispatcherContext;
  /** The API key of this round. */
  key: string;
  leaseToken: string;
  report: DispatchReport;
  rateLimited: number;
  authFailures: number;
}

/** The last four characters of a key, for alerts and logs (never the key). */
export const keyHint = (key: string) => `…${key.slice(-4)}`;

/** The stable code a log line gives Stripe's answer. */
export const ANSWER_CODES: Record<StripeAnswer['kind'], ErrorCode> = {
  network: 'UNAVAILABLE',
  server_error: 'UNAVAILABLE',
  conflict: 'CONFLICT',
  key_mismatch: 'CONFLICT',
  already_billed: 'CONFLICT',
  auth: 'UNAUTHENTICATED',
  rate_limited: 'RATE_LIMITED',
  rejected: 'INVALID_INPUT',
};

/** The log fields naming an outbox entry. */
export const entryFields = (record: BillingOutboxRecord) => ({
  identifier: record.event.identifier,
  org: record.org,
  plugin: record.plugin,
});

/** Raises an alert through `onAlert`; a failing handler is logged and never stops delivery. */
export function alert(ctx: DispatcherContext, a: Omit<BillingDeliveryAlert, 'at'>): void {
  try {
    Promise.resolve(ctx.onAlert?.({ ...a, at: new Date(ctx.clock.now()).toISOString() })).catch(
      (err: unknown) =>
        logFailure(ctx.logger, 'billing alert delivery failed', err, { alert: a.kind }, 'warn'),
    );
  } catch (err) {
    // An alert never stops delivery.
    logFailure(ctx.logger, 'billing alert delivery failed', err, { alert: a.kind }, 'warn');
  }
}

/** Lifts a pause and says why, when the dispatcher is paused. */
export function resumeDelivery(
  ctx: DispatcherContext,
  reason: 'credentials_changed' | 'resumed_by_operator',
): void {
  const { paused } = ctx.state;
  if (paused === null) return;
  ctx.state.paused = null;
  alert(ctx, { kind: 'billing.delivery_resumed', reason, detail: null, keyHint: paused.keyHint });
}

/** The key of this round: a rotated key, else `apiKey` (read anew each round when it is a function). */
export async function currentKey(ctx: DispatcherContext): Promise<string> {
  if (ctx.state.rotated !== null) return ctx.state.rotated;
  return typeof ctx.apiKey === 'function' ? await ctx.apiKey() : ctx.apiKey;
}

/** The v1 sender for a key, reused while the key stays the same. */
export function clientFor(ctx: DispatcherContext, key: string): MeterEventSender {
  let { sender } = ctx.state;
  if (sender?.key !== key) {
    sender = { key, client: createMeterEventSender(key, ctx.endpoint, ctx.timeoutMs) };
    ctx.state.sender = sender;
  }
  return sender.client;
}

/** The v2 stream sender for a key, reused while the key stays the same. */
export function streamFor(ctx: DispatcherContext, key: string): MeterEventStreamSender {
  let { stream } = ctx.state;
  if (stream?.key !== key) {
    stream = { key, sender: createMeterEventStreamSender(key, ctx.endpoint, ctx.timeoutMs, ctx.clock) };
    ctx.state.stream = stream;
  }
  return stream.sender;
}

/** How long an entry waits before its next attempt. */
export const backoff = (ctx: DispatcherContext, record: BillingOutboxRecord) =>
  backoffDelay({
    attempt: record.attempts,
    baseMs: ctx.base,
    maxMs: ctx.cap,
    // Jitter in [50 %, 100 %], derived from the identifier so runs are reproducible (no Math.random).
    jitter: 0.5,
    random: () =>
      Number.parseInt(sha256Hex(`${record.event.identifier}:${record.attempts}`).slice(0, 8), 16) /
      0xffffffff,
  });

/** A fresh idempotency key for an entry (after a 5xx or a key mismatch). */
export const freshKey = (ctx: DispatcherContext, record: BillingOutboxRecord) =>
  `${record.event.identifier}:${ctx.ids.next('ik')}`;

/** A report of nothing done yet. */
export const emptyReport = (ctx: DispatcherContext, claimed = 0): DispatchReport => ({
  claimed,
  delivered: 0,
  alreadyBilled: 0,
  skipped: 0,
  retried: 0,
  dead: 0,
  released: 0,
  paused: ctx.state.paused !== null,
  backoffUntil: ctx.state.backoffUntil > ctx.clock.now() ? ctx.state.backoffUntil : null,
});
