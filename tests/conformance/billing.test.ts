import { createPgBillingOutbox } from '@intelgraph/adapters/postgres';
import type { BillingEventInput, BillingOutbox } from '@intelgraph/core';
import { createMemoryBillingOutbox } from '@intelgraph/finops';
import { afterEach, describe, expect, it } from 'vitest';
import { sqlBackends } from '../support/sql.js';

// One test body, every BillingOutbox: in memory, PGlite and PostgreSQL (which must be running).
interface Backend {
  name: string;
  open(): Promise<{ outbox: BillingOutbox; close(): Promise<void> }>;
}

const backends: Backend[] = [
  { name: 'memory', open: async () => ({ outbox: createMemoryBillingOutbox(), close: async () => {} }) },
  ...sqlBackends().map((b) => ({
    name: b.name,
    async open() {
      const { db, close } = await b.open();
      return { outbox: createPgBillingOutbox(db), close };
    },
  })),
];

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
  let close: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await close?.();
    close = null;
  });
  const open = async () => {
    const o = await backend.open();
    close = o.close;
    return o.outbox;
  };

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
});
