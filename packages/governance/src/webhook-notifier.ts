import { createHmac } from 'node:crypto';
import { IntelGraphError, type ReviewNotifier } from '@intelgraph/core';
import { z } from 'zod';

/** Options of {@link createWebhookNotifier}. */
export interface WebhookNotifierOptions {
  /** Where notifications are POSTed as JSON (`http:` or `https:`). */
  url: string;
  /** Abort a delivery after this many ms (default 5 000). */
  timeoutMs?: number;
  /** When set, each body is signed: header `x-intelgraph-signature: sha256=<hex HMAC-SHA256>`. */
  secret?: string;
  /** Extra headers, for example an API key. */
  headers?: Record<string, string>;
  /** The fetch implementation (default: the global `fetch`). */
  fetch?: typeof fetch;
}

const OptionsSchema = z
  .object({
    url: z.url({ protocol: /^https?$/u }),
    timeoutMs: z.number().int().min(1).max(120_000).optional(),
    secret: z.string().min(1).max(1000).optional(),
    headers: z.record(z.string().min(1).max(100), z.string().max(4000)).optional(),
    fetch: z.custom<typeof fetch>((f) => typeof f === 'function').optional(),
  })
  .strict();

/**
 * A notifier that POSTs each notification as JSON to a webhook, with a timeout and an optional HMAC
 * signature. A non-2xx answer, a network error or a timeout rejects with `UNAVAILABLE`; governance
 * records that in the audit trail and the decision stands.
 *
 * @example
 * ```ts
 * import { createGovernance, createWebhookNotifier } from '@intelgraph/governance';
 * const notifier = createWebhookNotifier({ url: 'https://hooks.example.com/reviews', secret: process.env.HOOK_SECRET, timeoutMs: 3000 });
 * const gov = createGovernance({ policies, appliers, notifier });
 * ```
 */
export function createWebhookNotifier(options: WebhookNotifierOptions): ReviewNotifier {
  const r = OptionsSchema.safeParse(options);
  if (!r.success)
    throw new IntelGraphError(
      'INVALID_INPUT',
      `invalid webhook notifier options: ${r.error.issues[0]?.message ?? ''}`,
      {
        details: { issues: r.error.issues.map((i) => ({ code: i.code, path: i.path, message: i.message })) },
      },
    );
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5_000;
  return {
    async notify(notification) {
      const body = JSON.stringify(notification);
      const headers: Record<string, string> = {
        ...options.headers,
        'content-type': 'application/json',
        'x-intelgraph-event': notification.type,
        'x-intelgraph-delivery': notification.id,
      };
      if (options.secret)
        headers['x-intelgraph-signature'] =
          `sha256=${createHmac('sha256', options.secret).update(body).digest('hex')}`;
      let response: Response;
      try {
        response = await doFetch(options.url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'error',
        });
      } catch (err) {
        const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
        throw new IntelGraphError(
          'UNAVAILABLE',
          timedOut ? `webhook timed out after ${timeoutMs} ms` : 'webhook delivery failed',
          { details: { timeoutMs, timedOut }, cause: err },
        );
      }
      // Drain the body so the connection can be reused.
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok)
        throw new IntelGraphError('UNAVAILABLE', `webhook answered ${response.status}`, {
          details: { status: response.status },
        });
    },
  };
}
