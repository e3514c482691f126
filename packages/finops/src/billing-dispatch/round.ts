import { type BillingOutboxRecord, IntelGraphError, inBackgroundSpan, logFailure } from '@intelgraph/core';
import type { Tracer } from '@opentelemetry/api';
import { readStripeAnswer } from '../billing-answer.js';
import { METER_EVENT_STREAM_BATCH } from '../billing-meter-event-stream.js';
import { preflightMeterEvent } from '../billing-preflight.js';
import { meterEventParams } from '../meter-events.js';
import { failed, markDelivered, stopOn } from './answers.js';
import {
  clientFor,
  currentKey,
  type DispatcherContext,
  emptyReport,
  entryFields,
  type Round,
  resumeDelivery,
  streamFor,
} from './context.js';
import type { DispatchReport } from './types.js';

// One dispatch round: claim due entries, settle the ones that must not be sent, send the rest, and
// apply Stripe's answers (answers.ts).

/**
 * Step 1, before any call: zero quantities are skipped; events outside Stripe's window, malformed events
 * and events whose de-duplication lapsed after an uncertain attempt are dead. Returns the rest.
 */
async function screen(round: Round, records: readonly BillingOutboxRecord[]): Promise<BillingOutboxRecord[]> {
  const { ctx, leaseToken, report } = round;
  const { outbox, clock, logger } = ctx;
  const sendable: BillingOutboxRecord[] = [];
  for (const record of records) {
    const id = record.event.identifier;
    const now = clock.now();
    const pre = preflightMeterEvent(record.event, now);
    if (!pre.ok) {
      if (pre.outcome === 'zero_quantity') {
        if (await outbox.markSkipped(id, leaseToken, 'zero_quantity', now)) report.skipped++;
      } else if (
        await outbox.markFailed(id, leaseToken, {
          error: pre.error,
          nextAttemptAt: now,
          dead: true,
          outcome: pre.outcome,
          countAttempt: false,
        })
      ) {
        report.dead++;
        logFailure(
          logger,
          'billing event dead before delivery',
          new IntelGraphError('INVALID_INPUT', pre.error),
          {
            ...entryFields(record),
            outcome: pre.outcome,
          },
        );
      }
      continue;
    }
    if (record.uncertainSince !== null && now - record.uncertainSince >= ctx.dedupWindowMs) {
      const marked = await outbox.markFailed(id, leaseToken, {
        error: `an attempt at ${new Date(record.uncertainSince).toISOString()} may have been billed and Stripe's identifier de-duplication may have lapsed since; reconcile with Stripe before re-queueing`,
        nextAttemptAt: now,
        dead: true,
        outcome: 'uncertain_past_dedup_window',
        countAttempt: false,
      });
      if (marked) {
        report.dead++;
        logFailure(
          logger,
          'billing event dead: its de-duplication window lapsed after an uncertain attempt',
          new IntelGraphError('CONFLICT', 'uncertain past the de-duplication window'),
          { ...entryFields(record), outcome: 'uncertain_past_dedup_window' },
        );
      }
      continue;
    }
    sendable.push(record);
  }
  return sendable;
}

/** Step 2, send: one request per event on v1, up to 100 events per request on the v2 stream. */
async function send(round: Round, sendable: readonly BillingOutboxRecord[]): Promise<void> {
  const { ctx, key } = round;
  const { o, clock, keys } = ctx;
  const per = o.transport === 'v2_stream' ? METER_EVENT_STREAM_BATCH : 1;
  for (let i = 0; i < sendable.length; i += per) {
    const chunk = sendable.slice(i, i + per);
    let error: unknown = null;
    try {
      if (o.transport === 'v2_stream') {
        await streamFor(ctx, key).send(chunk.map((r) => meterEventParams(r.event, keys)));
      } else {
        const record = chunk[0]!;
        await clientFor(ctx, key).create(meterEventParams(record.event, keys), record.idempotencyKey);
      }
    } catch (err) {
      error = err;
    }
    const after = clock.now();
    if (error === null) {
      ctx.state.consecutive429 = 0;
      for (const record of chunk) await markDelivered(round, record, after, false);
      continue;
    }
    const answer = readStripeAnswer(error, after);
    if (await stopOn(round, answer, sendable.slice(i), after)) break;
    ctx.state.consecutive429 = 0;
    for (const record of chunk) await failed(round, record, answer, after, error);
  }
}

/** Claims due entries and tries each once (nothing while paused or backing off). */
export async function dispatchOnceIn(ctx: DispatcherContext): Promise<DispatchReport> {
  const { state, clock, o, meters } = ctx;
  const key = await currentKey(ctx);
  if (state.paused !== null && key !== state.paused.key && key.length > 0)
    resumeDelivery(ctx, 'credentials_changed');
  if (state.paused !== null) return emptyReport(ctx);
  if (clock.now() < state.backoffUntil) return emptyReport(ctx);
  if (key.length === 0) {
    throw new IntelGraphError(
      'INVALID_INPUT',
      'billing dispatcher: the apiKey function returned an empty key',
    );
  }
  const leaseToken = ctx.ids.next('lease');
  const claim = await ctx.outbox.claim({
    now: clock.now(),
    limit: o.batchSize ?? 50,
    leaseMs: o.leaseMs ?? 30_000,
    leaseToken,
  });
  const round: Round = {
    ctx,
    key,
    leaseToken,
    report: emptyReport(ctx, claim.records.length),
    rateLimited: 0,
    authFailures: 0,
  };
  await send(round, await screen(round, claim.records));

  const { report } = round;
  report.paused = state.paused !== null;
  report.backoffUntil = state.backoffUntil > clock.now() ? state.backoffUntil : null;
  meters?.recordBillingDispatch('delivered', report.delivered - report.alreadyBilled);
  meters?.recordBillingDispatch('already_billed', report.alreadyBilled);
  meters?.recordBillingDispatch('skipped', report.skipped);
  meters?.recordBillingDispatch('retry', report.retried);
  meters?.recordBillingDispatch('dead', report.dead);
  meters?.recordBillingDispatch('rate_limited', round.rateLimited);
  meters?.recordBillingDispatch('paused', round.authFailures);
  return report;
}

/** One round in a span of its own, so what it logs carries a trace and span id. */
export const dispatchRound = (
  ctx: DispatcherContext,
  tracer: Tracer,
  logRoundFailure: boolean,
): Promise<DispatchReport> =>
  inBackgroundSpan(tracer, 'intelgraph.billing.dispatch', {}, async (span) => {
    try {
      const report = await dispatchOnceIn(ctx);
      if (span.isRecording())
        span.setAttributes({
          'intelgraph.billing.claimed': report.claimed,
          'intelgraph.billing.delivered': report.delivered,
          'intelgraph.billing.retried': report.retried,
          'intelgraph.billing.dead': report.dead,
          'intelgraph.billing.released': report.released,
          'intelgraph.billing.paused': report.paused,
        });
      return report;
    } catch (err) {
      if (logRoundFailure) logFailure(ctx.logger, 'billing dispatch round failed', err);
      throw err;
    }
  });
