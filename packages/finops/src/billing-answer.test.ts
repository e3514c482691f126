import { describe, expect, it } from 'vitest';
import {
  isDuplicateIdentifier,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  readStripeAnswer,
} from './billing-answer.js';
import { preflightMeterEvent } from './billing-preflight.js';

const NOW = Date.UTC(2026, 0, 1);

describe('readStripeAnswer', () => {
  it('network errors keep the key; unreadable answers and 5xx take a fresh one', () => {
    expect(readStripeAnswer({ type: 'StripeConnectionError', message: 'socket hang up' }, NOW).kind).toBe(
      'network',
    );
    expect(readStripeAnswer(new Error('ECONNRESET'), NOW).kind).toBe('network');
    expect(readStripeAnswer({ type: 'StripeAPIError', message: 'Invalid JSON received' }, NOW).kind).toBe(
      'server_error',
    );
    const a = readStripeAnswer({ statusCode: 503, message: 'x', headers: { 'retry-after': '9' } }, NOW);
    expect(a).toMatchObject({ kind: 'server_error', retryAfterMs: 9000 });
  });

  it('reads the duplicate identifier from the code or the message, and only on a 400', () => {
    expect(readStripeAnswer({ statusCode: 400, code: 'duplicate_meter_event', message: 'x' }, NOW).kind).toBe(
      'already_billed',
    );
    expect(
      readStripeAnswer({ statusCode: 400, message: 'An event already exists with identifier run_1.' }, NOW)
        .kind,
    ).toBe('already_billed');
    expect(isDuplicateIdentifier({ statusCode: 409, code: 'duplicate_meter_event' })).toBe(false);
    expect(
      isDuplicateIdentifier({ statusCode: 400, code: 'resource_missing', message: 'No such customer' }),
    ).toBe(false);
  });

  it('401/403 pause, 429 backs off with its headers, other 4xx are rejected with code and message', () => {
    expect(readStripeAnswer({ statusCode: 401, message: 'Invalid API Key provided' }, NOW)).toMatchObject({
      kind: 'auth',
      status: 401,
    });
    expect(readStripeAnswer({ statusCode: 403, message: 'no permission' }, NOW)).toMatchObject({
      status: 403,
    });
    expect(
      readStripeAnswer(
        { statusCode: 429, message: 'rate', headers: { 'retry-after': '3', 'stripe-should-retry': 'false' } },
        NOW,
      ),
    ).toMatchObject({ kind: 'rate_limited', retryAfterMs: 3000, shouldRetry: false });
    const r = readStripeAnswer(
      {
        statusCode: 400,
        rawType: 'invalid_request_error',
        code: 'resource_missing',
        message: 'No such meter',
      },
      NOW,
    );
    expect(r.kind).toBe('rejected');
    expect(r.detail).toContain('resource_missing');
    expect(r.detail).toContain('No such meter');
  });

  it('idempotency errors take a fresh key; 409 and Stripe-Should-Retry: true retry', () => {
    expect(
      readStripeAnswer({ statusCode: 400, rawType: 'idempotency_error', message: 'Keys…' }, NOW).kind,
    ).toBe('key_mismatch');
    expect(
      readStripeAnswer({ statusCode: 409, code: 'idempotency_key_in_use', message: 'in use' }, NOW),
    ).toMatchObject({
      kind: 'conflict',
      freshKey: false,
      inFlight: true,
    });
    expect(
      readStripeAnswer({ statusCode: 400, message: 'lock', headers: { 'stripe-should-retry': 'true' } }, NOW)
        .kind,
    ).toBe('conflict');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, caps them, and ignores garbage', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter(new Date(NOW + 12_000).toUTCString(), NOW)).toBe(12_000);
    expect(parseRetryAfter(new Date(NOW - 12_000).toUTCString(), NOW)).toBe(0);
    expect(parseRetryAfter('99999999', NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter('soon', NOW)).toBeNull();
    expect(parseRetryAfter(undefined, NOW)).toBeNull();
  });
});

describe('preflightMeterEvent', () => {
  const ev = (value: string, timestamp = Math.floor(NOW / 1000), identifier = 'run_1') => ({
    event_name: 'intelgraph_plugin_cost',
    payload: { stripe_customer_id: 'cus_1', value },
    identifier,
    timestamp,
  });
  it('skips zero quantities and refuses what Stripe would refuse, before any call', () => {
    expect(preflightMeterEvent(ev('5'), NOW)).toEqual({ ok: true });
    expect(preflightMeterEvent(ev('0'), NOW)).toEqual({ ok: false, outcome: 'zero_quantity' });
    expect(preflightMeterEvent(ev('000'), NOW)).toEqual({ ok: false, outcome: 'zero_quantity' });
    expect(preflightMeterEvent(ev('1.5'), NOW)).toMatchObject({ outcome: 'invalid_event' });
    expect(preflightMeterEvent(ev('-3'), NOW)).toMatchObject({ outcome: 'invalid_event' });
    expect(preflightMeterEvent(ev('5', undefined, 'x'.repeat(101)), NOW)).toMatchObject({
      outcome: 'invalid_event',
    });
    const day = 86_400;
    const now = Math.floor(NOW / 1000);
    expect(preflightMeterEvent(ev('5', now - 35 * day), NOW)).toEqual({ ok: true });
    expect(preflightMeterEvent(ev('5', now - 35 * day - 1), NOW)).toMatchObject({
      outcome: 'outside_window',
    });
    expect(preflightMeterEvent(ev('5', now + 300), NOW)).toEqual({ ok: true });
    expect(preflightMeterEvent(ev('5', now + 301), NOW)).toMatchObject({ outcome: 'outside_window' });
  });
});
