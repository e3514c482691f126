import type { BillingEventInput, Cost, CustomerMapping, MeterEvent } from '@intelgraph/core';
import { z } from 'zod';

/** What a Stripe meter counts for a run: its cost (minor units), one call, CPU ms, or rows. */
export type BillingMeterValue = 'cost' | 'calls' | 'cpuMs' | 'rows';

/** One Stripe meter fed by plugin runs: its `event_name` and which quantity is its `value`. */
export interface BillingMeter {
  eventName: string;
  value: BillingMeterValue;
}

/**
 * Zod schema of a list of {@link BillingMeter}s (distinct values, Stripe's 100-character event names).
 *
 * @example
 * ```ts
 * BillingMetersSchema.parse([{ eventName: 'plugin_rows', value: 'rows' }]);
 * ```
 */
export const BillingMetersSchema = z
  .array(
    z
      .object({
        eventName: z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/),
        value: z.enum(['cost', 'calls', 'cpuMs', 'rows']),
      })
      .strict(),
  )
  .min(1)
  .max(4)
  .refine((ms) => new Set(ms.map((m) => m.value)).size === ms.length, 'meter values must be distinct');

/**
 * The default: one meter, `intelgraph_plugin_cost`, whose value is the run's cost in minor units.
 *
 * @example
 * ```ts
 * createFinOps({ billingMeters: DEFAULT_BILLING_METERS }); // the same as leaving it out
 * ```
 */
export const DEFAULT_BILLING_METERS: readonly BillingMeter[] = Object.freeze([
  Object.freeze({ eventName: 'intelgraph_plugin_cost', value: 'cost' as const }),
]);

/**
 * Builds the outbox entries of one settled run: one Stripe-shaped meter event per meter, with
 * `identifier` = the run id (or `<runId>:<value>` with several meters) so retries stay idempotent.
 * A quantity of 0 is recorded with `skip: 'zero_quantity'` (the outbox keeps it as `skipped`, never sent):
 * Stripe documents meter values as positive whole numbers.
 *
 * @example
 * ```ts
 * import { buildMeterEvents, DEFAULT_BILLING_METERS } from '@intelgraph/finops';
 * const [e] = buildMeterEvents({ runId: 'run_1', org: 'acme', plugin: 'p', customer: 'cus_123', at: Date.now(),
 *   usage: { calls: 1, cpuMs: 3, rows: 10 }, cost: { currency: 'usd_micros', amount: 118, lines: [] }, meters: DEFAULT_BILLING_METERS });
 * e.event.payload; // { stripe_customer_id: 'cus_123', value: '118' }
 * ```
 */
export function buildMeterEvents(input: {
  runId: string;
  org: string;
  plugin: string;
  customer: string;
  at: number;
  usage: { calls: number; cpuMs: number; rows: number };
  cost: Cost;
  meters: readonly BillingMeter[];
}): BillingEventInput[] {
  const quantity = (v: BillingMeterValue) => {
    const n = v === 'cost' ? input.cost.amount : input.usage[v];
    return Number.isFinite(n) && n > 0 ? Math.ceil(n) : 0;
  };
  return input.meters.map((m) => {
    const q = quantity(m.value);
    return {
      event: {
        event_name: m.eventName,
        payload: { stripe_customer_id: input.customer, value: String(q) },
        identifier: input.meters.length === 1 ? input.runId : `${input.runId}:${m.value}`,
        timestamp: Math.floor(input.at / 1000),
      },
      org: input.org,
      plugin: input.plugin,
      runId: input.runId,
      createdAt: input.at,
      ...(q === 0 ? { skip: 'zero_quantity' as const } : {}),
    };
  });
}

/** The payload keys of a Stripe Meter: `customer_mapping.event_payload_key` and `value_settings.event_payload_key`. */
export interface MeterPayloadKeys {
  /** Default `stripe_customer_id`. */
  customer?: string;
  /** Default `value`. */
  value?: string;
}

/** Stripe's parameters for `billing.meterEvents.create`, with the meter's payload keys. */
export interface MeterEventParams {
  event_name: string;
  payload: Record<string, string>;
  identifier: string;
  timestamp: number;
}

/**
 * The parameters of `POST /v1/billing/meter_events` for an outbox event, under the meter's payload keys
 * (the outbox stores the customer as `stripe_customer_id`; a meter may map another key).
 *
 * @example
 * ```ts
 * import { meterEventParams } from '@intelgraph/finops';
 * meterEventParams({ event_name: 'e', payload: { stripe_customer_id: 'cus_1', value: '3' }, identifier: 'run_1', timestamp: 1 },
 *   { customer: 'customer_id' });
 * // { event_name: 'e', payload: { customer_id: 'cus_1', value: '3' }, identifier: 'run_1', timestamp: 1 }
 * ```
 */
export function meterEventParams(event: MeterEvent, keys: MeterPayloadKeys = {}): MeterEventParams {
  const customerKey = keys.customer ?? 'stripe_customer_id';
  const valueKey = keys.value ?? 'value';
  return {
    event_name: event.event_name,
    payload: { [customerKey]: event.payload.stripe_customer_id, [valueKey]: event.payload.value },
    identifier: event.identifier,
    timestamp: event.timestamp,
  };
}

/**
 * The form body Stripe's v1 API takes for an event (`application/x-www-form-urlencoded`, nested keys in
 * brackets), which is what the SDK sends. Useful to inspect or replay a request by hand.
 *
 * @example
 * ```ts
 * import { meterEventForm } from '@intelgraph/finops';
 * meterEventForm({ event_name: 'e', payload: { stripe_customer_id: 'cus_1', value: '3' }, identifier: 'run_1', timestamp: 1 });
 * // 'event_name=e&payload%5Bstripe_customer_id%5D=cus_1&payload%5Bvalue%5D=3&identifier=run_1&timestamp=1'
 * ```
 */
export function meterEventForm(event: MeterEvent, keys: MeterPayloadKeys = {}): string {
  const params = meterEventParams(event, keys);
  const p = new URLSearchParams();
  p.set('event_name', params.event_name);
  for (const [k, v] of Object.entries(params.payload)) p.set(`payload[${k}]`, v);
  p.set('identifier', params.identifier);
  p.set('timestamp', String(params.timestamp));
  return p.toString();
}

/**
 * A {@link CustomerMapping} from a fixed table (org id → Stripe customer id).
 *
 * @example
 * ```ts
 * import { staticCustomerMapping } from '@intelgraph/finops';
 * const customers = staticCustomerMapping({ acme: 'cus_NciAYcXfLnqBoz' });
 * await customers.customerFor('acme'); // 'cus_NciAYcXfLnqBoz'
 * ```
 */
export function staticCustomerMapping(table: Readonly<Record<string, string>>): CustomerMapping {
  const map = new Map(Object.entries(table));
  return { customerFor: async (org) => map.get(org) ?? null };
}
