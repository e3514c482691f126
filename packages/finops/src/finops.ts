import {
  type AlertNotifier,
  type AuditTrail,
  type BillingOutbox,
  type Clock,
  type Cost,
  type CustomerMapping,
  createAuditTrail,
  createMemoryAuditStore,
  type IdSource,
  type KillSwitchStore,
  parseInput,
  type QuotaStore,
  randomIds,
  systemClock,
} from '@intelgraph/core';
import { Registry, type RegistryContentType } from 'prom-client';
import { z } from 'zod';
import { type AlertListener, createAlertHub } from './alerts.js';
import { AmountSchema, IdSchema } from './input-schemas.js';
import { createKillSwitch, createMemoryKillSwitchStore, type KillSwitch } from './kill-switch.js';
import { createLabelGuard, type LabelGuard } from './label-guard.js';
import { createMemoryBillingOutbox } from './memory-billing-outbox.js';
import { createMemoryQuotaStore } from './memory-quota-store.js';
import {
  type BillingMeter,
  BillingMetersSchema,
  buildMeterEvents,
  DEFAULT_BILLING_METERS,
} from './meter-events.js';
import { createFinOpsMeters, type FinOpsMeters } from './meters.js';
import { createPriceResolver, FREE_PRICES, type PriceBook, priceUsage } from './prices.js';
import { createQuotas, type Quotas, type QuotaUsageView } from './quotas.js';
import { createUsageHistory } from './usage-history.js';

/** Options of {@link createFinOps}; every one has a default (in-memory stores, a fresh Registry). */
export interface FinOpsOptions {
  quotaStore?: QuotaStore;
  killSwitchStore?: KillSwitchStore;
  /** prom-client registry for the meters (a fresh one by default; never the global registry). */
  registry?: Registry<RegistryContentType>;
  clock?: Clock;
  ids?: IdSource;
  /** Kill-switch changes and quota rule changes are recorded here. */
  audit?: AuditTrail;
  outbox?: BillingOutbox;
  /** Org → Stripe customer. Runs of orgs without a customer are not billed. */
  customers?: CustomerMapping;
  prices?: PriceBook;
  /** Stripe meters fed by each settled run (default: one `intelgraph_plugin_cost` meter). */
  billingMeters?: readonly BillingMeter[];
  notifier?: AlertNotifier;
  /** Fractions of a limit that raise an alert once per window (default `[0.8, 1]`). */
  alertThresholds?: readonly number[];
  /** How long an unsettled reservation holds quota (default 60 000 ms). */
  reservationTtlMs?: number;
  /** Label cardinality guard; register installed plugins and known orgs on it. */
  labelGuard?: LabelGuard;
  /** Receives errors of background work (alert delivery). */
  onError?: (error: unknown) => void;
}

/** A hint for the UI's budget preview. */
export interface BudgetHint {
  org: string;
  plugin: string;
  /** Whose history the percentiles come from: this org's runs of the plugin, all orgs', or none yet. */
  basis: 'org' | 'plugin' | 'none';
  samples: number;
  cpuMs: { p50: number; p95: number };
  rows: { p50: number; p95: number };
  /** Cost of one run at the p50 and p95 usage, in the price table's minor units. */
  expectedCost: Cost;
  p95Cost: Cost;
  /** Usage of every rule that applies to the plugin in the org. */
  quotas: QuotaUsageView[];
  /** How many more runs at p50 usage fit under the tightest hard limit; `null` when nothing limits them. */
  runsRemaining: number | null;
}

/** What `beginRun` hands back; pass it to `settleRun`. */
export interface RunTicket {
  org: string;
  plugin: string;
  runId: string;
  reservationId: string;
  startedAt: number;
}

/** What `settleRun` records. */
export interface SettledRun {
  cost: Cost;
  /** False when the reservation had already expired (its estimate was returned to the quota). */
  settled: boolean;
  billing: { appended: number; duplicates: number; identifiers: string[] } | { skipped: 'no_customer' };
}

