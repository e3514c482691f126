// Fault: Stripe is down for a while. Runs keep settling; their meter events queue in the outbox (real
// PostgreSQL, a schema of its own); two dispatchers share it and deliver through Stripe's SDK to the
// local Stripe emulator. The emulator first is not listening (connections refused), then answers 503
// (some after recording the event, as a real outage can), then comes back: every run is then billed
// exactly once (the emulator's count), delivered, and nothing is dead.
import { createManualClock } from '@intelgraph/core';
import { createBillingDispatcher, type DispatchReport } from '@intelgraph/finops';
import type { ExtensionHost } from '@intelgraph/host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedSql, openTestPostgres } from '../../support/sql.js';
import { createStripeEmulator, EMULATOR_KEY, type StripeEmulator } from '../../support/stripe-emulator.js';
import { alice, freePort, hostWithPlugins } from './support.js';

describe('fault: Stripe down for a while', () => {
  let pg: OpenedSql;
  let host: ExtensionHost;
  let stripe: StripeEmulator;
  const clock = createManualClock(Date.now() + 1_000);

  beforeAll(async () => {
    pg = await openTestPostgres();
    stripe = createStripeEmulator({ now: () => clock.now(), port: await freePort() });
    host = await hostWithPlugins(
      {
        database: pg.db,
        customers: { customerFor: async (org) => (org === 'acme' ? 'cus_acme' : null) },
      },
      ['echo'],
    );
  });

  afterAll(async () => {
    await stripe?.stop();
    await host?.close();
    await pg?.close();
  });

  it('queues events while Stripe is down, then bills each run exactly once', async () => {
    const runs = await Promise.all(
      Array.from({ length: 24 }, (_, i) => host.plugins.run(alice, 'echo', { i })),
    );
    expect(runs.every((r) => r.ok)).toBe(true);
    const runIds = (await host.internals.audit.list({ type: 'plugin.run' })).map(
      (e) => (e.data as { runId: string }).runId,
    );
    const pending = await host.internals.finops.outbox.list({ status: 'pending' });
    expect(pending).toHaveLength(24);
    expect(new Set(pending.map((p) => p.runId))).toEqual(new Set(runIds));

    const dispatchers = [1, 2].map(() =>
      createBillingDispatcher({
        outbox: host.internals.finops.outbox,
        apiKey: EMULATOR_KEY,
        ...stripe.endpoint,
        clock,
        baseBackoffMs: 1_000,
        maxBackoffMs: 60_000,
        batchSize: 5,
        timeoutMs: 2_000,
      }),
    );
    const total: DispatchReport = {
      claimed: 0,
      delivered: 0,
      alreadyBilled: 0,
      skipped: 0,
      retried: 0,
      dead: 0,
      released: 0,
      paused: false,
      backoffUntil: null,
    };
    const round = async () => {
      for (const r of await Promise.all(dispatchers.map((d) => d.dispatchOnce()))) {
        total.claimed += r.claimed;
        total.delivered += r.delivered;
        total.alreadyBilled += r.alreadyBilled;
        total.retried += r.retried;
        total.dead += r.dead;
      }
      clock.advance(61_000);
    };

    // Down: nothing listens. Every attempt fails and is retried later; nothing is lost or dead.
    for (let i = 0; i < 3; i++) await round();
    expect(total.delivered).toBe(0);
    expect(total.retried).toBeGreaterThan(0);
    // Up but failing: 503s, every third one after the event was recorded.
    await stripe.start();
    stripe.script(
      Array.from({ length: 40 }, (_, i) => ({
        kind: 'server_error' as const,
        status: 503 as const,
        afterBilling: i % 3 === 0,
      })),
    );
    for (let i = 0; i < 4; i++) await round();
    expect(total.dead).toBe(0);
    expect(stripe.requests.length).toBeGreaterThan(0);

    // Back: everything drains.
    for (let i = 0; i < 20 && (await host.internals.finops.outbox.counts()).pending > 0; i++) await round();
    expect(await host.internals.finops.outbox.counts()).toMatchObject({ pending: 0, delivered: 24, dead: 0 });
    expect(total.dead).toBe(0);
    // Exactly once: Stripe recorded each run once, and nothing else.
    const billed = stripe.billed();
    expect(new Set(billed.keys())).toEqual(new Set(runIds));
    expect([...billed.values()].every((n) => n === 1)).toBe(true);
    // Some of them were billed during the outage (a 503 after recording) and came back as already billed.
    expect(total.alreadyBilled).toBeGreaterThan(0);
    // Another round sends nothing more.
    const before = stripe.requests.length;
    await round();
    expect(stripe.requests.length).toBe(before);
  });
});
