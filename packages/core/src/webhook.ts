// One webhook sender for every notifier (finops quota alerts, governance review notifications): JSON POST,
// HMAC signature, delivery id as idempotency key, a timeout per attempt, no redirects, and retries with
// capped exponential backoff and jitter on network errors, 5xx and 429 (honouring Retry-After).
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { IntelGraphError } from './errors.js';
import type { JsonValue } from './json.js';
import { type RetryDecision, retry } from './retry.js';
import { parseInput } from './validation.js';

/** Options of {@link createWebhookSender}. */
export interface WebhookSenderOptions {
  /** Where deliveries are POSTed (`http:` or `https:`). Redirects are refused. */
  url: string;
  /** Extra headers, for example an API key. The sender's own headers win over these. */
  headers?: Record<string, string>;
  /** When set, each body is signed: `x-intelgraph-signature: sha256=<hex HMAC-SHA256 of the body>`. */
  secret?: string;
  /** Timeout of each attempt, in ms (default 5 000, at most 120 000). */
  timeoutMs?: number;
  /** Attempts per delivery, 1–10 (default 3; 1 disables retries). */
  attempts?: number;
  /** Backoff before the first retry, in ms (default 200), doubled per retry with jitter. */
  backoffMs?: number;
  /** Cap of the backoff, in ms (default 10 000); a `Retry-After` longer than this ends the retries. */
  maxBackoffMs?: number;
  /** Names the webhook in error messages (default `webhook`). */
  label?: string;
  /** The fetch implementation (default: the global `fetch`). */
  fetch?: typeof fetch;
  /** How to wait between attempts (default `setTimeout`); tests inject a fake. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1] (default `Math.random`). */
  random?: () => number;
  /** The current time in ms, to read a `Retry-After` date (default `Date.now`). */
  now?: () => number;
}

/** One delivery. */
export interface WebhookDelivery {
  /**
   * Stable id of the delivery (1–200 printable ASCII characters): sent as `idempotency-key` and
   * `x-intelgraph-delivery` on every attempt.
   */
  id: string;
  /** The JSON body. */
  body: JsonValue | object;
  /** Headers of this delivery (for example `x-intelgraph-event`). */
  headers?: Record<string, string>;
}

/** What a delivery that succeeded reports. */
export interface WebhookResult {
  /** The receiver's 2xx status. */
  status: number;
  /** Attempts it took (1 when the first one succeeded). */
  attempts: number;
}

/**
 * A configured webhook: `send` resolves on a 2xx answer and rejects with `UNAVAILABLE` otherwise
 * (`INVALID_INPUT` for a malformed delivery).
 */
export interface WebhookSender {
  send(delivery: WebhookDelivery): Promise<WebhookResult>;
}

const fn = <T>() => z.custom<T>((f) => typeof f === 'function');
const OptionsSchema = z
  .object({
    url: z.url({ protocol: /^https?$/u }),
    headers: z.record(z.string().min(1).max(100), z.string().max(4000)).optional(),
    secret: z.string().min(1).max(1000).optional(),
    timeoutMs: z.number().int().min(1).max(120_000).optional(),
    attempts: z.number().int().min(1).max(10).optional(),
    backoffMs: z.number().int().nonnegative().max(60_000).optional(),
    maxBackoffMs: z.number().int().nonnegative().max(300_000).optional(),
    label: z.string().min(1).max(100).optional(),
    fetch: fn<typeof fetch>().optional(),
    sleep: fn<(ms: number) => Promise<void>>().optional(),
    random: fn<() => number>().optional(),
    now: fn<() => number>().optional(),
  })
  .strict();

const DeliverySchema = z
  .object({
    id: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[\x21-\x7e]+$/u, 'must be printable ASCII without spaces'),
    body: z.unknown().refine((v) => v !== undefined, 'a JSON body is required'),
    headers: z.record(z.string().min(1).max(100), z.string().max(4000)).optional(),
  })
  .strict();

/** At most this much of a response body is read (to let the connection be reused); the rest is cancelled. */
const DRAIN_LIMIT = 64 * 1024;

