// One backoff formula and one retry loop for every place that retries: the webhook sender, the billing
// dispatcher's per-event and 429 backoff, and the Redis reconnect strategy. Capped exponential backoff with
// a pluggable jitter source, so a caller that needs reproducible delays (billing derives its jitter from the
// event identifier) gets them, and tests inject `sleep` instead of waiting.

/** Inputs of {@link backoffDelay}. */
export interface BackoffOptions {
  /** Zero-based: the delay before the first retry is `attempt: 0`. */
  attempt: number;
  /** Delay of attempt 0 before jitter, doubled per attempt. */
  baseMs: number;
  /** Cap of the exponential delay (before jitter). */
  maxMs: number;
  /**
   * Share of the delay that is random, 0–1 (default 0.5): the delay is drawn from
   * `[exp × (1 − jitter), exp]`. 0 gives the bare exponential, 1 "full jitter".
   */
  jitter?: number;
  /** The jitter source, a number in [0, 1] (default `Math.random`); pass a deterministic one for reproducible delays. */
  random?: () => number;
}

/**
 * Capped exponential backoff with jitter: `min(maxMs, baseMs × 2^attempt)`, of which the `jitter` share is
 * scaled by `random()`. Whole milliseconds.
 *
 * @example
 * ```ts
 * import { backoffDelay } from '@intelgraph/core';
 * backoffDelay({ attempt: 3, baseMs: 100, maxMs: 10_000, jitter: 0 }); // 800
 * backoffDelay({ attempt: 3, baseMs: 100, maxMs: 10_000 }); // between 400 and 800
 * backoffDelay({ attempt: 3, baseMs: 100, maxMs: 10_000, random: () => 1 }); // 800
 * ```
 */
export function backoffDelay(options: BackoffOptions): number {
  const { attempt, baseMs, maxMs, jitter = 0.5, random = Math.random } = options;
  const exp = Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, attempt)));
  const share = Math.min(1, Math.max(0, jitter));
  if (share === 0) return Math.floor(exp);
  const r = Math.min(1, Math.max(0, random()));
  return Math.floor(exp * (1 - share + r * share));
}

/** What a retry predicate answers: give up (`false`), retry after the backoff (`true`), or not sooner than `{ afterMs }`. */
export type RetryDecision = boolean | { afterMs: number };

/** Options of {@link retry}. */
export interface RetryOptions {
  /** Total attempts, at least 1 (1 means no retry). */
  attempts: number;
  /** Backoff before the first retry (default 200), doubled per retry. */
  baseMs?: number;
  /** Cap of the backoff (default 30 000). A retry hint (`{ afterMs }`) beyond it ends the retries. */
  maxMs?: number;
  /** See {@link BackoffOptions.jitter} (default 0.5). */
  jitter?: number;
  /** See {@link BackoffOptions.random}. */
  random?: () => number;
  /**
   * Whether an error may be retried (default: every error), and optionally a minimum wait (for example a
   * `Retry-After`). `attempt` is the 1-based number of the attempt that failed.
   */
  isRetryable?: (error: unknown, attempt: number) => RetryDecision;
  /** How to wait (default `setTimeout`); tests inject a fake. */
  sleep?: (ms: number) => Promise<void>;
  /** Called before each wait, for logging. */
  onRetry?: (info: { error: unknown; attempt: number; delayMs: number }) => void;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Calls `fn` until it resolves, an error is not retryable, or the attempts run out; waits
 * {@link backoffDelay} between attempts (at least the predicate's `afterMs`). Rejects with the last error,
 * unchanged, so the caller decides what to wrap it in.
 *
 * @example
 * ```ts
 * import { retry } from '@intelgraph/core';
 * const res = await retry((attempt) => fetch(url, { method: 'POST', body }), {
 *   attempts: 3,
 *   baseMs: 200,
 *   isRetryable: (err) => !(err instanceof SyntaxError),
 * });
 * ```
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const attempts = Math.max(1, Math.floor(options.attempts));
  const baseMs = options.baseMs ?? 200;
  const maxMs = options.maxMs ?? 30_000;
  const sleep = options.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= attempts) throw error;
      const decision = options.isRetryable ? options.isRetryable(error, attempt) : true;
      if (decision === false) throw error;
      const floor = decision === true ? 0 : decision.afterMs;
      if (floor > maxMs) throw error;
      const delayMs = Math.max(
        floor,
        backoffDelay({
          attempt: attempt - 1,
          baseMs,
          maxMs,
          ...(options.jitter === undefined ? {} : { jitter: options.jitter }),
          ...(options.random === undefined ? {} : { random: options.random }),
        }),
      );
      options.onRetry?.({ error, attempt, delayMs });
      await sleep(delayMs);
    }
  }
}
