/**
 * What one answer from Stripe means for an outbox entry, per Stripe's documentation of idempotent
 * requests and error handling:
 * - `network`: no answer (connection error, timeout). The request may have run: retry with the SAME key,
 *   so Stripe replays its saved result instead of running it again.
 * - `server_error`: a 5xx, or an answer that is not Stripe's JSON. Stripe saves and replays a 5xx under
 *   its key for 24 hours, so retry with a FRESH key; the body's `identifier` prevents double billing.
 * - `conflict`: 409, or a 4xx with `Stripe-Should-Retry: true` (lock timeouts, a concurrent request under
 *   the same key): nothing was saved, retry with the same key.
 * - `key_mismatch`: Stripe saved other parameters under this key (an `idempotency_error`): a fresh key.
 * - `already_billed`: Stripe already has this `identifier`: the usage is billed, the entry is delivered.
 * - `auth`: 401/403: pause all delivery until the credentials change.
 * - `rate_limited`: 429: the whole dispatcher backs off.
 * - `rejected`: any other 4xx will not change: dead, with Stripe's code and message.
 */
export type StripeAnswer =
  | { kind: 'network'; detail: string }
  | { kind: 'server_error'; detail: string; retryAfterMs: number | null }
  | {
      kind: 'conflict';
      detail: string;
      retryAfterMs: number | null;
      freshKey: boolean;
      /** Another request under the same key was still running (`idempotency_key_in_use`): it may bill. */
      inFlight: boolean;
    }
  | { kind: 'key_mismatch'; detail: string }
  | { kind: 'already_billed'; detail: string }
  | { kind: 'auth'; status: 401 | 403; code: string | null; detail: string }
  | { kind: 'rate_limited'; detail: string; retryAfterMs: number | null; shouldRetry: boolean | null }
  | { kind: 'rejected'; detail: string };

/** The fields of a Stripe SDK error the dispatcher reads (`Stripe.errors.StripeError`). */
export interface StripeErrorFields {
  /** The SDK's class name, e.g. `StripeConnectionError`. */
  type?: string;
  statusCode?: number;
  /** Stripe's error `type`, e.g. `invalid_request_error`, `idempotency_error`. */
  rawType?: string;
  code?: string;
  message?: string;
  requestId?: string;
  headers?: Record<string, string | string[] | undefined>;
}

/**
 * Longest wait taken from a `Retry-After` header (an hour), whatever the header says.
 *
 * @example
 * ```ts
 * import { MAX_RETRY_AFTER_MS, parseRetryAfter } from '@intelgraph/finops';
 * parseRetryAfter('86400', 0) === MAX_RETRY_AFTER_MS; // true
 * ```
 */
export const MAX_RETRY_AFTER_MS = 3_600_000;

const header = (h: StripeErrorFields['headers'], name: string): string | undefined => {
  const v = h?.[name] ?? h?.[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Parses `Retry-After` (delta-seconds or an HTTP date) into milliseconds from `nowMs`, capped at
 * {@link MAX_RETRY_AFTER_MS}; `null` when absent or unreadable.
 *
 * @example
 * ```ts
 * import { parseRetryAfter } from '@intelgraph/finops';
 * parseRetryAfter('7', 0); // 7000
 * parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', Date.UTC(2026, 0, 1)); // 30000
 * ```
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | null {
  if (value === undefined) return null;
  const v = value.trim();
  let ms: number;
  if (/^[0-9]{1,10}$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    if (!Number.isFinite(at)) return null;
    ms = at - nowMs;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

/**
 * True when a 400 says the meter event's `identifier` was already recorded. Stripe's v2 API documents
 * the code `duplicate_meter_event` ("A meter event with a duplicate identifier has already been
 * submitted"); v1 answers have been seen with that refusal in the message only, so both are read.
 *
 * @example
 * ```ts
 * import { isDuplicateIdentifier } from '@intelgraph/finops';
 * isDuplicateIdentifier({ statusCode: 400, message: 'An event already exists with identifier run_1.' }); // true
 * isDuplicateIdentifier({ statusCode: 400, code: 'resource_missing', message: 'No such customer' }); // false
 * ```
 */
export function isDuplicateIdentifier(e: StripeErrorFields): boolean {
  if (e.statusCode !== 400) return false;
  if (e.code === 'duplicate_meter_event') return true;
  return /already exists with identifier|duplicate identifier|identifier .*already (been )?(submitted|exists)/i.test(
    e.message ?? '',
  );
}

const describe = (e: StripeErrorFields): string => {
  const status = e.statusCode === undefined ? 'no status' : `HTTP ${e.statusCode}`;
  const kind = [e.rawType, e.code].filter(Boolean).join('/');
  const req = e.requestId ? ` (request ${e.requestId})` : '';
  return `${status}${kind ? ` ${kind}` : ''}: ${e.message ?? 'no message'}${req}`.slice(0, 1000);
};

/**
 * Reads an error thrown by `stripe.billing.meterEvents.create` (see {@link StripeAnswer}).
 *
 * @example
 * ```ts
 * import { readStripeAnswer } from '@intelgraph/finops';
 * readStripeAnswer({ statusCode: 500, message: 'boom' }, Date.now()).kind; // 'server_error'
 * readStripeAnswer({ type: 'StripeConnectionError', message: 'socket hang up' }, Date.now()).kind; // 'network'
 * ```
 */
export function readStripeAnswer(error: unknown, nowMs: number): StripeAnswer {
  const e: StripeErrorFields =
    typeof error === 'object' && error !== null ? (error as StripeErrorFields) : { message: String(error) };
  const detail = describe(e);
  const status = e.statusCode;
  if (status === undefined) {
    // The SDK throws StripeConnectionError for refused/dropped connections and timeouts; any other
    // status-less StripeError came back unreadable from the far side (a proxy's HTML 502), so it ran or not.
    if (e.type && e.type !== 'StripeConnectionError' && e.type.startsWith('Stripe')) {
      return { kind: 'server_error', detail, retryAfterMs: null };
    }
    return { kind: 'network', detail };
  }
  const shouldRetryHeader = header(e.headers, 'stripe-should-retry');
  const shouldRetry = shouldRetryHeader === 'true' ? true : shouldRetryHeader === 'false' ? false : null;
  const retryAfterMs = parseRetryAfter(header(e.headers, 'retry-after'), nowMs);
  if (status === 401 || status === 403) return { kind: 'auth', status, code: e.code ?? null, detail };
  if (status === 429) return { kind: 'rate_limited', detail, retryAfterMs, shouldRetry };
  if (status >= 500) return { kind: 'server_error', detail, retryAfterMs };
  if (isDuplicateIdentifier(e)) return { kind: 'already_billed', detail };
  if (status === 409) {
    const inFlight = e.code === 'idempotency_key_in_use' || e.rawType === 'idempotency_error';
    return { kind: 'conflict', detail, retryAfterMs, freshKey: shouldRetry === false, inFlight };
  }
  if (e.rawType === 'idempotency_error') return { kind: 'key_mismatch', detail };
  if (shouldRetry === true)
    return { kind: 'conflict', detail, retryAfterMs, freshKey: false, inFlight: false };
  return { kind: 'rejected', detail };
}
