import type { MeterEvent } from '@intelgraph/core';

/**
 * Stripe's timestamp window for meter events: the past 35 days, and up to 5 minutes ahead.
 *
 * @example
 * ```ts
 * import { STRIPE_METER_EVENT_WINDOW } from '@intelgraph/finops';
 * const oldest = Math.floor(Date.now() / 1000) - STRIPE_METER_EVENT_WINDOW.pastSeconds;
 * ```
 */
export const STRIPE_METER_EVENT_WINDOW = Object.freeze({ pastSeconds: 35 * 86_400, futureSeconds: 300 });

/** What the dispatcher does with an event before any call. */
export type MeterEventPreflight =
  | { ok: true }
  | { ok: false; outcome: 'zero_quantity' }
  | { ok: false; outcome: 'outside_window' | 'invalid_event'; error: string };

const NAME = /^[\x21-\x7e]{1,100}$/;

/**
 * Checks an outbox event against what Stripe's `POST /v1/billing/meter_events` accepts, so that no call
 * is spent on an answer known in advance: a quantity of 0 is not sent (`zero_quantity`); a timestamp
 * older than 35 days or more than 5 minutes ahead of `nowMs` is `outside_window`; a malformed event
 * (names over 100 characters, a value that is not a whole number) is `invalid_event`.
 *
 * @example
 * ```ts
 * import { preflightMeterEvent } from '@intelgraph/finops';
 * const event = { event_name: 'e', payload: { stripe_customer_id: 'cus_1', value: '0' }, identifier: 'run_1', timestamp: 1_767_225_600 };
 * preflightMeterEvent(event, Date.UTC(2026, 0, 1)); // { ok: false, outcome: 'zero_quantity' }
 * ```
 */
export function preflightMeterEvent(event: MeterEvent, nowMs: number): MeterEventPreflight {
  if (!NAME.test(event.event_name) || !NAME.test(event.identifier)) {
    return {
      ok: false,
      outcome: 'invalid_event',
      error: 'event_name and identifier must be 1-100 visible characters',
    };
  }
  if (!/^[0-9]{1,18}$/.test(event.payload.value)) {
    return {
      ok: false,
      outcome: 'invalid_event',
      error: `value "${event.payload.value}" is not a whole number`,
    };
  }
  if (typeof event.payload.stripe_customer_id !== 'string' || event.payload.stripe_customer_id.length === 0) {
    return { ok: false, outcome: 'invalid_event', error: 'no customer in the payload' };
  }
  if (/^0+$/.test(event.payload.value)) return { ok: false, outcome: 'zero_quantity' };
  if (!Number.isSafeInteger(event.timestamp)) {
    return {
      ok: false,
      outcome: 'invalid_event',
      error: `timestamp ${event.timestamp} is not whole seconds`,
    };
  }
  const now = Math.floor(nowMs / 1000);
  if (event.timestamp < now - STRIPE_METER_EVENT_WINDOW.pastSeconds) {
    return {
      ok: false,
      outcome: 'outside_window',
      error: `timestamp ${event.timestamp} is more than 35 days old; Stripe refuses it`,
    };
  }
  if (event.timestamp > now + STRIPE_METER_EVENT_WINDOW.futureSeconds) {
    return {
      ok: false,
      outcome: 'outside_window',
      error: `timestamp ${event.timestamp} is more than 5 minutes in the future; Stripe refuses it`,
    };
  }
  return { ok: true };
}
