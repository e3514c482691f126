import {
  type BillingOutbox,
  type BillingOutboxRecord,
  type Clock,
  type IdSource,
  type MeterEvent,
  parseInput,
  randomIds,
  sha256Hex,
  systemClock,
} from '@intelgraph/core';
import { z } from 'zod';
import type { FinOpsMeters } from './meters.js';

const OptionsSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    headers: z.record(z.string(), z.string()).optional(),
    encoding: z.enum(['json', 'form']).optional(),
    maxAttempts: z.number().int().min(1).max(100).optional(),
    baseBackoffMs: z.number().int().nonnegative().max(3_600_000).optional(),
    maxBackoffMs: z.number().int().nonnegative().max(86_400_000).optional(),
    batchSize: z.number().int().min(1).max(1000).optional(),
    leaseMs: z.number().int().min(100).max(3_600_000).optional(),
    timeoutMs: z.number().int().min(10).max(120_000).optional(),
  })
  .strict();

/** Options of {@link createBillingDispatcher}. */
export interface BillingDispatcherOptions {
  outbox: BillingOutbox;
  /** Where events go: a relay you run, or Stripe's `https://api.stripe.com/v1/billing/meter_events`. */
  url: string;
  /** For example `{ authorization: 'Bearer sk_live_…' }` when posting to Stripe directly. */
  headers?: Record<string, string>;
  /** `form` is what Stripe's v1 API takes; `json` (default) suits a relay. */
  encoding?: 'json' | 'form';
  /** Attempts before an entry is marked `dead` (default 10). */
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
  clock?: Clock;
  ids?: IdSource;
  fetch?: typeof fetch;
  meters?: FinOpsMeters;
}

/** The outcome of one dispatch round. */
export interface DispatchReport {
  claimed: number;
  delivered: number;
  retried: number;
  dead: number;
}

/** Delivers the billing outbox. */
export interface BillingDispatcher {
  /** Claims due entries and tries each once. */
  dispatchOnce(): Promise<DispatchReport>;
  /** Runs {@link BillingDispatcher.dispatchOnce} every `intervalMs` until {@link BillingDispatcher.stop}. */
  start(options?: { intervalMs?: number }): void;
  stop(): Promise<void>;
}

/**
 * The body Stripe's v1 API takes (`application/x-www-form-urlencoded`, nested keys in brackets).
 *
 * @example
 * ```ts
 * import { meterEventForm } from '@intelgraph/finops';
 * meterEventForm({ event_name: 'e', payload: { stripe_customer_id: 'cus_1', value: '3' }, identifier: 'run_1', timestamp: 1 });
 * // 'event_name=e&payload%5Bstripe_customer_id%5D=cus_1&payload%5Bvalue%5D=3&identifier=run_1&timestamp=1'
 * ```
 */
export function meterEventForm(event: MeterEvent): string {
  const p = new URLSearchParams();
  p.set('event_name', event.event_name);
  p.set('payload[stripe_customer_id]', event.payload.stripe_customer_id);
  p.set('payload[value]', event.payload.value);
  p.set('identifier', event.identifier);
  p.set('timestamp', String(event.timestamp));
  return p.toString();
}

/** Retry on timeouts, conflicts, rate limits and server errors; other 4xx answers will not change. */
const retryable = (status: number) =>
  status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;

/**
 * Creates a {@link BillingDispatcher}. Each entry is sent verbatim, with its stored `identifier` (also
 * as the `Idempotency-Key` header), so a retry is never a different event. A 2xx marks it delivered,
 * exactly once; retryable failures back off exponentially with a deterministic jitter; other 4xx answers
 * and exhausted attempts mark it `dead` for an operator (see the quota-breach runbook).
 *
 * @example
 * ```ts
 * import { createBillingDispatcher, createMemoryBillingOutbox } from '@intelgraph/finops';
 * const dispatcher = createBillingDispatcher({ outbox: createMemoryBillingOutbox(), url: 'https://billing-relay.internal/meter-events' });
 * await dispatcher.dispatchOnce(); // { claimed: 0, delivered: 0, retried: 0, dead: 0 }
 * ```
 */
export function createBillingDispatcher(options: BillingDispatcherOptions): BillingDispatcher {
  const { outbox, clock = systemClock, ids = randomIds, fetch: injected, meters, ...rest } = options;
  const o = parseInput(OptionsSchema, rest, 'billing dispatcher options');
  const doFetch = injected ?? globalThis.fetch;
  const maxAttempts = o.maxAttempts ?? 10;
  const base = o.baseBackoffMs ?? 1000;
  const cap = o.maxBackoffMs ?? 300_000;
  const encoding = o.encoding ?? 'json';
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;

  const backoff = (record: BillingOutboxRecord) => {
    const exp = Math.min(cap, base * 2 ** Math.min(30, record.attempts));
    // Jitter in [50 %, 100 %], derived from the identifier so runs are reproducible (no Math.random).
    const j = Number.parseInt(sha256Hex(`${record.event.identifier}:${record.attempts}`).slice(0, 8), 16);
    return Math.floor(exp * (0.5 + (j / 0xffffffff) * 0.5));
  };

  const send = async (
    record: BillingOutboxRecord,
  ): Promise<{ ok: true } | { ok: false; retry: boolean; error: string }> => {
    const body = encoding === 'form' ? meterEventForm(record.event) : JSON.stringify(record.event);
    try {
      const res = await doFetch(o.url, {
        method: 'POST',
        headers: {
          ...o.headers,
          'content-type': encoding === 'form' ? 'application/x-www-form-urlencoded' : 'application/json',
          'idempotency-key': record.event.identifier,
        },
        body,
        signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
      });
      const text = (await res.text()).slice(0, 500);
      if (res.ok) return { ok: true };
      return {
        ok: false,
        retry: retryable(res.status),
        error: `HTTP ${res.status}${text ? `: ${text}` : ''}`,
      };
    } catch (err) {
      return { ok: false, retry: true, error: err instanceof Error ? err.message : String(err) };
    }
  };

  const dispatchOnce = async (): Promise<DispatchReport> => {
    const leaseToken = ids.next('lease');
    const claim = await outbox.claim({
      now: clock.now(),
      limit: o.batchSize ?? 50,
      leaseMs: o.leaseMs ?? 30_000,
      leaseToken,
    });
    const report: DispatchReport = { claimed: claim.records.length, delivered: 0, retried: 0, dead: 0 };
    for (const record of claim.records) {
      const r = await send(record);
      if (r.ok) {
        if (await outbox.markDelivered(record.event.identifier, leaseToken, clock.now())) report.delivered++;
        continue;
      }
      const dead = !r.retry || record.attempts + 1 >= maxAttempts;
      const marked = await outbox.markFailed(record.event.identifier, leaseToken, {
        error: r.error,
        nextAttemptAt: clock.now() + backoff(record),
        dead,
      });
      if (marked) {
        if (dead) report.dead++;
        else report.retried++;
      }
    }
    meters?.recordBillingDispatch('delivered', report.delivered);
    meters?.recordBillingDispatch('retry', report.retried);
    meters?.recordBillingDispatch('dead', report.dead);
    return report;
  };

  return {
    dispatchOnce,
    start({ intervalMs = 1000 } = {}) {
      if (timer) return;
      const tick = () => {
        running = dispatchOnce()
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
  };
}
