import { createServer, type IncomingMessage, type Server } from 'node:http';
import { isIntelGraphError, type QuotaAlert } from '@intelgraph/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebhookNotifier } from './webhook-notifier.js';

const alert: QuotaAlert = {
  id: 'qa_1',
  kind: 'quota.threshold',
  org: 'acme',
  plugin: null,
  resource: 'calls',
  window: 'day',
  mode: 'hard',
  limit: 100,
  used: 80,
  threshold: 0.8,
  windowStart: '2026-04-01T00:00:00.000Z',
  at: '2026-04-01T10:00:00.000Z',
};

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

async function receiver(status: (n: number) => number) {
  const hits: IncomingMessage['headers'][] = [];
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits.push(req.headers);
      res.writeHead(status(hits.length)).end();
    });
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return { url: `http://127.0.0.1:${address.port}/quota`, hits };
}

describe('createWebhookNotifier (finops)', () => {
  it('retries a 5xx with backoff under the alert id as idempotency key', async () => {
    const { url, hits } = await receiver((n) => (n === 1 ? 502 : 204));
    const waits: number[] = [];
    const notifier = createWebhookNotifier({ url, backoffMs: 10, sleep: async (ms) => void waits.push(ms) });
    await notifier.notify(alert);
    expect(hits.map((h) => [h['idempotency-key'], h['x-intelgraph-event']])).toEqual([
      ['qa_1', 'quota.threshold'],
      ['qa_1', 'quota.threshold'],
    ]);
    expect(waits).toHaveLength(1);
  });

  it('fails with UNAVAILABLE after its attempts, without retrying a 4xx', async () => {
    const { url, hits } = await receiver(() => 404);
    const err = await createWebhookNotifier({ url, attempts: 3, sleep: async () => undefined })
      .notify(alert)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(isIntelGraphError(err) && [err.code, err.details.status]).toEqual(['UNAVAILABLE', 404]);
    expect(hits).toHaveLength(1);
  });

  it('keeps its own option limits (a signing secret of at least 16 characters)', () => {
    expect(() => createWebhookNotifier({ url: 'https://ops.example.com/q', secret: 'short' })).toThrow(
      /invalid webhook notifier options/,
    );
  });
});
