// Failures no caller awaits are logged through the host's (pino-compatible) logger with the trace and
// span ids of the span they happened in: the billing dispatcher's Stripe deliveries, governance
// notifications, the kill-switch subscriber's connection, the PostgreSQL pool's idle clients and the
// Neo4j driver's own error log. Real PostgreSQL, Redis and Neo4j, a real pino logger writing JSON lines into an array, the SDK's in-memory exporter.
import { createServer } from 'node:net';
import { createNeo4jConnection } from '@intelgraph/adapters/neo4j';
import { createPgBillingOutbox, createPgDatabase } from '@intelgraph/adapters/postgres';
import { createRedisClient, createRedisKillSwitchStore } from '@intelgraph/adapters/redis';
import { type Actor, createManualClock, type Logger, sequentialIds } from '@intelgraph/core';
import { createBillingDispatcher } from '@intelgraph/finops';
import { createExtensionHost, type ExtensionHost } from '@intelgraph/host';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PG_URL, runSuffix } from '../../support/env.js';
import { NEO4J_URL } from '../../support/neo4j.js';
import { redisTestClient } from '../../support/redis.js';
import { openTestPostgres } from '../../support/sql.js';
import { createStripeEmulator, EMULATOR_KEY } from '../../support/stripe-emulator.js';
import { tcpProxy } from '../../support/tcp-proxy.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  context.disable();
});
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
  exporter.reset();
});

type Line = Record<string, unknown> & { level: number; msg: string };
const ERROR = 50;
const INFO = 30;

/** A real pino logger whose JSON lines land in `lines`. */
function capturingPino(): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const logger = pino({ level: 'info', base: null }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}

const idsOf = (span: ReadableSpan | undefined) => ({
  trace_id: span?.spanContext().traceId,
  span_id: span?.spanContext().spanId,
});
const spansNamed = (name: string) => exporter.getFinishedSpans().filter((s) => s.name === name);
// Bounded waits by polling (no timed assertion): background events arrive when the socket says so.
const until = (check: () => void) => vi.waitFor(check, { timeout: 20_000, interval: 25 });

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('billing dispatcher', () => {
  const T0 = Date.UTC(2026, 6, 1);
  async function setup(logger: Logger) {
    const { db, close } = await openTestPostgres();
    cleanups.push(close);
    const outbox = createPgBillingOutbox(db);
    const clock = createManualClock(T0);
    const stripe = createStripeEmulator({ now: () => clock.now() });
    await stripe.start();
    cleanups.push(() => stripe.stop());
    const append = (id: string) =>
      outbox.append([
        {
          event: {
            event_name: 'intelgraph_plugin_cost',
            payload: { stripe_customer_id: 'cus_acme', value: '7' },
            identifier: id,
            timestamp: Math.floor(clock.now() / 1000),
          },
          org: 'acme',
          plugin: 'sample-enricher',
          runId: id,
          createdAt: clock.now(),
        },
      ]);
    const options = {
      outbox,
      ...stripe.endpoint,
      clock,
      ids: sequentialIds(),
      timeoutMs: 1000,
      logger,
      tracerProvider: provider,
    };
    return { stripe, append, options };
  }

  it('a failing Stripe delivery logs an error line with the trace and span ids of its dispatch span', async () => {
    const { logger, lines } = capturingPino();
    const { stripe, append, options } = await setup(logger);
    await append('run_5xx');
    await append('run_rejected');
    stripe.script([{ kind: 'server_error', status: 503 }], { identifier: 'run_5xx' });
    stripe.script([{ kind: 'reject', status: 400, message: 'No such customer' }], {
      identifier: 'run_rejected',
    });
    const dispatcher = createBillingDispatcher({ apiKey: EMULATOR_KEY, ...options });
    expect(await dispatcher.dispatchOnce()).toMatchObject({ claimed: 2, retried: 1, dead: 1 });

    const [round] = spansNamed('intelgraph.billing.dispatch');
    expect(round?.attributes).toMatchObject({
      'intelgraph.billing.claimed': 2,
      'intelgraph.billing.retried': 1,
      'intelgraph.billing.dead': 1,
    });
    const failed = lines.filter((l) => l.msg === 'billing delivery failed');
    expect(failed).toHaveLength(2);
    expect(failed.find((l) => l.identifier === 'run_5xx')).toMatchObject({
      level: ERROR,
      code: 'UNAVAILABLE',
      org: 'acme',
      plugin: 'sample-enricher',
      stripe: 'server_error',
      attempt: 1,
      next: 'retry',
      ...idsOf(round),
    });
    expect(failed.find((l) => l.identifier === 'run_rejected')).toMatchObject({
      level: ERROR,
      code: 'INVALID_INPUT',
      stripe: 'rejected',
      next: 'dead',
      err: { name: 'IntelGraphError', message: expect.stringContaining('No such customer') },
      ...idsOf(round),
    });
  });

  it('a round of start() that fails is logged with its span ids, and the next round still runs', async () => {
    const { logger, lines } = capturingPino();
    const { options } = await setup(logger);
    let calls = 0;
    const dispatcher = createBillingDispatcher({
      apiKey: () => {
        calls += 1;
        throw new Error('secret store unreachable');
      },
      ...options,
    });
    dispatcher.start({ intervalMs: 5 });
    cleanups.push(() => dispatcher.stop());
    await until(() => expect(calls).toBeGreaterThanOrEqual(2));
    await dispatcher.stop();
    const line = lines.find((l) => l.msg === 'billing dispatch round failed');
    const round = spansNamed('intelgraph.billing.dispatch').find(
      (s) => s.spanContext().spanId === line?.span_id,
    );
    expect(line).toMatchObject({
      level: ERROR,
      code: 'INTERNAL',
      err: { name: 'Error', message: 'secret store unreachable' },
      ...idsOf(round),
    });
    expect(round?.status.code).toBe(2);
  });
});