/** One failed attempt, as the retry loop sees it. */
class AttemptFailure extends Error {
  constructor(
    message: string,
    readonly info: {
      status?: number;
      timedOut?: boolean;
      redirect?: boolean;
      retryAfterMs?: number;
      retryable: boolean;
    },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

async function drain(response: Response): Promise<void> {
  const reader = response.body?.getReader();
  if (!reader) return;
  try {
    let read = 0;
    while (read <= DRAIN_LIMIT) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // The answer is already known; a body that fails to drain only costs the connection.
  }
}

/**
 * Parses `Retry-After` (delta seconds or an HTTP date) into ms from now; `undefined` when absent or bad.
 *
 * @example
 * ```ts
 * import { parseRetryAfter } from '@intelgraph/core';
 * parseRetryAfter('120'); // 120000
 * parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', Date.UTC(2026, 9, 21, 7, 27)); // 60000
 * ```
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^\d{1,9}$/u.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const isRedirectError = (err: unknown): boolean =>
  err instanceof Error && err.cause instanceof Error && /redirect/iu.test(err.cause.message);

/**
 * A webhook sender: POSTs JSON with `content-type: application/json`, `idempotency-key` and
 * `x-intelgraph-delivery` set to the delivery id (the same on every attempt, so the receiver can drop
 * repeats), and `x-intelgraph-signature` when a secret is set. Each attempt has its own timeout; redirects
 * are refused (`redirect: 'error'`); response bodies are drained (up to 64 KiB) so connections are reused.
 * Network errors, timeouts, 5xx and 429 are retried with capped exponential backoff and jitter, never
 * sooner than `Retry-After`; other answers (other 4xx, 3xx, redirects) fail at once. Failure is
 * `UNAVAILABLE` with `details` `{ url, attempts, status?, timedOut, redirect, retryAfterMs?, lastError }`.
 * Bad options are `INVALID_INPUT`.
 *
 * @example
 * ```ts
 * import { createWebhookSender } from '@intelgraph/core';
 * const hook = createWebhookSender({ url: 'https://ops.example.com/hooks', secret: process.env.HOOK_SECRET, attempts: 3 });
 * await hook.send({ id: 'alert_1', body: { type: 'quota.threshold', used: 80 }, headers: { 'x-intelgraph-event': 'quota.threshold' } });
 * ```
 */
export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const o = parseInput(OptionsSchema, options, 'webhook options');
  const doFetch = o.fetch ?? globalThis.fetch;
  const timeoutMs = o.timeoutMs ?? 5_000;
  const attempts = o.attempts ?? 3;
  const maxBackoffMs = o.maxBackoffMs ?? 10_000;
  const label = o.label ?? 'webhook';
  // The URL without its query or credentials, for error details (a token in the query stays out of logs).
  const where = (() => {
    const u = new URL(o.url);
    return `${u.origin}${u.pathname}`;
  })();
  const now = o.now ?? Date.now;

  const attempt = async (body: string, headers: Record<string, string>): Promise<number> => {
    let response: Response;
    try {
      response = await doFetch(o.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      const redirect = isRedirectError(err);
      const message = timedOut
        ? `timed out after ${timeoutMs} ms`
        : redirect
          ? 'answered with a redirect (refused)'
          : `delivery failed: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`;
      throw new AttemptFailure(message, { timedOut, redirect, retryable: !redirect }, { cause: err });
    }
    await drain(response);
    if (response.ok) return response.status;
    const retryAfterMs =
      response.status === 429 || response.status === 503
        ? parseRetryAfter(response.headers.get('retry-after'), now())
        : undefined;
    throw new AttemptFailure(`answered ${response.status}`, {
      status: response.status,
      retryable: response.status === 429 || response.status >= 500,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  };

  return {
    async send(input) {
      const delivery = parseInput(DeliverySchema, input, 'webhook delivery');
      const body = JSON.stringify(delivery.body);
      const headers: Record<string, string> = {
        ...o.headers,
        ...delivery.headers,
        'content-type': 'application/json',
        'idempotency-key': delivery.id,
        'x-intelgraph-delivery': delivery.id,
      };
      if (o.secret) {
        headers['x-intelgraph-signature'] =
          `sha256=${createHmac('sha256', o.secret).update(body).digest('hex')}`;
      }
      let tries = 0;
      try {
        const status = await retry(
          (n) => {
            tries = n;
            return attempt(body, headers);
          },
          {
            attempts,
            baseMs: o.backoffMs ?? 200,
            maxMs: maxBackoffMs,
            ...(o.random ? { random: o.random } : {}),
            ...(o.sleep ? { sleep: o.sleep } : {}),
            isRetryable: (err): RetryDecision => {
              if (!(err instanceof AttemptFailure) || !err.info.retryable) return false;
              return err.info.retryAfterMs === undefined ? true : { afterMs: err.info.retryAfterMs };
            },
          },
        );
        return { status, attempts: tries };
      } catch (err) {
        const info = err instanceof AttemptFailure ? err.info : { retryable: false };
        const lastError = err instanceof Error ? err.message : String(err);
        throw new IntelGraphError(
          'UNAVAILABLE',
          `${label} ${lastError}${tries > 1 ? ` (after ${tries} attempts)` : ''}`,
          {
            details: {
              url: where,
              attempts: tries,
              ...(info.status === undefined ? {} : { status: info.status }),
              timedOut: info.timedOut ?? false,
              redirect: info.redirect ?? false,
              ...(info.retryAfterMs === undefined ? {} : { retryAfterMs: info.retryAfterMs }),
              lastError,
            },
            cause: err instanceof AttemptFailure && err.cause !== undefined ? err.cause : err,
          },
        );
      }
    },
  };
}
