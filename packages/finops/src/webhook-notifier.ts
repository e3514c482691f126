import { createHmac } from 'node:crypto';
import { type AlertNotifier, IntelGraphError, parseInput } from '@intelgraph/core';
import { z } from 'zod';

const OptionsSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    headers: z.record(z.string(), z.string()).optional(),
    secret: z.string().min(16).optional(),
    timeoutMs: z.number().int().positive().max(60_000).optional(),
    attempts: z.number().int().min(1).max(10).optional(),
    backoffMs: z.number().int().nonnegative().max(60_000).optional(),
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
  /** Delay before the second attempt, doubled each time (default 200). */
  backoffMs?: number;
  /** Injected for tests; defaults to the global `fetch`. */
  fetch?: typeof fetch;
}

/**
 * An {@link AlertNotifier} that POSTs each alert as JSON, retrying non-2xx answers and network errors
 * with exponential backoff. The alert `id` travels as `Idempotency-Key`, so a receiver can drop repeats.
 *
 * @example
 * ```ts
 * import { createFinOps, createWebhookNotifier } from '@intelgraph/finops';
 * const finops = createFinOps({ notifier: createWebhookNotifier({ url: 'https://ops.example.com/hooks/quota' }) });
 * ```
 */
export function createWebhookNotifier(options: WebhookNotifierOptions): AlertNotifier {
  const { fetch: injected, ...rest } = options;
  const o = parseInput(OptionsSchema, rest, 'webhook notifier options');
  const doFetch = injected ?? globalThis.fetch;
  const attempts = o.attempts ?? 3;
  return {
    async notify(alert) {
      const body = JSON.stringify(alert);
      const headers: Record<string, string> = {
        ...o.headers,
        'content-type': 'application/json',
        'idempotency-key': alert.id,
      };
      if (o.secret) {
        headers['x-intelgraph-signature'] =
          `sha256=${createHmac('sha256', o.secret).update(body).digest('hex')}`;
      }
      let last = '';
      for (let i = 0; i < attempts; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, (o.backoffMs ?? 200) * 2 ** (i - 1)));
        try {
          const res = await doFetch(o.url, {
            method: 'POST',
            headers,
            body,
            signal: AbortSignal.timeout(o.timeoutMs ?? 5000),
          });
          await res.body?.cancel();
          if (res.ok) return;
          last = `HTTP ${res.status}`;
        } catch (err) {
          last = err instanceof Error ? err.message : String(err);
        }
      }
      throw new IntelGraphError(
        'UNAVAILABLE',
        `quota alert webhook failed after ${attempts} attempts: ${last}`,
        {
          details: { url: o.url, attempts, lastError: last },
        },
      );
    },
  };
}