describe('governance notifications', () => {
  it('a notifier that throws is logged with the ids of the request that sent it; the request stands', async () => {
    const { logger, lines } = capturingPino();
    const alice: Actor = { userId: 'alice', orgId: 'acme', roles: ['analyst', 'admin'] };
    const bob: Actor = { userId: 'bob', orgId: 'acme', roles: ['steward'] };
    const host: ExtensionHost = await createExtensionHost({
      database: 'memory',
      clock: createManualClock(Date.UTC(2026, 3, 1)),
      ids: sequentialIds(),
      sandbox: { poolSize: 1, isolation: 'in-process' },
      tracerProvider: provider,
      logger,
      notifier: {
        notify: async () => {
          throw new Error('webhook host down');
        },
      },
      policies: [{ kind: 'export', approvals: [{ count: 1, role: 'steward' }] }],
    });
    cleanups.push(() => host.close());
    await host.contracts.register(bob, {
      subject: 'person',
      format: 'json',
      schema: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
    });
    exporter.reset();
    const pending = await host.contracts.export(alice, 'person', [{ id: 'a' }]);
    expect(pending.status).toBe('pending_review');

    const failed = lines.filter((l) => l.msg === 'review notification failed');
    expect(failed.length).toBeGreaterThan(0);
    const [request] = spansNamed('intelgraph.governance.request');
    expect(failed[0]).toMatchObject({
      level: ERROR,
      code: 'UNAVAILABLE',
      org: 'acme',
      taskId: pending.reviewTask?.id,
      err: { message: 'webhook host down' },
      ...idsOf(request),
    });
    // tick() runs from the application's timer, outside any request: the host gives it a span.
    exporter.reset();
    await host.internals.governance.tick();
    expect(spansNamed('intelgraph.governance.tick')).toHaveLength(1);
  });
});

