// Fault: the billing endpoint is down for a while. Runs keep settling; their meter events queue in the
// outbox (real PostgreSQL, a schema of its own); two dispatchers share it. The endpoint (a local
// node:http server) first refuses connections, then answers 503, then comes back: every event is then
// delivered exactly once, with its stable identifier.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { createManualClock } from '@intelgraph/core';
import { createBillingDispatcher, type DispatchReport } from '@intelgraph/finops';
import type { ExtensionHost } from '@intelgraph/host';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedSql, openTestPostgres } from '../../support/sql.js';
import { alice, freePort, hostWithPlugins } from './support.js';

type Mode = '503' | 'ok';

describe('fault: billing endpoint down for a while', () => {
  let pg: OpenedSql;
  let host: ExtensionHost;
  let port = 0;
  let server: Server | null = null;
  let mode: Mode = '503';
  /** Successful deliveries per identifier (what the billing provider booked). */
  const booked = new Map<string, number>();
  let requests = 0;

  const startEndpoint = async () => {
    const s = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        requests++;
        if (mode === '503') {
          res.writeHead(503).end('maintenance');
          return;
        }
        const id = (JSON.parse(body) as { identifier: string }).identifier;
        booked.set(id, (booked.get(id) ?? 0) + 1);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    s.listen(port, '127.0.0.1');
    await once(s, 'listening');
    server = s;
  };

  beforeAll(async () => {
    pg = await openTestPostgres();
    port = await freePort();
    host = await hostWithPlugins(
      {
        database: pg.db,
        customers: { customerFor: async (org) => (org === 'acme' ? 'cus_acme' : null) },
      },
      ['echo'],
    );
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await host?.close();
    await pg?.close();
  });

  it('queues events while the endpoint is down, then delivers each exactly once', async () => {
    const runs = await Promise.all(
      Array.from({ length: 24 }, (_, i) => host.runPlugin(alice, 'echo', { i })),
    );
    expect(runs.every((r) => r.ok)).toBe(true);
    const runIds = (await host.audit.list({ type: 'plugin.run' })).map(
      (e) => (e.data as { runId: string }).runId,
    );
    const pending = await host.finops.outbox.list({ status: 'pending' });
    expect(pending).toHaveLength(24);
    expect(new Set(pending.map((p) => p.runId))).toEqual(new Set(runIds));

    const clock = createManualClock(Date.now() + 1_000);
    const dispatchers = [1, 2].map(() =>
      createBillingDispatcher({
        outbox: host.finops.outbox,
        url: `http://127.0.0.1:${port}/meter-events`,
        clock,
        baseBackoffMs: 1_000,
        maxBackoffMs: 60_000,
        maxAttempts: 50,
        batchSize: 5,
        timeoutMs: 2_000,
      }),
    );
    const total: DispatchReport = { claimed: 0, delivered: 0, retried: 0, dead: 0 };
    const round = async () => {
      for (const r of await Promise.all(dispatchers.map((d) => d.dispatchOnce()))) {
        total.claimed += r.claimed;
        total.delivered += r.delivered;
        total.retried += r.retried;
        total.dead += r.dead;
      }
      clock.advance(61_000);
    };

    // Down: nothing listens. Every attempt fails and is retried later; nothing is lost or dead.
    for (let i = 0; i < 4; i++) await round();
    expect(total.delivered).toBe(0);
    expect(total.retried).toBeGreaterThan(0);
    // Up but failing: 503 for a while.
    await startEndpoint();
    for (let i = 0; i < 4; i++) await round();
    expect(total.delivered).toBe(0);
    expect(requests).toBeGreaterThan(0);
    expect(await host.finops.outbox.list({ status: 'pending' })).toHaveLength(24);
    expect(total.dead).toBe(0);

    // Back: everything drains.
    mode = 'ok';
    for (let i = 0; i < 20 && total.delivered < 24; i++) await round();
    expect(total.delivered).toBe(24);
    expect(total.dead).toBe(0);
    expect(await host.finops.outbox.list({ status: 'delivered' })).toHaveLength(24);
    // Exactly once: one booking per run, no other identifier.
    expect(booked.size).toBe(24);
    expect([...booked.values()].every((n) => n === 1)).toBe(true);
    const delivered = await host.finops.outbox.list({ status: 'delivered' });
    expect(new Set(delivered.map((d) => d.event.identifier))).toEqual(new Set(booked.keys()));
    // Another round sends nothing more.
    const before = requests;
    await round();
    expect(requests).toBe(before);
  });
});
