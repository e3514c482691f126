import { type AlertNotifier, createWebhookSender, parseInput } from '@intelgraph/core';
import { z } from 'zod';

// Finops' own limits on top of the shared sender's (a signing secret of at least 16 characters, 60 s per attempt).
const OptionsSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    headers: z.record(z.string(), z.string()).optional(),
    secret: z.string().min(16).optional(),
    timeoutMs: z.number().int().positive().max(60_000).optional(),
    attempts: z.number().int().min(1).max(10).optional(),
    backoffMs: z.number().int().nonnegative().max(60_000).optional(),
    maxBackoffMs: z.number().int().nonnegative().max(300_000).optional(),
  })
  .strict();

/** Options of {@link createWebhookNotifier}. */
export interface WebhookNotifierOptions {
  url: string;
  headers?: Record<string, string>;
  /** When set, each body is signed: `X-IntelGraph-Signature: sha256=<hex HMAC-SHA256>`. */
  secret?: string;
  /** Per attempt (default 5000). */
  timeoutMs?: number;
  /** Attempts per alert (default 3). */
  attempts?: number;
  /** Delay before the second attempt, doubled each time with jitter (default 200). */
  backoffMs?: number;
  /** Cap of the delay between attempts (default 10 000); a longer `Retry-After` ends the retries. */
  maxBackoffMs?: number;
  /** Injected for tests; defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /** How to wait between attempts; injected for tests (default `setTimeout`). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * An {@link AlertNotifier} that POSTs each alert as JSON through core's `createWebhookSender`: a timeout per
 * attempt, retries with exponential backoff and jitter on network errors, 5xx and 429 (never sooner than
 * `Retry-After`), no retry on other 4xx, no redirects. The alert `id` travels as `Idempotency-Key` (and
 * `x-intelgraph-delivery`), so a receiver can drop repeats; `x-intelgraph-event` is the alert's `kind`. Failure
 * is `UNAVAILABLE`.
 *
 * @example
 * ```ts
 * import { createFinOps, createWebhookNotifier } from '@intelgraph/finops';
 * const finops = createFinOps({ notifier: createWebhookNotifier({ url: 'https://ops.example.com/hooks/quota' }) });
 * ```
 */
export function createWebhookNotifier(options: WebhookNotifierOptions): AlertNotifier {
  const { fetch: injectedFetch, sleep, ...rest } = options;
  const o = parseInput(OptionsSchema, rest, 'webhook notifier options');
  const sender = createWebhookSender({
    ...o,
    label: 'quota alert webhook',
    ...(injectedFetch ? { fetch: injectedFetch } : {}),
    ...(sleep ? { sleep } : {}),
  });
  return {
    async notify(alert) {
      await sender.send({ id: alert.id, body: alert, headers: { 'x-intelgraph-event': alert.kind } });
    },
  };
}
