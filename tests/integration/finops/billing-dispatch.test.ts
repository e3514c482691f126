// Billing delivery through Stripe's SDK against the local Stripe emulator, over the in-memory and the
// PostgreSQL outbox. For each failure sequence the ground truth is the emulator's count of billed
// identifiers: each run billed exactly once, nothing dead that was billed, nothing billed twice.
import { createPgBillingOutbox } from '@intelgraph/adapters/postgres';
import {
  type BillingEventInput,
  type BillingOutbox,
  createManualClock,
  type ManualClock,
  sequentialIds,
} from '@intelgraph/core';
import {
  type BillingDeliveryAlert,
  type BillingDispatcher,
  type BillingDispatcherOptions,
  buildMeterEvents,
  createBillingDispatcher,
  createMemoryBillingOutbox,
  STRIPE_API_VERSION,
} from '@intelgraph/finops';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestPostgres } from '../../support/sql.js';
import { createStripeEmulator, EMULATOR_KEY, type StripeEmulator } from '../../support/stripe-emulator.js';

const T0 = Date.UTC(2026, 6, 1);
const DAY = 86_400_000;

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

const event = (runId: string, at: number, value = 7): BillingEventInput => ({
  event: {
    event_name: 'intelgraph_plugin_cost',
    payload: { stripe_customer_id: 'cus_acme', value: String(value) },
    identifier: runId,
    timestamp: Math.floor(at / 1000),
  },
  org: 'acme',
  plugin: 'sample-enricher',
  runId,
  createdAt: at,
});