/** The FinOps facade. */
export interface FinOps {
  readonly quotas: Quotas;
  readonly killSwitch: KillSwitch;
  readonly meters: FinOpsMeters;
  readonly registry: Registry<RegistryContentType>;
  readonly outbox: BillingOutbox;
  readonly alerts: { subscribe(listener: AlertListener): () => void; flush(): Promise<void> };
  /** Expected cost and remaining quota of the next run of `plugin` in `org`. */
  hint(input: { org: string; plugin: string }): Promise<BudgetHint>;
  /** Hot-path steps 1 and 3: kill switch (`KILL_SWITCH`), then one atomic reservation (`QUOTA_EXCEEDED`). */
  beginRun(input: {
    org: string;
    plugin: string;
    runId: string;
    estimate?: { cpuMs?: number; rows?: number };
    /**
     * The caller has just checked the kill switch for this run itself (the host does, before the
     * installation lookup), so `beginRun` does not ask the kill-switch store a second time.
     */
    killSwitchChecked?: boolean;
  }): Promise<RunTicket>;
  /** Hot-path step 8: price, billing outbox, settle the reservation, meters, history. Safe to retry. */
  settleRun(
    ticket: RunTicket,
    result: { outcome: string; usage: { wallMs: number; cpuMs: number; rows: number } },
  ): Promise<SettledRun>;
}

const RunInputSchema = z
  .object({
    org: IdSchema,
    plugin: IdSchema,
    runId: IdSchema.max(90),
    estimate: z.object({ cpuMs: AmountSchema.optional(), rows: AmountSchema.optional() }).strict().optional(),
    killSwitchChecked: z.boolean().optional(),
  })
  .strict();

// Built once: zod compiles an object schema's parser on its first parse, so a schema made per call
// pays that compilation on every run.
const TicketSchema = RunInputSchema.omit({ estimate: true, killSwitchChecked: true }).extend({
  reservationId: IdSchema,
  startedAt: z.number(),
});

const SettleInputSchema = z
  .object({
    outcome: z.string().regex(/^[A-Za-z_]{1,40}$/),
    usage: z
      .object({
        wallMs: z.number().nonnegative().max(1e9),
        cpuMs: z.number().nonnegative().max(1e9),
        rows: AmountSchema,
      })
      .passthrough(),
  })
  .strict();

const ThresholdsSchema = z.array(z.number().positive().max(10)).max(10);

/**
 * Creates FinOps: meters on an injected registry, exact quotas, budget hints, threshold alerts, the kill
 * switch and Stripe-shaped billing events. Every option defaults (in-memory stores, a fresh Registry).
 *
 * @example
 * ```ts
 * import { createFinOps } from '@intelgraph/finops';
 * const finops = createFinOps();
 * await finops.quotas.set({ scope: { org: 'acme' }, resource: 'calls', limit: 1000, window: 'day' });
 * const r = await finops.quotas.consume({ org: 'acme', plugin: 'sample-enricher', resource: 'calls', amount: 1 });
 * r.ok; // true, r.remaining === 999
 * ```
 */
