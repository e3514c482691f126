import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { isIntelGraphError } from './errors.js';
import { createWebhookSender, parseRetryAfter } from './webhook.js';

interface Hit {
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

/** A real receiver on 127.0.0.1: `answer` gets each request (numbered from 1) and writes the response. */
async function receiver(
  answer: (n: number, req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      hits.push({ url: req.url ?? '', headers: req.headers, body });
      answer(hits.length, req, res);
    });
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return { url: `http://127.0.0.1:${address.port}/hook`, hits };
}

/** A sleep that records the waits and returns at once (no wall clock in these tests). */
function fakeSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    if (isIntelGraphError(err)) return err;
    throw err;
  }
  throw new Error('expected the delivery to fail');
}

const delivery = {
  id: 'dlv_1',
  body: { type: 'quota.threshold', used: 80 },
  headers: { 'x-intelgraph-event': 'quota.threshold' },
};

describe('createWebhookSender', () => {
  it('POSTs signed JSON with the delivery id as idempotency key', async () => {
    const { url, hits } = await receiver((_n, _req, res) => res.writeHead(204).end());
    const hook = createWebhookSender({ url, secret: 'whsec_0123456789', headers: { 'x-api-key': 'k' } });
    expect(await hook.send(delivery)).toEqual({ status: 204, attempts: 1 });
    expect(hits).toHaveLength(1);
    const [hit] = hits;
    expect(JSON.parse(hit?.body ?? '')).toEqual(delivery.body);
    expect(hit?.headers).toMatchObject({
      'content-type': 'application/json',
      'idempotency-key': 'dlv_1',
      'x-intelgraph-delivery': 'dlv_1',
      'x-intelgraph-event': 'quota.threshold',
      'x-api-key': 'k',
      'x-intelgraph-signature': `sha256=${createHmac('sha256', 'whsec_0123456789')
        .update(hit?.body ?? '')
        .digest('hex')}`,
    });
  });

  it('retries 5xx with exponential backoff and the same delivery id, then succeeds', async () => {
    const { url, hits } = await receiver((n, _req, res) => res.writeHead(n < 3 ? 503 : 200).end('ok'));
    const { waits, sleep } = fakeSleep();
    const hook = createWebhookSender({ url, attempts: 3, backoffMs: 100, sleep, random: () => 1 });
    expect(await hook.send(delivery)).toEqual({ status: 200, attempts: 3 });
    expect(waits).toEqual([100, 200]);
    expect(new Set(hits.map((h) => h.headers['idempotency-key']))).toEqual(new Set(['dlv_1']));
  });

  it('honours Retry-After on 429, and gives up when it is longer than the backoff cap', async () => {
    const first = await receiver((n, _req, res) =>
      n === 1 ? res.writeHead(429, { 'retry-after': '3' }).end() : res.writeHead(200).end(),
    );
    const a = fakeSleep();
    const hook = createWebhookSender({ url: first.url, backoffMs: 100, sleep: a.sleep, random: () => 1 });
    expect(await hook.send(delivery)).toEqual({ status: 200, attempts: 2 });
    expect(a.waits).toEqual([3_000]);
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));

    const later = await receiver((_n, _req, res) => res.writeHead(429, { 'retry-after': '3600' }).end());
    const b = fakeSleep();
    const err = await failure(
      createWebhookSender({ url: later.url, maxBackoffMs: 10_000, sleep: b.sleep }).send(delivery),
    );
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.details).toMatchObject({ status: 429, attempts: 1, retryAfterMs: 3_600_000 });
    expect(later.hits).toHaveLength(1);
    expect(b.waits).toEqual([]);
  });

  it('does not retry other 4xx answers', async () => {
    const { url, hits } = await receiver((_n, _req, res) => res.writeHead(400).end('bad'));
    const { waits, sleep } = fakeSleep();
    const err = await failure(createWebhookSender({ url, attempts: 5, sleep }).send(delivery));
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.details).toMatchObject({ status: 400, attempts: 1, timedOut: false, redirect: false });
    expect(hits).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('refuses redirects without following them or retrying', async () => {
    const { url, hits } = await receiver((_n, _req, res) =>
      res.writeHead(307, { location: '/elsewhere' }).end(),
    );
    const { sleep } = fakeSleep();
    const err = await failure(createWebhookSender({ url, attempts: 3, sleep }).send(delivery));
    expect(err.details).toMatchObject({ redirect: true, attempts: 1 });
    expect(hits.map((h) => h.url)).toEqual(['/hook']);
  });

  it('times out each attempt and retries network failures', async () => {
    const { url, hits } = await receiver(() => undefined); // never answers
    const { waits, sleep } = fakeSleep();
    const err = await failure(createWebhookSender({ url, timeoutMs: 50, attempts: 2, sleep }).send(delivery));
    expect(err.details).toMatchObject({ timedOut: true, attempts: 2 });
    expect(hits).toHaveLength(2);
    expect(waits).toHaveLength(1);

    const refused = await failure(
      createWebhookSender({ url: 'http://127.0.0.1:1/hook', attempts: 2, sleep }).send(delivery),
    );
    expect(refused.details).toMatchObject({ timedOut: false, redirect: false, attempts: 2 });
  });

  it('drains a large response body and keeps the query string out of error details', async () => {
    const big = 'x'.repeat(1_000_000);
    const { url } = await receiver((n, _req, res) => res.writeHead(n === 1 ? 200 : 500).end(big));
    const hook = createWebhookSender({ url: `${url}?token=secret`, attempts: 1 });
    expect(await hook.send(delivery)).toEqual({ status: 200, attempts: 1 });
    const err = await failure(hook.send(delivery));
    expect(err.details.url).toBe(url);
    expect(JSON.stringify(err.details)).not.toContain('secret');
  });

  it('rejects bad options with INVALID_INPUT', () => {
    const bad = [
      { url: 'file:///etc/passwd' },
      { url: 'https://x.example', attempts: 0 },
      { url: 'https://x.example', timeoutMs: 0 },
      { url: 'https://x.example', retries: 3 },
    ];
    for (const options of bad) {
      let code = 'none';
      try {
        Reflect.apply(createWebhookSender, undefined, [options]);
      } catch (err) {
        code = isIntelGraphError(err) ? err.code : 'other';
      }
      expect(code, JSON.stringify(options)).toBe('INVALID_INPUT');
    }
  });
});

describe('WebhookSender.send', () => {
  it('rejects a malformed delivery with INVALID_INPUT before sending anything', async () => {
    const { url, hits } = await receiver((_n, _req, res) => res.writeHead(204).end());
    const hook = createWebhookSender({ url });
    for (const bad of [
      { id: '', body: {} },
      { id: 'a b', body: {} },
      { id: 'x', body: {}, extra: 1 },
      { id: 'x' },
    ]) {
      const err = await failure(Reflect.apply(hook.send, hook, [bad]));
      expect(err.code).toBe('INVALID_INPUT');
    }
    expect(hits).toHaveLength(0);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta seconds and HTTP dates, and ignores anything else', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', Date.UTC(2026, 9, 21, 7, 27))).toBe(60_000);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', Date.UTC(2027, 0, 1))).toBe(0);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