describe.each(outboxes)('billing delivery to the Stripe emulator over the $name outbox', ({ open }) => {
  let outbox: BillingOutbox;
  let close: () => Promise<void>;
  let clock: ManualClock;
  let stripe: StripeEmulator;
  let alerts: BillingDeliveryAlert[];

  beforeEach(async () => {
    ({ outbox, close } = await open());
    clock = createManualClock(T0);
    stripe = createStripeEmulator({ now: () => clock.now() });
    await stripe.start();
    alerts = [];
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
      clock,
      ids: sequentialIds(),
      baseBackoffMs: 1000,
      maxBackoffMs: 60_000,
      batchSize: 10,
      timeoutMs: 1000,
      onAlert: (a) => {
        alerts.push(a);
      },
      ...o,
    });

  const append = async (n: number, prefix = 'run') => {
    const ids = Array.from({ length: n }, (_, i) => `${prefix}_${i}`);
    await outbox.append(ids.map((id) => event(id, clock.now())));
    return ids;
  };

  /** Runs rounds, advancing the fake clock past any backoff, until nothing is pending. */
  const drain = async (d: BillingDispatcher, maxRounds = 30) => {
    for (let i = 0; i < maxRounds; i++) {
      await d.dispatchOnce();
      if ((await outbox.counts()).pending === 0) return;
      clock.advance(61_000);
    }
  };

  /** The proof: every identifier billed exactly once, delivered, and nothing billed is dead. */
  const expectBilledOnce = async (ids: readonly string[]) => {
    for (const id of ids) expect(stripe.billedCount(id), id).toBe(1);
    expect([...stripe.billed().values()].every((n) => n === 1)).toBe(true);
    for (const d of await outbox.list({ status: 'dead' }))
      expect(stripe.billedCount(d.event.identifier)).toBe(0);
    const delivered = await outbox.list({ status: 'delivered' });
    expect(new Set(delivered.map((r) => r.event.identifier))).toEqual(new Set(ids));
  };

  it('sends each event form-encoded through the SDK at the pinned API version, under its identifier', async () => {
    const ids = await append(3);
    const r = await dispatcher().dispatchOnce();
    expect(r).toMatchObject({
      claimed: 3,
      delivered: 3,
      alreadyBilled: 0,
      retried: 0,
      dead: 0,
      paused: false,
    });
    await expectBilledOnce(ids);
    expect(STRIPE_API_VERSION).toBe('2026-07-29.dahlia');
    for (const req of stripe.requests) {
      expect(req.contentType).toBe('application/x-www-form-urlencoded');
      expect(req.apiVersion).toBe(STRIPE_API_VERSION);
      expect(req.idempotencyKey).toBe(req.identifier);
      expect(req.status).toBe(200);
    }
    expect(await outbox.get('run_0')).toMatchObject({ status: 'delivered', outcome: 'billed', attempts: 1 });
    expect((await dispatcher().dispatchOnce()).claimed).toBe(0);
  });

  it('network error or timeout: retries with the same key; a request that ran is replayed, not re-billed', async () => {
    const ids = await append(4);
    // The SDK itself re-sends once, at once and under the same key, when a connection is reset; the
    // second drop reaches the dispatcher.
    stripe.script([{ kind: 'drop' }, { kind: 'drop' }], { identifier: 'run_0' });
    stripe.script([{ kind: 'drop', afterBilling: true }, { kind: 'drop' }], { identifier: 'run_1' });
    stripe.script([{ kind: 'hang', afterBilling: true }], { identifier: 'run_2' });
    stripe.script([{ kind: 'hang' }], { identifier: 'run_3' });
    const d = dispatcher({ timeoutMs: 300 });
    expect(await d.dispatchOnce()).toMatchObject({ claimed: 4, delivered: 0, retried: 4, dead: 0 });
    expect(stripe.billedCount('run_1')).toBe(1); // ran, answer lost
    await drain(d);
    await expectBilledOnce(ids);
    for (const id of ids) {
      const keys = stripe.requests.filter((q) => q.identifier === id).map((q) => q.idempotencyKey);
      expect(keys.length).toBeGreaterThanOrEqual(2);
      expect(keys.every((k) => k === id)).toBe(true); // the same key every time
      expect(await outbox.get(id)).toMatchObject({
        status: 'delivered',
        outcome: 'billed',
        uncertainSince: T0,
      });
    }
    // The retries of the requests that had run were answered from Stripe's saved result.
    expect(
      stripe.requests
        .filter((q) => q.replayed)
        .map((q) => q.identifier)
        .sort(),
    ).toEqual(['run_1', 'run_2']);
  });

  it('5xx: retries with a fresh key (a saved 500 would replay); the identifier prevents double billing', async () => {
    const ids = await append(3);
    stripe.script([{ kind: 'server_error' }], { identifier: 'run_0' }); // failed before recording
    stripe.script([{ kind: 'server_error', afterBilling: true }], { identifier: 'run_1' }); // recorded, then 500
    stripe.script(
      [
        { kind: 'server_error', status: 503 },
        { kind: 'server_error', afterBilling: true },
      ],
      {
        identifier: 'run_2',
      },
    );
    const d = dispatcher();
    await drain(d);
    await expectBilledOnce(ids);
    for (const id of ids) {
      const keys = stripe.requests.filter((q) => q.identifier === id).map((q) => q.idempotencyKey);
      expect(new Set(keys).size).toBe(keys.length); // never the same key after a 5xx
      expect(keys[0]).toBe(id);
    }
    expect(await outbox.get('run_0')).toMatchObject({ outcome: 'billed', attempts: 2 });
    expect(await outbox.get('run_1')).toMatchObject({ outcome: 'already_billed', attempts: 2 });
    expect(await outbox.get('run_2')).toMatchObject({ outcome: 'already_billed', attempts: 3 });
    // The first key of run_0 still replays its 500 for 24 hours: reusing it would never deliver.
    const replay = await fetch(stripe.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${EMULATOR_KEY}`,
        'content-type': 'application/x-www-form-urlencoded',
        'idempotency-key': 'run_0',
      },
      body: formOf('run_0', T0),
    });
    expect(replay.status).toBe(500);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });

  it('duplicate identifier (in the message, or as duplicate_meter_event): delivered as already billed, never dead', async () => {
    await stripe.stop();
    for (const duplicateCode of [undefined, 'duplicate_meter_event']) {
      stripe = createStripeEmulator({ now: () => clock.now(), ...(duplicateCode ? { duplicateCode } : {}) });
      await stripe.start();
      const [id] = await append(1, `dup_${duplicateCode ?? 'message'}`);
      // Stripe already has it (billed by an earlier delivery whose outcome was lost).
      const first = await fetch(stripe.url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${EMULATOR_KEY}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: formOf(id!, clock.now()),
      });
      expect(first.status).toBe(200);
      const r = await dispatcher().dispatchOnce();
      expect(r).toMatchObject({ delivered: 1, alreadyBilled: 1, dead: 0 });
      expect(await outbox.get(id!)).toMatchObject({ status: 'delivered', outcome: 'already_billed' });
      expect(stripe.billedCount(id!)).toBe(1);
      await stripe.stop();
    }
    await stripe.start();
  });

  it('401: pauses all delivery with an alert, sends nothing more, and resumes when the key changes', async () => {
    const ids = await append(5);
    let key = 'sk_test_wrong_key_9999';
    const d = dispatcher({ apiKey: () => key });
    const r = await d.dispatchOnce();
    expect(r).toMatchObject({ claimed: 5, delivered: 0, dead: 0, retried: 0, released: 5, paused: true });
    expect(stripe.requests).toHaveLength(1); // the batch stopped at the first 401
    expect(alerts).toMatchObject([
      { kind: 'billing.delivery_paused', reason: 'authentication', keyHint: '…9999' },
    ]);
    expect(JSON.stringify(alerts)).not.toContain('sk_test_wrong_key');
    expect(d.status()).toMatchObject({ state: 'paused', paused: { reason: 'authentication' } });
    // Nothing is lost or counted against the entries.
    for (const rec of await outbox.list()) expect(rec).toMatchObject({ status: 'pending', attempts: 0 });
    for (let i = 0; i < 3; i++) {
      clock.advance(61_000);
      expect(await d.dispatchOnce()).toMatchObject({ claimed: 0, paused: true });
    }
    expect(stripe.requests).toHaveLength(1);
    key = EMULATOR_KEY; // the credentials change
    await drain(d);
    expect(alerts.map((a) => a.kind)).toEqual(['billing.delivery_paused', 'billing.delivery_resumed']);
    await expectBilledOnce(ids);
  });

  it('403: pauses until the key is rotated (or an operator resumes it)', async () => {
    await stripe.stop();
    stripe = createStripeEmulator({ now: () => clock.now(), forbiddenKeys: ['rk_test_readonly_0403'] });
    await stripe.start();
    const ids = await append(3);
    const d = dispatcher({ apiKey: 'rk_test_readonly_0403' });
    expect(await d.dispatchOnce()).toMatchObject({ paused: true, released: 3 });
    expect(d.status().paused).toMatchObject({ reason: 'permission' });
    d.rotateApiKey(EMULATOR_KEY);
    expect(d.status().state).toBe('running');
    await drain(d);
    await expectBilledOnce(ids);
  });

  it('429: backs off the whole dispatcher (Retry-After, Stripe-Should-Retry) and stops the batch', async () => {
    const ids = await append(6);
    stripe.script([{ kind: 'rate_limit', retryAfter: '30', shouldRetry: true }]);
    const d = dispatcher();
    const r = await d.dispatchOnce();
    expect(r).toMatchObject({ claimed: 6, delivered: 0, released: 6, backoffUntil: T0 + 30_000 });
    expect(stripe.requests).toHaveLength(1);
    clock.advance(29_000);
    expect(await d.dispatchOnce()).toMatchObject({ claimed: 0, backoffUntil: T0 + 30_000 });
    expect(stripe.requests).toHaveLength(1);
    clock.advance(1_000);
    // Stripe-Should-Retry: false (and no Retry-After): the longest regular backoff.
    stripe.script([{ kind: 'rate_limit', shouldRetry: false }]);
    const r2 = await d.dispatchOnce();
    expect(r2.backoffUntil).toBe(clock.now() + 60_000);
    expect(r2.released).toBe(6);
    await drain(d);
    await expectBilledOnce(ids);
    for (const rec of await outbox.list()) expect(rec.attempts).toBe(1); // 429s are not the entries' fault
  });

  it("other 400: dead with Stripe's code and message; a re-queue sends it again under a fresh key", async () => {
    const ids = await append(2);
    stripe.script([{ kind: 'reject', code: 'resource_missing', message: "No such customer: 'cus_acme'" }], {
      identifier: 'run_0',
    });
    const d = dispatcher();
    expect(await d.dispatchOnce()).toMatchObject({ delivered: 1, dead: 1 });
    const dead = await outbox.get('run_0');
    expect(dead).toMatchObject({ status: 'dead', outcome: 'rejected' });
    expect(dead?.lastError).toContain('resource_missing');
    expect(dead?.lastError).toContain("No such customer: 'cus_acme'");
    expect(stripe.billedCount('run_0')).toBe(0);
    expect(await d.requeue()).toEqual(['run_0']);
    await drain(d);
    await expectBilledOnce(ids);
    const keys = stripe.requests.filter((q) => q.identifier === 'run_0').map((q) => q.idempotencyKey);
    expect(keys[1]).not.toBe(keys[0]);
    expect(keys[1]?.startsWith('run_0:')).toBe(true);
  });

  it('a dead entry whose last 500 came after billing is re-queued under a fresh key and comes back already billed', async () => {
    const ids = await append(1);
    stripe.script([{ kind: 'server_error', afterBilling: true }], { identifier: 'run_0' });
    const d = dispatcher({ maxAttempts: 1 });
    expect(await d.dispatchOnce()).toMatchObject({ dead: 1 });
    expect(await outbox.get('run_0')).toMatchObject({ status: 'dead', outcome: 'exhausted' });
    expect(await d.requeue({ identifiers: ['run_0'] })).toEqual(['run_0']);
    await drain(d);
    await expectBilledOnce(ids);
    expect(await outbox.get('run_0')).toMatchObject({ outcome: 'already_billed' });
  });

  it('zero quantities are recorded as skipped and never sent; events outside the window die before any call', async () => {
    const [zero] = buildMeterEvents({
      runId: 'run_zero',
      org: 'acme',
      plugin: 'p',
      customer: 'cus_acme',
      at: clock.now(),
      usage: { calls: 1, cpuMs: 0, rows: 0 },
      cost: { currency: 'usd_micros', amount: 0, lines: [] },
      meters: [{ eventName: 'intelgraph_plugin_cost', value: 'cost' }],
    });
    expect(zero?.skip).toBe('zero_quantity');
    await outbox.append([
      zero!,
      event('run_legacy_zero', clock.now(), 0), // appended as pending by an older version
      event('run_old', clock.now() - 36 * DAY),
      { ...event('run_future', clock.now() + 10 * 60_000), createdAt: clock.now() }, // a host clock ahead
      event('run_ok', clock.now()),
    ]);
    expect(await outbox.get('run_zero')).toMatchObject({ status: 'skipped', outcome: 'zero_quantity' });
    const r = await dispatcher().dispatchOnce();
    expect(r).toMatchObject({ claimed: 4, delivered: 1, skipped: 1, dead: 2 });
    expect(await outbox.get('run_old')).toMatchObject({
      status: 'dead',
      outcome: 'outside_window',
      attempts: 0,
    });
    expect((await outbox.get('run_old'))?.lastError).toContain('35 days');
    expect((await outbox.get('run_future'))?.lastError).toContain('5 minutes');
    expect(await outbox.counts()).toEqual({ pending: 0, delivered: 1, skipped: 2, dead: 2 });
    expect(stripe.requests.map((q) => q.identifier)).toEqual(['run_ok']);
  });

  it("maps the customer to the meter's customer_mapping.event_payload_key", async () => {
    await stripe.stop();
    stripe = createStripeEmulator({ now: () => clock.now(), customerPayloadKey: 'customer_ref' });
    await stripe.start();
    const ids = await append(2);
    // With the default key the meter refuses the event...
    expect(await dispatcher().dispatchOnce()).toMatchObject({ dead: 2 });
    expect((await outbox.get('run_0'))?.lastError).toContain('payload[customer_ref]');
    // ...with the meter's key it bills it.
    const d = dispatcher({ customerPayloadKey: 'customer_ref' });
    expect(await d.requeue()).toHaveLength(2);
    await drain(d);
    await expectBilledOnce(ids);
  });

  it('an uncertain attempt past Stripe’s 24-hour de-duplication is dead-lettered, never re-sent (no double billing)', async () => {
    const ids = await append(1);
    stripe.script([{ kind: 'drop', afterBilling: true }, { kind: 'drop' }], { identifier: 'run_0' });
    let key = EMULATOR_KEY;
    const d = dispatcher({ apiKey: () => key });
    await d.dispatchOnce(); // billed, answer lost
    key = 'sk_test_revoked_0000';
    clock.advance(61_000);
    expect(await d.dispatchOnce()).toMatchObject({ paused: true });
    clock.advance(2 * DAY); // the key is fixed two days later
    key = EMULATOR_KEY;
    expect(await d.dispatchOnce()).toMatchObject({ dead: 1, delivered: 0 });
    expect(await outbox.get('run_0')).toMatchObject({
      status: 'dead',
      outcome: 'uncertain_past_dedup_window',
    });
    expect(stripe.billedCount(ids[0]!)).toBe(1);
    // Not re-queued unless an operator reconciled it with Stripe.
    expect(await d.requeue()).toEqual([]);
  });
});

function formOf(identifier: string, at: number): string {
  const p = new URLSearchParams();
  p.set('event_name', 'intelgraph_plugin_cost');
  p.set('payload[stripe_customer_id]', 'cus_acme');
  p.set('payload[value]', '7');
  p.set('identifier', identifier);
  p.set('timestamp', String(Math.floor(at / 1000)));
  return p.toString();
}