export function createFinOps(options: FinOpsOptions = {}): FinOps {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const registry = options.registry ?? new Registry();
  const audit = options.audit ?? createAuditTrail({ store: createMemoryAuditStore(), clock, ids });
  const outbox = options.outbox ?? createMemoryBillingOutbox();
  const meters = createFinOpsMeters({ registry, guard: options.labelGuard ?? createLabelGuard() });
  const thresholds = parseInput(ThresholdsSchema, options.alertThresholds ?? [0.8, 1], 'alert thresholds');
  const billingMeters = parseInput(
    BillingMetersSchema,
    options.billingMeters ?? DEFAULT_BILLING_METERS,
    'billing meters',
  );
  const priceFor = createPriceResolver(options.prices ?? FREE_PRICES);
  const history = createUsageHistory();
  const hub = createAlertHub({
    clock,
    ...(options.notifier ? { notifier: options.notifier } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const quotas = createQuotas({
    store: options.quotaStore ?? createMemoryQuotaStore(),
    clock,
    ids,
    alertThresholds: thresholds,
    meters,
    alerts: hub,
    audit,
    ...(options.reservationTtlMs ? { reservationTtlMs: options.reservationTtlMs } : {}),
  });
  const killSwitch = createKillSwitch({
    store: options.killSwitchStore ?? createMemoryKillSwitchStore(),
    audit,
    clock,
    onBlocked: (level) => meters.recordKillSwitchBlock(level),
  });

  return {
    quotas,
    killSwitch,
    meters,
    registry,
    outbox,
    alerts: { subscribe: (l) => hub.subscribe(l), flush: () => hub.flush() },
    async hint(input) {
      const q = parseInput(z.object({ org: IdSchema, plugin: IdSchema }).strict(), input, 'hint request');
      const { basis, sketches } = history.lookup(q.org, q.plugin);
      const cpu = { p50: sketches?.cpuMs.quantile(0.5) ?? 0, p95: sketches?.cpuMs.quantile(0.95) ?? 0 };
      const rows = { p50: sketches?.rows.quantile(0.5) ?? 0, p95: sketches?.rows.quantile(0.95) ?? 0 };
      const table = priceFor(q.plugin);
      const views = await quotas.usage({ org: q.org, plugin: q.plugin });
      const perRun = { calls: 1, cpuMs: Math.max(1, Math.ceil(cpu.p50)), rows: Math.ceil(rows.p50) };
      let runsRemaining: number | null = null;
      for (const v of views) {
        if (v.rule.mode !== 'hard') continue;
        const each = perRun[v.rule.resource];
        if (each <= 0) continue;
        const n = Math.floor(v.remaining / each);
        runsRemaining = runsRemaining === null ? n : Math.min(runsRemaining, n);
      }
      return {
        org: q.org,
        plugin: q.plugin,
        basis,
        samples: sketches?.cpuMs.size ?? 0,
        cpuMs: cpu,
        rows,
        expectedCost: priceUsage(table, { calls: 1, cpuMs: cpu.p50, rows: rows.p50 }),
        p95Cost: priceUsage(table, { calls: 1, cpuMs: cpu.p95, rows: rows.p95 }),
        quotas: views,
        runsRemaining,
      };
    },
    async beginRun(input) {
      const q = parseInput(RunInputSchema, input, 'run start');
      if (q.killSwitchChecked !== true) await killSwitch.check({ org: q.org, plugin: q.plugin });
      // Estimate from the plugin's history (p95), at least 1 so an exhausted quota stops the run.
      const { sketches } = history.lookup(q.org, q.plugin);
      const cpuMs = q.estimate?.cpuMs ?? Math.ceil(sketches?.cpuMs.quantile(0.95) ?? 0);
      const rows = q.estimate?.rows ?? Math.ceil(sketches?.rows.quantile(0.95) ?? 0);
      const reservation = await quotas.reserve({
        org: q.org,
        plugin: q.plugin,
        estimate: { calls: 1, cpuMs: Math.max(1, cpuMs), rows: Math.max(1, rows) },
      });
      return {
        org: q.org,
        plugin: q.plugin,
        runId: q.runId,
        reservationId: reservation.reservationId,
        startedAt: clock.now(),
      };
    },
    async settleRun(ticket, result) {
      const t = parseInput(TicketSchema, ticket, 'run ticket');
      const r = parseInput(SettleInputSchema, result, 'run result');
      const usage = { calls: 1, cpuMs: Math.ceil(r.usage.cpuMs), rows: r.usage.rows };
      const cost = priceUsage(priceFor(t.plugin), usage);
      const now = clock.now();
      let billing: SettledRun['billing'] = { skipped: 'no_customer' };
      let appending: Promise<void> = Promise.resolve();
      const customer = options.customers ? await options.customers.customerFor(t.org) : null;
      if (customer) {
        const events = buildMeterEvents({
          runId: t.runId,
          org: t.org,
          plugin: t.plugin,
          customer,
          at: now,
          usage,
          cost,
          meters: billingMeters,
        });
        appending = outbox.append(events).then((appended) => {
          billing = { ...appended, identifiers: events.map((e) => e.event.identifier) };
          // Zero quantities are recorded as `skipped` by the outbox, never sent: count them here.
          if (appended.appended > 0)
            meters.recordBillingDispatch('skipped', events.filter((e) => e.skip).length);
        });
      }
      // The billing event and the settlement are independent (each idempotent, so a retry after a
      // partial failure is safe): one round trip of latency instead of two.
      // Both finish before settleRun answers, even when one fails, so a retry never races the first try.
      const [settling, appended] = await Promise.allSettled([
        quotas.settle({ org: t.org, reservationId: t.reservationId, actual: usage }),
        appending,
      ]);
      if (appended.status === 'rejected') throw appended.reason;
      if (settling.status === 'rejected') throw settling.reason;
      const { settled } = settling.value;
      meters.recordRun({
        plugin: t.plugin,
        org: t.org,
        outcome: r.outcome,
        wallMs: r.usage.wallMs,
        cpuMs: r.usage.cpuMs,
        rows: r.usage.rows,
        cost: { currency: cost.currency, amount: cost.amount },
      });
      history.record(t.org, t.plugin, { cpuMs: r.usage.cpuMs, rows: r.usage.rows });
      return { cost, settled, billing };
    },
  };
}
