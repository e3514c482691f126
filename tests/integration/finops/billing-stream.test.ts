// The optional v2 transport: Stripe's meter event stream (sessions, up to 100 events a request), behind
// the same outbox and rules, against the same Stripe emulator. Stream events are de-duplicated on their
// identifier after the answer, so re-sending a batch after a lost answer never bills twice.
import { createPgBillingOutbox } from '@intelgraph/adapters/postgres';
import { type BillingOutbox, createManualClock, type ManualClock, sequentialIds } from '@intelgraph/core';
import {
  type BillingDispatcher,
  type BillingDispatcherOptions,
  createBillingDispatcher,
  createMemoryBillingOutbox,
  STRIPE_API_VERSION,
} from '@intelgraph/finops';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestPostgres } from '../../support/sql.js';
import { createStripeEmulator, EMULATOR_KEY, type StripeEmulator } from '../../support/stripe-emulator.js';

const T0 = Date.UTC(2026, 9, 1);
const STREAM = '/v2/billing/meter_event_stream';
const SESSION = '/v2/billing/meter_event_session';

const outboxes: { name: string; open(): Promise<{ outbox: BillingOutbox; close(): Promise<void> }> }[] = [
  { name: 'memory', open: async () => ({ outbox: createMemoryBillingOutbox(), close: async () => {} }) },
  {
    name: 'postgres',
    async open() {
      const { db, close } = await openTestPostgres();
      return { outbox: createPgBillingOutbox(db), close };
    },
  },
];

describe.each(outboxes)('billing over the v2 meter event stream ($name outbox)', ({ open }) => {
  let outbox: BillingOutbox;
  let close: () => Promise<void>;
  let clock: ManualClock;
  let stripe: StripeEmulator;

  beforeEach(async () => {
    ({ outbox, close } = await open());
    clock = createManualClock(T0);
    stripe = createStripeEmulator({ now: () => clock.now() });
    await stripe.start();
  });
  afterEach(async () => {
    await stripe.stop();
    await close();
  });

  const dispatcher = (o: Partial<BillingDispatcherOptions> = {}): BillingDispatcher =>
    createBillingDispatcher({
      outbox,
      apiKey: EMULATOR_KEY,
      ...stripe.endpoint,
      transport: 'v2_stream',
      clock,
      ids: sequentialIds(),
      batchSize: 200,
      timeoutMs: 1000,
      maxBackoffMs: 60_000,
      ...o,
    });
  const append = async (n: number, prefix = 'run') => {
    const ids = Array.from({ length: n }, (_, i) => `${prefix}_${i}`);
    await outbox.append(
      ids.map((id, i) => ({
        event: {
          event_name: 'intelgraph_plugin_cost',
          payload: { stripe_customer_id: `cus_${i % 7}`, value: String(i + 1) },
          identifier: id,
          timestamp: Math.floor(clock.now() / 1000),
        },
        org: 'acme',
        plugin: 'p',
        runId: id,
        createdAt: clock.now(),
      })),
    );
    return ids;
  };
  const drain = async (d: BillingDispatcher) => {
    for (let i = 0; i < 20 && (await outbox.counts()).pending > 0; i++) {
      await d.dispatchOnce();
      clock.advance(61_000);
    }
  };
  const expectBilledOnce = async (ids: readonly string[]) => {
    for (const id of ids) expect(stripe.billedCount(id), id).toBe(1);
    expect(await outbox.counts()).toMatchObject({ pending: 0, delivered: ids.length, dead: 0 });
  };

  it('sends batches of up to 100 events as JSON under one session, at the pinned API version', async () => {
    const ids = await append(150);
    expect(await dispatcher().dispatchOnce()).toMatchObject({ claimed: 150, delivered: 150 });
    await expectBilledOnce(ids);
    const streams = stripe.requests.filter((q) => q.path === STREAM);
    expect(streams.map((q) => q.events)).toEqual([100, 50]);
    expect(streams.every((q) => q.contentType?.startsWith('application/json'))).toBe(true);
    expect(stripe.requests.every((q) => q.apiVersion === STRIPE_API_VERSION)).toBe(true);
    expect(stripe.requests.filter((q) => q.path === SESSION)).toHaveLength(1);
  });

  it('renews the session when it expires', async () => {
    const d = dispatcher();
    const first = await append(5, 'a');
    await d.dispatchOnce();
    clock.advance(16 * 60_000);
    const second = await append(5, 'b');
    await d.dispatchOnce();
    await expectBilledOnce([...first, ...second]);
    expect(stripe.requests.filter((q) => q.path === SESSION)).toHaveLength(2);
  });

  it('a batch whose answer was lost, or that failed after processing, is re-sent and de-duplicated', async () => {
    const ids = await append(30);
    stripe.script([
      { kind: 'drop', afterBilling: true },
      { kind: 'drop' },
      { kind: 'server_error', afterBilling: true },
      { kind: 'rate_limit', retryAfter: '10' },
    ]);
    const d = dispatcher({ batchSize: 30 });
    expect(await d.dispatchOnce()).toMatchObject({ retried: 30, delivered: 0 });
    await drain(d);
    await expectBilledOnce(ids);
    // Re-sent twice after the first (billed) send: after the 500 that came after processing, and at last.
    expect(stripe.asyncErrors.filter((e) => e.code === 'duplicate_meter_event')).toHaveLength(60);
  });

  it('a wrong key pauses the stream until it changes', async () => {
    const ids = await append(4);
    let key = 'sk_test_wrong_0001';
    const d = dispatcher({ apiKey: () => key });
    expect(await d.dispatchOnce()).toMatchObject({ paused: true, released: 4 });
    key = EMULATOR_KEY;
    await drain(d);
    await expectBilledOnce(ids);
  });
});