describe('Redis kill-switch subscriber', () => {
  it('a subscriber that cannot connect is logged once per outage, in a span of its own', async () => {
    const { logger, lines } = capturingPino();
    const redis = await redisTestClient();
    cleanups.push(() => redis.close());
    const subscriber = createRedisClient(`redis://127.0.0.1:${await closedPort()}`);
    cleanups.push(() => subscriber.disconnect());
    let errors = 0;
    subscriber.on('error', () => {
      errors += 1;
    });
    const store = createRedisKillSwitchStore({
      redis: redis.client,
      subscriber,
      prefix: redis.prefix,
      logger,
      tracerProvider: provider,
    });
    cleanups.push(() => store.close());
    // ioredis reports every reconnect attempt; the outage is logged once.
    await until(() => expect(errors).toBeGreaterThanOrEqual(3));
    const logged = lines.filter((l) => l.role === 'kill_switch_subscriber');
    expect(logged).toHaveLength(1);
    const [span] = spansNamed('intelgraph.store.connection_error');
    expect(span?.attributes).toMatchObject({
      'db.system.name': 'redis',
      'intelgraph.store.role': 'kill_switch_subscriber',
      'intelgraph.error.code': 'UNAVAILABLE',
    });
    expect(logged[0]).toMatchObject({ level: ERROR, code: 'UNAVAILABLE', store: 'redis', ...idsOf(span) });
    // Without its subscription the store reads Redis on every check, so the checks still hold.
    await store.engage({
      target: { plugin: 'echo' },
      reason: 'incident',
      engagedBy: 'ops',
      engagedAt: new Date(0).toISOString(),
    });
    expect(await store.active({ org: 'acme', plugin: 'echo' })).toHaveLength(1);
  });

  it('a subscriber that loses Redis logs the outage, then its return', async () => {
    const { logger, lines } = capturingPino();
    const redis = await redisTestClient();
    cleanups.push(() => redis.close());
    const url = new URL(process.env.IG_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
    const proxy = await tcpProxy({ host: url.hostname, port: Number(url.port || 6379) });
    cleanups.push(() => proxy.close());
    const subscriber = createRedisClient(`redis://127.0.0.1:${proxy.port}`);
    cleanups.push(() => subscriber.disconnect());
    const store = createRedisKillSwitchStore({
      redis: redis.client,
      subscriber,
      prefix: redis.prefix,
      logger,
      tracerProvider: provider,
    });
    cleanups.push(() => store.close());
    await until(() => expect(subscriber.status).toBe('ready'));
    await proxy.cut();
    await until(() => expect(lines.filter((l) => l.level === ERROR)).toHaveLength(1));
    await proxy.restore();
    await until(() =>
      expect(lines.find((l) => l.msg === 'Redis reconnected')).toMatchObject({
        level: INFO,
        role: 'kill_switch_subscriber',
      }),
    );
  });
});

describe('PostgreSQL pool', () => {
  it('an idle client killed by the server is logged with the ids of its span, and the pool goes on', async () => {
    const { logger, lines } = capturingPino();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    cleanups.push(() => admin.end());
    const db = await createPgDatabase({ connectionString: PG_URL, max: 1, logger, tracerProvider: provider });
    cleanups.push(() => db.close());
    const marker = `ig_log_${runSuffix()}`;
    const { rows } = await db.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid, '${marker}' AS m`);
    const pid = rows[0]?.pid;
    expect(pid).toBeGreaterThan(0);
    // Only this pool's own backend is terminated (other suites share the server).
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await until(() => expect(lines.some((l) => l.store === 'postgres')).toBe(true));
    const [span] = spansNamed('intelgraph.store.connection_error');
    expect(span?.attributes).toMatchObject({ 'db.system.name': 'postgresql' });
    expect(lines.find((l) => l.store === 'postgres')).toMatchObject({
      level: ERROR,
      code: 'UNAVAILABLE',
      msg: 'PostgreSQL idle client failed; the pool replaces it',
      ...idsOf(span),
    });
    expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});

describe('Neo4j driver', () => {
  it("the driver's error log reaches the logger, with the ids of its span", async () => {
    const { logger, lines } = capturingPino();
    const target = new URL(NEO4J_URL);
    const proxy = await tcpProxy({ host: target.hostname, port: Number(target.port || 7687) });
    cleanups.push(() => proxy.close());
    const neo4j = await createNeo4jConnection({
      url: `bolt://127.0.0.1:${proxy.port}`,
      ensureSchema: false,
      maxTransactionRetryTimeMs: 500,
      logger,
      tracerProvider: provider,
    });
    cleanups.push(() => neo4j.close());
    expect(await neo4j.read((tx) => tx.run('RETURN 1 AS one'))).toEqual([{ one: 1 }]);
    // The pooled connection dies under the driver: it logs that itself, in the background.
    await proxy.cut();
    await expect(neo4j.read((tx) => tx.run('RETURN 1 AS one'))).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    await until(() => expect(lines.some((l) => l.store === 'neo4j')).toBe(true));
    const line = lines.find((l) => l.store === 'neo4j');
    const span = spansNamed('intelgraph.store.connection_error').find(
      (s) => s.spanContext().spanId === line?.span_id,
    );
    expect(span?.attributes).toMatchObject({
      'db.system.name': 'neo4j',
      'intelgraph.error.code': 'UNAVAILABLE',
    });
    expect(line).toMatchObject({
      level: ERROR,
      code: 'UNAVAILABLE',
      msg: 'Neo4j driver error',
      ...idsOf(span),
    });
  });
});
