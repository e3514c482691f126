import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIntelGraphError, type ReviewNotification } from '@intelgraph/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebhookNotifier } from './webhook-notifier.js';

const notification: ReviewNotification = {
  id: 'ntf_1',
  type: 'task.created',
  orgId: 'acme',
  taskId: 'task_1',
  kind: 'export',
  state: 'pending',
  at: '2026-04-01T00:00:00.000Z',
  to: { userIds: [], selectors: ['role:steward'] },
  dueAt: null,
  summary: 'export request by alice needs your review',
};

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

async function listen(
  handler: (req: IncomingMessage, body: string) => { status: number } | 'hang',
): Promise<string> {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const r = handler(req, body);
      if (r === 'hang') return;
      res.writeHead(r.status).end();
    });
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
}

describe('createWebhookNotifier', () => {
  it('POSTs the notification as signed JSON', async () => {
    const seen: { headers: IncomingMessage['headers']; body: string }[] = [];
    const url = await listen((req, body) => {
      seen.push({ headers: req.headers, body });
      return { status: 204 };
    });
    await createWebhookNotifier({ url, secret: 's3cret', headers: { 'x-api-key': 'k' } }).notify(
      notification,
    );
    expect(seen).toHaveLength(1);
    const [hit] = seen;
    expect(JSON.parse(hit?.body ?? '')).toEqual(notification);
    expect(hit?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-intelgraph-event': 'task.created',
      'x-intelgraph-delivery': 'ntf_1',
      'x-api-key': 'k',
      'x-intelgraph-signature': `sha256=${createHmac('sha256', 's3cret')
        .update(hit?.body ?? '')
        .digest('hex')}`,
    });
  });

  it('rejects with UNAVAILABLE on a non-2xx answer, a refused connection or a timeout', async () => {
    const url = await listen((req) => (req.url === '/hook' ? { status: 500 } : 'hang'));
    const codeOf = async (p: Promise<void>) => {
      try {
        await p;
        return 'ok';
      } catch (e) {
        return isIntelGraphError(e) ? `${e.code}:${e.details.status ?? e.details.timedOut}` : 'other';
      }
    };
    expect(await codeOf(createWebhookNotifier({ url }).notify(notification))).toBe('UNAVAILABLE:500');
    const slow = createWebhookNotifier({ url: url.replace('/hook', '/slow'), timeoutMs: 50 });
    expect(await codeOf(slow.notify(notification))).toBe('UNAVAILABLE:true');
    const refused = createWebhookNotifier({ url: 'http://127.0.0.1:1/hook', timeoutMs: 2000 });
    expect(await codeOf(refused.notify(notification))).toBe('UNAVAILABLE:false');
  });

  it('delivers once by default, and retries a 5xx with backoff when attempts is raised', async () => {
    const hits: string[] = [];
    const url = await listen((req) => {
      hits.push(String(req.headers['x-intelgraph-delivery']));
      return { status: hits.length === 1 ? 503 : 204 };
    });
    await expect(createWebhookNotifier({ url }).notify(notification)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    hits.length = 0;
    const waits: number[] = [];
    const retrying = createWebhookNotifier({
      url,
      attempts: 2,
      backoffMs: 10,
      sleep: async (ms) => void waits.push(ms),
    });
    await retrying.notify(notification);
    expect(hits).toEqual(['ntf_1', 'ntf_1']);
    expect(waits).toHaveLength(1);
  });

  it('validates its options', () => {
    expect(() => createWebhookNotifier({ url: 'file:///etc/passwd' })).toThrow(/invalid webhook/);
    expect(() => createWebhookNotifier({ url: 'https://x.example', timeoutMs: 0 })).toThrow(
      /invalid webhook/,
    );
  });
});
