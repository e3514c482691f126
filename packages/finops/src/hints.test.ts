import { createManualClock, sequentialIds } from '@intelgraph/core';
import { describe, expect, it } from 'vitest';
import { createFinOps } from './finops.js';
import { staticCustomerMapping } from './meter-events.js';
import { createRollingSketch } from './rolling-sketch.js';

describe('budget hints', () => {
  it('estimates p50/p95 cost from recent runs and shows the remaining quota', async () => {
    const clock = createManualClock(Date.UTC(2026, 0, 1));
    const finops = createFinOps({
      clock,
      ids: sequentialIds(),
      prices: { default: { currency: 'usd_micros', perCall: 100, perCpuMs: 10, perRow: 1 } },
    });
    await finops.quotas.set({ scope: { org: 'acme' }, resource: 'cpuMs', limit: 1000, window: 'day' });
    expect(await finops.hint({ org: 'acme', plugin: 'p' })).toMatchObject({
      basis: 'none',
      samples: 0,
      expectedCost: { amount: 100 },
      runsRemaining: 1000,
    });
    for (let i = 1; i <= 100; i++) {
      const t = await finops.beginRun({ org: 'acme', plugin: 'p', runId: `run_${i}` });
      await finops.settleRun(t, {
        outcome: 'ok',
        usage: { wallMs: i, cpuMs: i % 10 === 0 ? 50 : 2, rows: i },
      });
    }
    const hint = await finops.hint({ org: 'acme', plugin: 'p' });
    expect(hint).toMatchObject({
      basis: 'org',
      samples: 100,
      cpuMs: { p50: 2, p95: 50 },
      rows: { p50: 50, p95: 95 },
      expectedCost: { currency: 'usd_micros', amount: 100 + 2 * 10 + 50 },
      p95Cost: { amount: 100 + 50 * 10 + 95 },
    });
    expect(hint.quotas).toMatchObject([
      { rule: { resource: 'cpuMs' }, used: 2 * 90 + 50 * 10, remaining: 320 },
    ]);
    expect(hint.runsRemaining).toBe(160);
    // Another org with no history of its own borrows the plugin's history across orgs.
    expect((await finops.hint({ org: 'beta', plugin: 'p' })).basis).toBe('plugin');
  });

  it('keeps a bounded rolling window of samples', () => {
    const s = createRollingSketch(4);
    for (const v of [100, 100, 100, 100, 1, 2, 3, 4]) s.add(v);
    expect(s.size).toBe(4);
    expect(s.quantile(1)).toBe(4);
    expect(s.quantile(0.5)).toBe(2);
  });

  it('bills settled runs of mapped orgs only, with a Stripe meter event per run', async () => {
    const finops = createFinOps({
      ids: sequentialIds(),
      clock: createManualClock(Date.UTC(2026, 0, 1)),
      customers: staticCustomerMapping({ acme: 'cus_acme' }),
      billingMeters: [
        { eventName: 'plugin_calls', value: 'calls' },
        { eventName: 'plugin_rows', value: 'rows' },
      ],
    });
    const t = await finops.beginRun({ org: 'acme', plugin: 'p', runId: 'run_a' });
    const s = await finops.settleRun(t, { outcome: 'ok', usage: { wallMs: 1, cpuMs: 1, rows: 7 } });
    expect(s.billing).toEqual({ appended: 2, duplicates: 0, identifiers: ['run_a:calls', 'run_a:rows'] });
    expect(
      (await finops.settleRun(t, { outcome: 'ok', usage: { wallMs: 1, cpuMs: 1, rows: 7 } })).billing,
    ).toMatchObject({
      appended: 0,
      duplicates: 2,
    });
    expect((await finops.outbox.get('run_a:rows'))?.event).toEqual({
      event_name: 'plugin_rows',
      payload: { stripe_customer_id: 'cus_acme', value: '7' },
      identifier: 'run_a:rows',
      timestamp: Date.UTC(2026, 0, 1) / 1000,
    });
    const t2 = await finops.beginRun({ org: 'unbilled', plugin: 'p', runId: 'run_b' });
    expect(
      (await finops.settleRun(t2, { outcome: 'ok', usage: { wallMs: 1, cpuMs: 1, rows: 1 } })).billing,
    ).toEqual({
      skipped: 'no_customer',
    });
  });
});

describe('settleRun input', () => {
  it('refuses a forged or incomplete ticket with INVALID_INPUT on every call, before anything is settled', async () => {
    const finops = createFinOps({ ids: sequentialIds() });
    const ticket = await finops.beginRun({ org: 'acme', plugin: 'p', runId: 'run_1' });
    const usage = { outcome: 'ok', usage: { wallMs: 1, cpuMs: 1, rows: 0 } };
    for (const bad of [
      { ...ticket, reservationId: undefined },
      { ...ticket, startedAt: 'yesterday' },
      { ...ticket, extra: true },
      { ...ticket, org: '../other' },
    ]) {
      await expect(finops.settleRun(bad as never, usage)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
    expect((await finops.settleRun(ticket, usage)).settled).toBe(true);
  });
});
