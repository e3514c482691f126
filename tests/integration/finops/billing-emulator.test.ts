// The Stripe emulator itself, checked with raw HTTP against the documented v1 behaviour of
// POST /v1/billing/meter_events, so the delivery tests rest on a faithful stand-in.
import { createManualClock } from '@intelgraph/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStripeEmulator, EMULATOR_KEY, type StripeEmulator } from '../../support/stripe-emulator.js';

const T0 = Date.UTC(2026, 8, 1);
const HOUR = 3_600_000;

describe('Stripe emulator: POST /v1/billing/meter_events', () => {
  const clock = createManualClock(T0);
  let stripe: StripeEmulator;
  beforeEach(async () => {
    stripe = createStripeEmulator({ now: () => clock.now() });
    await stripe.start();
  });
  afterEach(() => stripe.stop());

  const form = (identifier: string, o: { value?: string; at?: number } = {}) =>
    new URLSearchParams({
      event_name: 'intelgraph_plugin_cost',
      'payload[stripe_customer_id]': 'cus_1',
      'payload[value]': o.value ?? '5',
      identifier,
      timestamp: String(Math.floor((o.at ?? clock.now()) / 1000)),
    }).toString();
  const post = async (body: string, headers: Record<string, string> = {}) => {
    const res = await fetch(stripe.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${EMULATOR_KEY}`,
        'content-type': 'application/x-www-form-urlencoded',
        ...headers,
      },
      body,
    });
    return {
      status: res.status,
      headers: res.headers,
      body: (await res.json()) as { error?: { type?: string; code?: string; message?: string } } & Record<
        string,
        unknown
      >,
    };
  };

  it('takes form bodies only, and answers a JSON body with 400 like Stripe', async () => {
    const json = await post(JSON.stringify({ event_name: 'x', identifier: 'j1' }), {
      'content-type': 'application/json',
    });
    expect(json.status).toBe(400);
    expect(json.body.error?.message).toContain('application/x-www-form-urlencoded');
    const ok = await post(form('f1'));
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      object: 'billing.meter_event',
      identifier: 'f1',
      payload: { value: '5' },
    });
    expect(stripe.billedCount('f1')).toBe(1);
    expect(stripe.billedCount('j1')).toBe(0);
  });

  it('saves and replays results under an idempotency key for 24 hours, 500s included', async () => {
    const at = clock.now();
    stripe.script([{ kind: 'server_error' }]);
    const first = await post(form('i1', { at }), { 'idempotency-key': 'k1' });
    expect(first.status).toBe(500);
    expect(first.headers.get('stripe-should-retry')).toBe('false');
    clock.advance(23 * HOUR);
    const replay = await post(form('i1', { at }), { 'idempotency-key': 'k1' });
    expect(replay.status).toBe(500);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(stripe.billedCount('i1')).toBe(0);
    // Another key runs the request.
    expect((await post(form('i1', { at }), { 'idempotency-key': 'k2' })).status).toBe(200);
    // The same key with other parameters is an idempotency error.
    const other = await post(form('i1', { value: '6', at }), { 'idempotency-key': 'k2' });
    expect(other.status).toBe(400);
    expect(other.body.error?.type).toBe('idempotency_error');
    // After 24 hours the key is forgotten.
    clock.advance(25 * HOUR);
    const late = await post(form('i9'), { 'idempotency-key': 'k1' });
    expect(late.status).toBe(200);
  });

  it('keeps identifiers unique for 24 hours: a repeat is a 400 naming the identifier', async () => {
    expect((await post(form('u1'))).status).toBe(200);
    const dup = await post(form('u1'));
    expect(dup.status).toBe(400);
    expect(dup.body.error?.message).toContain('already exists with identifier u1');
    expect(stripe.billedCount('u1')).toBe(1);
    clock.advance(25 * HOUR);
    expect((await post(form('u1'))).status).toBe(200);
    expect(stripe.billedCount('u1')).toBe(2); // what a too-late retry does: billed twice
  });

  it('refuses timestamps older than 35 days or more than 5 minutes ahead, and saves nothing', async () => {
    const old = await post(form('t1', { at: clock.now() - 36 * 24 * HOUR }), { 'idempotency-key': 'kt' });
    expect(old.status).toBe(400);
    expect(old.body.error).toMatchObject({ param: 'timestamp' });
    expect((await post(form('t2', { at: clock.now() + 6 * 60_000 }))).status).toBe(400);
    expect((await post(form('t3', { at: clock.now() + 4 * 60_000 }))).status).toBe(200);
    // Validation failures are not saved under the key: the same key may be used again.
    expect((await post(form('t1'), { 'idempotency-key': 'kt' })).status).toBe(200);
  });

  it('answers 401 for an unknown key and 429 with Retry-After and Stripe-Should-Retry', async () => {
    const bad = await post(form('a1'), { authorization: 'Bearer sk_test_nope_1234' });
    expect(bad.status).toBe(401);
    expect(bad.body.error?.message).toContain('Invalid API Key');
    expect(bad.body.error?.message).not.toContain('sk_test_nope_1234');
    stripe.script([{ kind: 'rate_limit', retryAfter: '2', shouldRetry: true }]);
    const limited = await post(form('a1'), { 'idempotency-key': 'ka' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(limited.headers.get('stripe-should-retry')).toBe('true');
    // A 429 never started executing: the key is free.
    expect((await post(form('a1'), { 'idempotency-key': 'ka' })).status).toBe(200);
  });
});
