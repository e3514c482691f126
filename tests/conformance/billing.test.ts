import { createPgBillingOutbox } from '@intelgraph/adapters/postgres';
import type { BillingEventInput, BillingOutbox } from '@intelgraph/core';
import { createMemoryBillingOutbox } from '@intelgraph/finops';
import { describe, expect, it } from 'vitest';
import { openEachTest, storeBackends } from '../support/backends.js';

// One test body, every BillingOutbox: in memory, PGlite and PostgreSQL (which must be running).
const backends = storeBackends<BillingOutbox>({
  memory: () => createMemoryBillingOutbox(),
  sql: (db) => createPgBillingOutbox(db),
});

const T0 = Date.UTC(2026, 0, 1);
const event = (runId: string, value = 5, at = T0): BillingEventInput => ({
  event: {
    event_name: 'intelgraph_plugin_cost',
    payload: { stripe_customer_id: 'cus_123', value: String(value) },
    identifier: runId,
    timestamp: Math.floor(at / 1000),
  },
  org: 'acme',
  plugin: 'sample-enricher',
  runId,
  createdAt: at,
});

describe.each(backends)('BillingOutbox conformance: $name', (backend) => {
  const open = openEachTest(backend);

  it('appends idempotently on the identifier and keeps the first event', async () => {
    const outbox = await open();
    expect(await outbox.append([event('run_1', 5), event('run_2')])).toEqual({ appended: 2, duplicates: 0 });
    expect(await outbox.append([event('run_1', 99)])).toEqual({ appended: 0, duplicates: 1 });
    const r = await outbox.get('run_1');
    expect(r).toMatchObject({
      event: { identifier: 'run_1', payload: { value: '5', stripe_customer_id: 'cus_123' } },
      status: 'pending',
      attempts: 0,
      nextAttemptAt: T0,
      lastError: null,
      deliveredAt: null,
      runId: 'run_1',
    });
    expect(await outbox.get('nope')).toBeNull();
  });

  it('leases each due entry to one claimer at a time, until the lease expires', async () => {
    const outbox = await open();
    await outbox.append(Array.from({ length: 40 }, (_, i) => event(`run_${i}`)));
    const claims = await Promise.all(
      [1, 2, 3, 4].map((n) => outbox.claim({ now: T0, limit: 15, leaseMs: 1000, leaseToken: `lease_${n}` })),
    );
    const ids = claims.flatMap((c) => c.records.map((r) => r.event.identifier));
    expect(ids).toHaveLength(40);
    expect(new Set(ids).size).toBe(40);
    expect(
      (await outbox.claim({ now: T0 + 999, limit: 100, leaseMs: 1000, leaseToken: 'x' })).records,
    ).toEqual([]);
    const again = await outbox.claim({ now: T0 + 1000, limit: 100, leaseMs: 1000, leaseToken: 'y' });
    expect(again.records).toHaveLength(40);
    // The first holder's lease was taken over: it can no longer mark the entry.
    const first = claims[0]!.records[0]!.event.identifier;
    expect(await outbox.markDelivered(first, 'lease_1', T0 + 1001)).toBe(false);
    expect(await outbox.markDelivered(first, 'y', T0 + 1001)).toBe(true);
  });

  it('marks an entry delivered exactly once, even when raced', async () => {
    const outbox = await open();
    await outbox.append([event('run_1')]);
    await outbox.claim({ now: T0, limit: 10, leaseMs: 5000, leaseToken: 'l1' });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => outbox.markDelivered('run_1', 'l1', T0 + 5)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await outbox.get('run_1')).toMatchObject({
      status: 'delivered',
      attempts: 1,
      deliveredAt: T0 + 5,
    });
    expect(
      (await outbox.claim({ now: T0 + 60_000, limit: 10, leaseMs: 5000, leaseToken: 'l2' })).records,
    ).toEqual([]);
    expect(await outbox.markFailed('run_1', 'l1', { error: 'late', nextAttemptAt: T0, dead: false })).toBe(
      false,
    );
  });

  it('records failures, waits for the next attempt time, and stops at dead', async () => {
    const outbox = await open();
    await outbox.append([event('run_1')]);
    await outbox.claim({ now: T0, limit: 10, leaseMs: 5000, leaseToken: 'l1' });
    expect(
      await outbox.markFailed('run_1', 'l1', { error: 'HTTP 503', nextAttemptAt: T0 + 2000, dead: false }),
    ).toBe(true);
    expect(await outbox.get('run_1')).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'HTTP 503',
    });
    expect(
      (await outbox.claim({ now: T0 + 1999, limit: 10, leaseMs: 5000, leaseToken: 'l2' })).records,
    ).toEqual([]);
    const c = await outbox.claim({ now: T0 + 2000, limit: 10, leaseMs: 5000, leaseToken: 'l3' });
    expect(c.records.map((r) => [r.event.identifier, r.attempts])).toEqual([['run_1', 1]]);
    await outbox.markFailed('run_1', 'l3', { error: 'HTTP 400', nextAttemptAt: T0 + 9000, dead: true });
    expect(await outbox.list({ status: 'dead' })).toMatchObject([
      { event: { identifier: 'run_1' }, attempts: 2 },
    ]);
    expect(await outbox.list({ status: 'pending' })).toEqual([]);
    expect(
      (await outbox.claim({ now: T0 + 99_000, limit: 10, leaseMs: 5000, leaseToken: 'l4' })).records,
    ).toEqual([]);
  });

  it('records skipped events at append, never claims them, and counts every status', async () => {
    const outbox = await open();
    await outbox.append([{ ...event('run_zero', 0), skip: 'zero_quantity' }, event('run_1'), event('run_2')]);
    expect(await outbox.get('run_zero')).toMatchObject({
      status: 'skipped',
      outcome: 'zero_quantity',
      idempotencyKey: 'run_zero',
      uncertainSince: null,
    });
    const c = await outbox.claim({ now: T0, limit: 10, leaseMs: 5000, leaseToken: 'l1' });
    expect(c.records.map((r) => r.event.identifier).sort()).toEqual(['run_1', 'run_2']);
    expect(c.records[0]).toMatchObject({ outcome: null, uncertainSince: null });
    expect(await outbox.markSkipped('run_1', 'other', 'zero_quantity', T0)).toBe(false);
    expect(await outbox.markSkipped('run_1', 'l1', 'zero_quantity', T0)).toBe(true);
    expect(await outbox.markDelivered('run_2', 'l1', T0 + 1, { alreadyBilled: true })).toBe(true);
    expect(await outbox.get('run_2')).toMatchObject({ status: 'delivered', outcome: 'already_billed' });
    expect(await outbox.counts()).toEqual({ pending: 0, delivered: 1, skipped: 2, dead: 0 });
  });

  it('rotates the idempotency key, keeps the first uncertain attempt, and can leave attempts uncounted', async () => {
    const outbox = await open();
    await outbox.append([event('run_1')]);
    expect((await outbox.get('run_1'))?.idempotencyKey).toBe('run_1');
    await outbox.claim({ now: T0, limit: 10, leaseMs: 5000, leaseToken: 'l1' });
    await outbox.markFailed('run_1', 'l1', {
      error: 'HTTP 500',
      nextAttemptAt: T0 + 10,
      dead: false,
      idempotencyKey: 'run_1:k1',
      uncertainAt: T0 + 5,
    });
    expect(await outbox.get('run_1')).toMatchObject({
      idempotencyKey: 'run_1:k1',
      uncertainSince: T0 + 5,
      attempts: 1,
    });
    await outbox.claim({ now: T0 + 10, limit: 10, leaseMs: 5000, leaseToken: 'l2' });
    await outbox.markFailed('run_1', 'l2', {
      error: 'socket hang up',
      nextAttemptAt: T0 + 20,
      dead: false,
      uncertainAt: T0 + 15,
      countAttempt: false,
    });
    expect(await outbox.get('run_1')).toMatchObject({
      idempotencyKey: 'run_1:k1',
      uncertainSince: T0 + 5,
      attempts: 1,
      status: 'pending',
      outcome: null,
    });
    await outbox.claim({ now: T0 + 20, limit: 10, leaseMs: 5000, leaseToken: 'l3' });
    await outbox.markFailed('run_1', 'l3', {
      error: 'old',
      nextAttemptAt: T0,
      dead: true,
      outcome: 'outside_window',
    });
    expect(await outbox.get('run_1')).toMatchObject({
      status: 'dead',
      outcome: 'outside_window',
      attempts: 2,
    });
  });

  it('releases held entries unsent, without counting an attempt, not before the given time', async () => {
    const outbox = await open();
    await outbox.append([event('run_1'), event('run_2'), event('run_3')]);
    await outbox.claim({ now: T0, limit: 2, leaseMs: 5000, leaseToken: 'l1' });
    expect(await outbox.release(['run_1', 'run_2', 'run_3'], 'l1', T0 + 30_000)).toBe(2);
    expect(await outbox.get('run_1')).toMatchObject({
      status: 'pending',
      attempts: 0,
      nextAttemptAt: T0 + 30_000,
    });
    expect(await outbox.get('run_3')).toMatchObject({ nextAttemptAt: T0 });
    expect(await outbox.release([], 'l1', T0)).toBe(0);
    const c = await outbox.claim({ now: T0 + 29_999, limit: 10, leaseMs: 5000, leaseToken: 'l2' });
    expect(c.records.map((r) => r.event.identifier)).toEqual(['run_3']);
    expect(
      (await outbox.claim({ now: T0 + 30_000, limit: 10, leaseMs: 5000, leaseToken: 'l3' })).records,
    ).toHaveLength(2);
  });

  it('re-queues dead entries under a fresh key, and uncertain ones only once reconciled', async () => {
    const outbox = await open();
    await outbox.append([event('run_1'), event('run_2'), event('run_3'), event('run_4')]);
    await outbox.claim({ now: T0, limit: 10, leaseMs: 5000, leaseToken: 'l1' });
    await outbox.markFailed('run_1', 'l1', { error: 'HTTP 400', nextAttemptAt: T0, dead: true });
    await outbox.markFailed('run_2', 'l1', {
      error: 'maybe billed',
      nextAttemptAt: T0,
      dead: true,
      outcome: 'uncertain_past_dedup_window',
      uncertainAt: T0,
    });
    await outbox.markFailed('run_3', 'l1', { error: 'HTTP 400', nextAttemptAt: T0, dead: true });
    expect(
      await outbox.requeue({ identifiers: ['run_1', 'run_2', 'run_4'], now: T0 + 100, keySuffix: 'rq_1' }),
    ).toEqual(['run_1']);
    expect(await outbox.get('run_1')).toMatchObject({
      status: 'pending',
      attempts: 0,
      outcome: null,
      nextAttemptAt: T0 + 100,
      idempotencyKey: 'run_1:rq_1',
      lastError: 'HTTP 400',
    });
    expect((await outbox.requeue({ now: T0 + 200, keySuffix: 'rq_2' })).sort()).toEqual(['run_3']);
    expect(await outbox.requeue({ now: T0 + 300, keySuffix: 'rq_3', reconciled: true })).toEqual(['run_2']);
    expect(await outbox.get('run_2')).toMatchObject({
      status: 'pending',
      uncertainSince: null,
      idempotencyKey: 'run_2:rq_3',
    });
    expect(await outbox.counts()).toEqual({ pending: 4, delivered: 0, skipped: 0, dead: 0 });
  });
});
