// Two dispatchers race over ONE PostgreSQL outbox while the Stripe emulator drops connections, times out,
// answers 5xx (before and after recording the event) and rate-limits; leases expire under slow requests,
// so both dispatchers send some events. The emulator's count is the proof: every run billed exactly
// once, every entry delivered, nothing dead, nothing billed twice.
import { createPgBillingOutbox } from '@intelgraph/adapters/postgres';
import {
  type BillingEventInput,
  type BillingOutbox,
  createManualClock,
  sequentialIds,
} from '@intelgraph/core';
import { type BillingDispatcher, createBillingDispatcher, type DispatchReport } from '@intelgraph/finops';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedSql, openTestPostgres } from '../../support/sql.js';
import {
  createStripeEmulator,
  EMULATOR_KEY,
  type StripeEmulator,
  type StripeFault,
} from '../../support/stripe-emulator.js';

const T0 = Date.UTC(2026, 7, 3);
const RUNS = 36;

// A deterministic mix of faults per run (the first request of each gets the first fault, and so on).
const faultsFor = (i: number): StripeFault[] => {
  switch (i % 9) {
    case 0:
      return [{ kind: 'drop' }, { kind: 'drop' }];
    case 1:
      return [{ kind: 'drop', afterBilling: true }, { kind: 'drop' }];
    case 2:
      return [{ kind: 'server_error' }];
    case 3:
      return [{ kind: 'server_error', afterBilling: true }];
    case 4:
      return [
        { kind: 'server_error', status: 503 },
        { kind: 'server_error', status: 502, afterBilling: true },
      ];
    case 5:
      return i < 18 ? [{ kind: 'hang', afterBilling: true }] : [];
    case 6:
      return [{ kind: 'server_error', afterBilling: true }, { kind: 'drop' }, { kind: 'drop' }];
    default:
      return [];
  }
};

describe('two dispatchers racing over one PostgreSQL outbox, against the Stripe emulator', () => {
  let pg: OpenedSql;
  let outbox: BillingOutbox;
  let stripe: StripeEmulator;
  const clock = createManualClock(T0);

  beforeAll(async () => {
    pg = await openTestPostgres();
    outbox = createPgBillingOutbox(pg.db);
    stripe = createStripeEmulator({ now: () => clock.now() });
    await stripe.start();
  });
  afterAll(async () => {
    await stripe?.stop();
    await pg?.close();
  });

  it('bills every run exactly once and dead-letters nothing', async () => {
    const runs = Array.from({ length: RUNS }, (_, i) => `race_${i}`);
    const events: BillingEventInput[] = runs.map((runId, i) => ({
      event: {
        event_name: 'intelgraph_plugin_cost',
        payload: { stripe_customer_id: `cus_${i % 4}`, value: String(100 + i) },
        identifier: runId,
        timestamp: Math.floor(T0 / 1000),
      },
      org: `org_${i % 4}`,
      plugin: 'sample-enricher',
      runId,
      createdAt: T0,
    }));
    await outbox.append(events);
    runs.forEach((id, i) => {
      stripe.script(faultsFor(i), { identifier: id });
    });
    // One 429 for whoever asks first.
    stripe.script([{ kind: 'rate_limit', retryAfter: '5', shouldRetry: true }]);

    const dispatchers: BillingDispatcher[] = [1, 2].map((n) =>
      createBillingDispatcher({
        outbox,
        apiKey: EMULATOR_KEY,
        ...stripe.endpoint,
        clock,
        ids: sequentialIds(n * 1_000_000),
        baseBackoffMs: 1000,
        maxBackoffMs: 30_000,
        batchSize: 6,
        // Shorter than a hung request: the clock moves while one waits, so the other takes the lease over.
        leaseMs: 1000,
        timeoutMs: 400,
      }),
    );
    const total = { delivered: 0, alreadyBilled: 0, dead: 0, retried: 0, released: 0, claimed: [0, 0] };
    const add = (r: DispatchReport, n: number) => {
      total.delivered += r.delivered;
      total.alreadyBilled += r.alreadyBilled;
      total.dead += r.dead;
      total.retried += r.retried;
      total.released += r.released;
      total.claimed[n] = (total.claimed[n] ?? 0) + r.claimed;
    };
    // Each dispatcher loops on its own while the fake clock runs fast (1.5 s every 30 ms): a request
    // that hangs (400 ms real) outlives its lease, so the other dispatcher claims the entry again.
    let done = false;
    const driver = setInterval(() => clock.advance(1_500), 30);
    const worker = async (n: number) => {
      for (let i = 0; i < 400 && !done; i++) {
        add(await dispatchers[n]!.dispatchOnce(), n);
        if ((await outbox.counts()).pending === 0) done = true;
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    try {
      await Promise.all([worker(0), worker(1)]);
    } finally {
      clearInterval(driver);
    }

    expect(await outbox.counts()).toEqual({ pending: 0, delivered: RUNS, skipped: 0, dead: 0 });
    expect(total.dead).toBe(0);
    // Both dispatchers did real work.
    expect(total.claimed[0]).toBeGreaterThan(0);
    expect(total.claimed[1]).toBeGreaterThan(0);
    // The proof: Stripe recorded every run exactly once, and nothing else.
    const billed = stripe.billed();
    expect(new Set(billed.keys())).toEqual(new Set(runs));
    for (const id of runs) expect(billed.get(id), id).toBe(1);
    // Some claims lost their lease under a hung request: the other dispatcher sent and marked those
    // entries, and the late outcome was ignored.
    const outcomes = total.delivered + total.retried + total.dead + total.released;
    expect(total.claimed[0]! + total.claimed[1]!).toBeGreaterThan(outcomes);
    // Exactly-once accounting: one delivery marked per entry, whichever dispatcher made it.
    expect(total.delivered).toBe(RUNS);
    // Runs whose 5xx came after Stripe recorded them were resolved by the identifier, under a fresh key.
    const already = (await outbox.list({ status: 'delivered' })).filter(
      (r) => r.outcome === 'already_billed',
    );
    expect(already.length).toBeGreaterThan(0);
    for (const r of already) {
      const keys = stripe.requests
        .filter((q) => q.identifier === r.event.identifier)
        .map((q) => q.idempotencyKey);
      expect(new Set(keys).size).toBeGreaterThan(1);
    }
  });
});
