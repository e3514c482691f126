import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPgBillingOutbox } from '@intelgraph/adapters/postgres';
import { type BillingOutbox, createManualClock, sequentialIds } from '@intelgraph/core';
import {
  createBillingDispatcher,
  createFinOps,
  createMemoryBillingOutbox,
  staticCustomerMapping,
} from '@intelgraph/finops';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openTestPostgres } from '../../support/sql.js';

interface Received {
  idempotencyKey: string | undefined;
  contentType: string | undefined;
  body: string;
  status: number;
}

// A local billing endpoint that fails intermittently: a deterministic pattern of 503s, dropped
// connections and successes, recording every request it sees.
function flakyEndpoint(pattern: readonly ('ok' | '503' | 'drop' | '400')[]) {
  const received: Received[] = [];
  let n = 0;
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const mode = pattern[n++ % pattern.length]!;
    const entry = {
      idempotencyKey: req.headers['idempotency-key'] as string | undefined,
      contentType: req.headers['content-type'],
      body: Buffer.concat(chunks).toString('utf8'),
      status: mode === 'ok' ? 200 : mode === '400' ? 400 : mode === '503' ? 503 : 0,
    };
    received.push(entry);
    if (mode === 'drop') {
      req.socket.destroy();
      return;
    }
    res.writeHead(entry.status, { 'content-type': 'application/json', connection: 'close' });
    res.end(mode === 'ok' ? '{"object":"billing.meter_event"}' : '{"error":{"message":"try again"}}');
  });
  return {
    received,
    server,
    async start() {
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/billing/meter_events`;
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

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

describe.each(outboxes)('billing dispatch over the $name outbox', ({ open }) => {
  let outbox: BillingOutbox;
  let close: () => Promise<void>;
  let endpoint: ReturnType<typeof flakyEndpoint> | null = null;
  beforeAll(async () => {
    ({ outbox, close } = await open());
  });
  afterAll(() => close());
  afterEach(async () => {
    await endpoint?.stop();
    endpoint = null;
  });

  it('delivers every settled run exactly once through an intermittently failing endpoint', async () => {
    endpoint = flakyEndpoint(['503', 'ok', 'drop', 'ok', '503', '503', 'ok']);
    const url = await endpoint.start();
    const clock = createManualClock(Date.UTC(2026, 0, 1));
    const finops = createFinOps({
      clock,
      ids: sequentialIds(),
      outbox,
      customers: staticCustomerMapping({ acme: 'cus_acme' }),
      prices: { default: { currency: 'usd_micros', perCall: 100, perCpuMs: 2, perRow: 1 } },
    });
    const runs: string[] = [];
    for (let i = 0; i < 12; i++) {
      const ticket = await finops.beginRun({ org: 'acme', plugin: 'sample-enricher', runId: `run_${i}` });
      const settled = await finops.settleRun(ticket, {
        outcome: 'ok',
        usage: { wallMs: 3, cpuMs: 2.5, rows: i },
      });
      expect(settled.cost.amount).toBe(100 + 3 * 2 + i);
      runs.push(`run_${i}`);
    }
    // A retried settle appends nothing new.
    expect((await outbox.list()).length).toBe(12);

    const dispatcher = createBillingDispatcher({
      outbox,
      url,
      encoding: 'form',
      clock,
      ids: sequentialIds(1000),
      baseBackoffMs: 1000,
      maxAttempts: 20,
      batchSize: 5,
      timeoutMs: 2000,
    });
    let delivered = 0;
    for (let round = 0; round < 40 && delivered < 12; round++) {
      delivered += (await dispatcher.dispatchOnce()).delivered;
      clock.advance(60_000);
    }
    expect(delivered).toBe(12);
    const records = await outbox.list();
    expect(records.every((r) => r.status === 'delivered')).toBe(true);
    // Every request carried an identifier we appended, in the body and as Idempotency-Key; none other.
    const sent = endpoint.received.map((r) => new URLSearchParams(r.body));
    expect(new Set(sent.map((p) => p.get('identifier')))).toEqual(new Set(runs));
    expect(
      endpoint.received.every((r) => r.idempotencyKey === new URLSearchParams(r.body).get('identifier')),
    ).toBe(true);
    expect(endpoint.received.every((r) => r.contentType === 'application/x-www-form-urlencoded')).toBe(true);
    // Exactly one 2xx per identifier, and some identifiers needed retries.
    const okPerId = new Map<string, number>();
    for (const r of endpoint.received)
      if (r.status === 200) {
        const id = new URLSearchParams(r.body).get('identifier')!;
        okPerId.set(id, (okPerId.get(id) ?? 0) + 1);
      }
    expect([...okPerId.values()]).toEqual(Array(12).fill(1));
    expect(endpoint.received.length).toBeGreaterThan(12);
    // Retries resend the identical event.
    const first = sent.find((p) => p.get('identifier') === 'run_0')!;
    expect(Object.fromEntries(first)).toEqual({
      event_name: 'intelgraph_plugin_cost',
      'payload[stripe_customer_id]': 'cus_acme',
      'payload[value]': '106',
      identifier: 'run_0',
      timestamp: String(Date.UTC(2026, 0, 1) / 1000),
    });
    for (const p of sent.filter((x) => x.get('identifier') === 'run_0'))
      expect(p.toString()).toBe(first.toString());
    // A second pass finds nothing to send.
    expect(await dispatcher.dispatchOnce()).toEqual({ claimed: 0, delivered: 0, retried: 0, dead: 0 });
  });

  it('marks an entry dead on a non-retryable answer, and retries with growing backoff otherwise', async () => {
    endpoint = flakyEndpoint(['503', '503', '400']);
    const url = await endpoint.start();
    const clock = createManualClock(Date.UTC(2026, 1, 1));
    const runId = `run_dead_${Date.now().toString(36)}`;
    await outbox.append([
      {
        event: {
          event_name: 'intelgraph_plugin_cost',
          payload: { stripe_customer_id: 'cus_x', value: '1' },
          identifier: runId,
          timestamp: 1,
        },
        org: 'o',
        plugin: 'p',
        runId,
        createdAt: clock.now(),
      },
    ]);
    const dispatcher = createBillingDispatcher({
      outbox,
      url,
      clock,
      baseBackoffMs: 1000,
      maxBackoffMs: 10_000,
    });
    expect((await dispatcher.dispatchOnce()).retried).toBe(1);
    const r1 = await outbox.get(runId);
    const wait1 = r1!.nextAttemptAt - clock.now();
    expect(wait1).toBeGreaterThanOrEqual(500);
    expect(wait1).toBeLessThanOrEqual(1000);
    expect((await dispatcher.dispatchOnce()).claimed).toBe(0); // not due yet
    clock.advance(wait1);
    expect((await dispatcher.dispatchOnce()).retried).toBe(1);
    const r2 = await outbox.get(runId);
    const wait2 = r2!.nextAttemptAt - clock.now();
    expect(wait2).toBeGreaterThanOrEqual(1000);
    expect(wait2).toBeLessThanOrEqual(2000);
    clock.advance(wait2);
    expect((await dispatcher.dispatchOnce()).dead).toBe(1);
    expect(await outbox.get(runId)).toMatchObject({
      status: 'dead',
      attempts: 3,
      lastError: expect.stringContaining('HTTP 400'),
    });
    expect(endpoint.received.every((r) => JSON.parse(r.body).identifier === runId)).toBe(true);
  });
});
