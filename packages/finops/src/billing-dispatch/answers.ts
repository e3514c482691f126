import {
  type BillingOutboxRecord,
  backoffDelay,
  IntelGraphError,
  logEvent,
  logFailure,
} from '@intelgraph/core';
import type { StripeAnswer } from '../billing-answer.js';
import {
  ANSWER_CODES,
  alert,
  backoff,
  entryFields,
  freshKey,
  keyHint,
  type Pause,
  type Round,
} from './context.js';

// How a round applies Stripe's answers: delivered, already billed, dead, retried, or the whole batch
// stopped (401/403 pause, 429 back-off).

/** Records an entry delivered (once: `markDelivered` succeeds once per entry). */
export async function markDelivered(
  round: Round,
  record: BillingOutboxRecord,
  after: number,
  alreadyBilled: boolean,
): Promise<void> {
  const { report } = round;
  if (
    await round.ctx.outbox.markDelivered(record.event.identifier, round.leaseToken, after, { alreadyBilled })
  ) {
    report.delivered++;
    if (alreadyBilled) report.alreadyBilled++;
  }
}

/**
 * 401/403 pause all delivery, 429 backs the dispatcher off: nothing ran and it is no fault of the
 * entries, so the rest of the batch goes back unsent. True when the batch must stop.
 */
export async function stopOn(
  round: Round,
  answer: StripeAnswer,
  rest: readonly BillingOutboxRecord[],
  after: number,
): Promise<boolean> {
  if (answer.kind !== 'auth' && answer.kind !== 'rate_limited') return false;
  const { ctx, key } = round;
  const { state, logger } = ctx;
  let notBefore = after;
  if (answer.kind === 'auth') {
    round.authFailures++;
    const paused: Pause = {
      reason: answer.status === 401 ? 'authentication' : 'permission',
      detail: answer.detail,
      since: after,
      keyHint: keyHint(key),
      key,
    };
    state.paused = paused;
    alert(ctx, {
      kind: 'billing.delivery_paused',
      reason: paused.reason,
      detail: answer.detail,
      keyHint: paused.keyHint,
    });
    logFailure(
      logger,
      'billing delivery paused until the Stripe key changes',
      new IntelGraphError(answer.status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN', answer.detail),
      { status: answer.status, keyHint: paused.keyHint },
    );
  } else {
    round.rateLimited++;
    state.consecutive429++;
    const exp = backoffDelay({
      attempt: state.consecutive429 - 1,
      baseMs: ctx.base,
      maxMs: ctx.cap,
      jitter: 0,
    });
    const floor = answer.shouldRetry === false ? ctx.cap : exp;
    state.backoffUntil = after + Math.max(floor, answer.retryAfterMs ?? 0);
    notBefore = state.backoffUntil;
    logEvent(logger, 'warn', 'billing delivery backing off (Stripe rate limit)', {
      code: 'RATE_LIMITED',
      backoffUntil: new Date(state.backoffUntil).toISOString(),
    });
  }
  round.report.released += await ctx.outbox.release(
    rest.map((r) => r.event.identifier),
    round.leaseToken,
    notBefore,
  );
  return true;
}

const logFailed = (
  round: Round,
  record: BillingOutboxRecord,
  answer: StripeAnswer,
  cause: unknown,
  next: string,
) =>
  logFailure(
    round.ctx.logger,
    'billing delivery failed',
    new IntelGraphError(ANSWER_CODES[answer.kind], `Stripe: ${answer.detail}`, { cause }),
    { ...entryFields(record), stripe: answer.kind, attempt: record.attempts + 1, next },
  );

/** Applies a failed send's answer to one entry: already billed, dead (rejected or exhausted), or retried. */
export async function failed(
  round: Round,
  record: BillingOutboxRecord,
  answer: StripeAnswer,
  after: number,
  cause: unknown,
): Promise<void> {
  const { ctx, leaseToken, report } = round;
  const { outbox, o } = ctx;
  const id = record.event.identifier;
  if (answer.kind === 'already_billed') return markDelivered(round, record, after, true);
  if (answer.kind === 'rejected') {
    if (await outbox.markFailed(id, leaseToken, { error: answer.detail, nextAttemptAt: after, dead: true })) {
      report.dead++;
      logFailed(round, record, answer, cause, 'dead');
    }
    return;
  }
  // Retryable: network (same key), server_error (fresh key), conflict, key_mismatch (fresh key).
  const exhausted = o.maxAttempts !== undefined && record.attempts + 1 >= o.maxAttempts;
  const rotate =
    answer.kind === 'server_error' ||
    answer.kind === 'key_mismatch' ||
    (answer.kind === 'conflict' && answer.freshKey);
  const uncertain =
    answer.kind === 'network' ||
    answer.kind === 'server_error' ||
    (answer.kind === 'conflict' && answer.inFlight);
  const wait = Math.max(
    backoff(ctx, record),
    'retryAfterMs' in answer && answer.retryAfterMs !== null ? answer.retryAfterMs : 0,
  );
  const marked = await outbox.markFailed(id, leaseToken, {
    error: answer.detail,
    nextAttemptAt: answer.kind === 'key_mismatch' ? after : after + wait,
    dead: exhausted,
    outcome: 'exhausted',
    ...(rotate ? { idempotencyKey: freshKey(ctx, record) } : {}),
    ...(uncertain ? { uncertainAt: after } : {}),
  });
  if (marked) {
    if (exhausted) report.dead++;
    else report.retried++;
    logFailed(round, record, answer, cause, exhausted ? 'dead' : 'retry');
  }
}
