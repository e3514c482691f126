import type { BillingEventInput, Cost, CustomerMapping } from '@intelgraph/core';
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
  return input.meters.map((m) => ({
    event: {
      event_name: m.eventName,
      payload: { stripe_customer_id: input.customer, value: String(quantity(m.value)) },
      identifier: input.meters.length === 1 ? input.runId : `${input.runId}:${m.value}`,
      timestamp: Math.floor(input.at / 1000),
    },
    org: input.org,
    plugin: input.plugin,
    runId: input.runId,
    createdAt: input.at,
  }));
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
