import { createWebhookSender, IntelGraphError, type ReviewNotifier } from '@intelgraph/core';
import { z } from 'zod';

/** Options of {@link createWebhookNotifier}. */
export interface WebhookNotifierOptions {
  /** Where notifications are POSTed as JSON (`http:` or `https:`). */
  url: string;
  /** Abort an attempt after this many ms (default 5 000). */
  timeoutMs?: number;
  /** When set, each body is signed: header `x-intelgraph-signature: sha256=<hex HMAC-SHA256>`. */
  secret?: string;
  /** Extra headers, for example an API key. */
  headers?: Record<string, string>;
  /**
   * Attempts per notification, 1–10 (default 1: governance awaits delivery after the decision, so retries
   * add to its latency; raise it to retry network errors, 5xx and 429 with backoff).
   */
  attempts?: number;
  /** Backoff before the first retry, in ms (default 200), doubled per retry with jitter. */
  backoffMs?: number;
  /** The fetch implementation (default: the global `fetch`). */
  fetch?: typeof fetch;
  /** How to wait between attempts; injected for tests (default `setTimeout`). */
  sleep?: (ms: number) => Promise<void>;
}

// Governance's own limits, checked before the shared sender's.
const OptionsSchema = z
  .object({
    url: z.url({ protocol: /^https?$/u }),
    timeoutMs: z.number().int().min(1).max(120_000).optional(),
    secret: z.string().min(1).max(1000).optional(),
    headers: z.record(z.string().min(1).max(100), z.string().max(4000)).optional(),
    attempts: z.number().int().min(1).max(10).optional(),
    backoffMs: z.number().int().nonnegative().max(60_000).optional(),
    fetch: z.custom<typeof fetch>((f) => typeof f === 'function').optional(),
    sleep: z.custom<(ms: number) => Promise<void>>((f) => typeof f === 'function').optional(),
  })
  .strict();

/**
 * A notifier that POSTs each notification as JSON to a webhook through core's `createWebhookSender`: a
 * timeout per attempt, an optional HMAC signature, no redirects, `x-intelgraph-event` (the notification
 * type) and `x-intelgraph-delivery` / `idempotency-key` (its id). A non-2xx answer, a network error or a
 * timeout rejects with `UNAVAILABLE` (after `attempts`, default 1); governance records that in the audit
 * trail and the decision stands.
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
  const sender = createWebhookSender({
    ...r.data,
    attempts: r.data.attempts ?? 1,
    label: 'review notification webhook',
  });
  return {
    async notify(notification) {
      await sender.send({
        id: notification.id,
        body: notification,
        headers: { 'x-intelgraph-event': notification.type },
      });
    },
  };
}
