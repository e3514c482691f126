import {
  type AuditTrail,
  type Clock,
  type IdSource,
  IntelGraphError,
  parseInput,
  type QuotaAmounts,
  type QuotaChargeResult,
  type QuotaResource,
  type QuotaRule,
  type QuotaRuleUsage,
  type QuotaStore,
} from '@intelgraph/core';
import { z } from 'zod';
import type { AlertHub } from './alerts.js';
import {
  AmountSchema,
  IdSchema,
  QuotaResourceSchema,
  QuotaScopeSchema,
  QuotaWindowSchema,
} from './input-schemas.js';
import type { FinOpsMeters } from './meters.js';

const RuleInputSchema = z
  .object({
    scope: QuotaScopeSchema,
    resource: QuotaResourceSchema,
    limit: AmountSchema,
    window: QuotaWindowSchema,
    windowKind: z.enum(['fixed', 'sliding']).default('fixed'),
    mode: z.enum(['hard', 'soft']).default('hard'),
    actor: z.object({ userId: IdSchema, orgId: IdSchema }).passthrough().optional(),
  })
  .strict();

const RuleRefSchema = z
  .object({
    scope: QuotaScopeSchema,
    resource: QuotaResourceSchema,
    window: QuotaWindowSchema,
    actor: z.object({ userId: IdSchema, orgId: IdSchema }).passthrough().optional(),
  })
  .strict();

const ConsumeSchema = z
  .object({ org: IdSchema, plugin: IdSchema, resource: QuotaResourceSchema, amount: AmountSchema.min(1) })
  .strict();

const EstimateSchema = z
  .object({ calls: AmountSchema.optional(), cpuMs: AmountSchema.optional(), rows: AmountSchema.optional() })
  .strict();

const ReserveSchema = z
  .object({
    org: IdSchema,
    plugin: IdSchema,
    estimate: EstimateSchema.default({}),
    ttlMs: z.number().int().min(1000).max(86_400_000).optional(),
  })
  .strict();

const SettleSchema = z.object({ org: IdSchema, reservationId: IdSchema, actual: EstimateSchema }).strict();

/** Input of `quotas.set`. `windowKind` defaults to `fixed`, `mode` to `hard`. */
export type QuotaRuleInput = z.input<typeof RuleInputSchema>;

/** A soft limit that was passed (the call was allowed). */
export interface QuotaFlag {
  rule: QuotaRule;
  used: number;
  limit: number;
}

/** Why a charge was refused: the limit, its usage before the request, what was asked, and when it resets. */
export interface QuotaDenial {
  ok: false;
  code: 'QUOTA_EXCEEDED';
  message: string;
  rule: QuotaRule;
  limit: number;
  usage: number;
  requested: number;
  /** ISO-8601. */
  resetAt: string;
}

/** The result of `quotas.consume`. `remaining` and `resetAt` are `null` when no hard limit applies. */
export type QuotaConsumeResult =
  | {
      ok: true;
      remaining: number | null;
      resetAt: string | null;
      flagged: QuotaFlag[];
      /** Set when the store was unreachable and its fail-open policy let the call through uncounted. */
      degraded?: boolean;
    }
  | QuotaDenial;

/** Usage of one rule, as shown to people (times in ISO-8601). */
export interface QuotaUsageView {
  rule: QuotaRule;
  used: number;
  remaining: number;
  resetAt: string;
}

/** A reservation taken before a run; settle it with the actual usage, or it expires and is returned. */
export interface QuotaReservation {
  reservationId: string;
  org: string;
  plugin: string;
  amounts: QuotaAmounts;
  /** ISO-8601. */
  expiresAt: string;
  flagged: QuotaFlag[];
  /** Set when the store was unreachable and its fail-open policy let the run through uncounted. */
  degraded?: boolean;
}

/** Quota operations of FinOps. */
export interface Quotas {
  /** Creates or replaces the rule for (scope, resource, window); effective on every host sharing the store. */
  set(input: QuotaRuleInput): Promise<QuotaRule>;
  remove(input: z.input<typeof RuleRefSchema>): Promise<boolean>;
  list(org: string): Promise<QuotaRule[]>;
  /** Atomically checks and charges `amount` against every applicable rule (org-wide and the plugin's). */
  consume(input: {
    org: string;
    plugin: string;
    resource: QuotaResource;
    amount: number;
  }): Promise<QuotaConsumeResult>;
  /** Charges an estimate before a run; throws `QUOTA_EXCEEDED` (details as in {@link QuotaDenial}). */
  reserve(input: {
    org: string;
    plugin: string;
    estimate?: Partial<QuotaAmounts>;
    ttlMs?: number;
  }): Promise<QuotaReservation>;
  /** Replaces the estimate by the actual usage (`calls` defaults to 1); false if unknown or expired. */
  settle(input: {
    org: string;
    reservationId: string;
    actual: Partial<QuotaAmounts>;
  }): Promise<{ settled: boolean }>;
  usage(input: { org: string; plugin?: string }): Promise<QuotaUsageView[]>;
}

const scopeName = (rule: QuotaRule) =>
  rule.scope.plugin === undefined
    ? `org ${rule.scope.org}`
    : `plugin ${rule.scope.plugin} in org ${rule.scope.org}`;

/**
 * The `QUOTA_EXCEEDED` error for a denial (what `reserve` throws and `consume` describes).
 *
 * @example
 * ```ts
 * import { quotaExceededError } from '@intelgraph/finops';
 * const r = await finops.quotas.consume({ org: 'acme', plugin: 'p', resource: 'calls', amount: 1 });
 * if (!r.ok) throw quotaExceededError(r);
 * ```
 */
export function quotaExceededError(denial: QuotaDenial): IntelGraphError {
  return new IntelGraphError('QUOTA_EXCEEDED', denial.message, {
    details: {
      rule: { ...denial.rule, scope: { ...denial.rule.scope } },
      limit: denial.limit,
      usage: denial.usage,
      requested: denial.requested,
      resetAt: denial.resetAt,
    },
  });
}

const toView = (u: QuotaRuleUsage): QuotaUsageView => ({
  rule: u.rule,
  used: u.used,
  remaining: u.remaining,
  resetAt: new Date(u.resetAt).toISOString(),
});

/** What the quota operations need (the argument of {@link createQuotas}). */
export interface QuotasDeps {
  store: QuotaStore;
  clock: Clock;
  ids: IdSource;
  alertThresholds?: readonly number[];
  reservationTtlMs?: number;
  meters?: FinOpsMeters;
  alerts?: AlertHub;
  audit?: AuditTrail;
}

/** Records a charge's usage, hits and threshold crossings in the meters and the alert hub. */
function observe(deps: QuotasDeps, org: string, plugin: string, result: QuotaChargeResult): void {
  const { meters, alerts } = deps;
  for (const u of result.usage) {
    meters?.recordQuotaUsage({
      org,
      plugin: u.rule.scope.plugin ?? null,
      resource: u.rule.resource,
      window: u.rule.window,
      ratio: u.rule.limit === 0 ? (u.used > 0 ? 1 : 0) : u.used / u.rule.limit,
    });
  }
  if (!result.ok) {
    meters?.recordQuotaHit({ org, plugin, resource: result.denied.rule.resource, mode: 'hard' });
    return;
  }
  for (const f of result.flagged)
    meters?.recordQuotaHit({ org, plugin, resource: f.rule.resource, mode: 'soft' });
  if (result.crossings.length > 0) alerts?.publish(org, result.crossings);
}

/** The denial a refused charge returns. */
function denial(result: Extract<QuotaChargeResult, { ok: false }>): QuotaDenial {
  const d = result.denied;
  const resetAt = new Date(d.resetAt).toISOString();
  return {
    ok: false,
    code: 'QUOTA_EXCEEDED',
    message: `${d.rule.resource} quota of ${scopeName(d.rule)} exceeded: ${d.used} of ${d.rule.limit} used per ${d.rule.window} (${d.rule.windowKind}), ${d.requested} requested; resets at ${resetAt}`,
    rule: d.rule,
    limit: d.rule.limit,
    usage: d.used,
    requested: d.requested,
    resetAt,
  };
}

/** The soft rules a charge went over. */
const flags = (result: Extract<QuotaChargeResult, { ok: true }>): QuotaFlag[] =>
  result.flagged.map((u) => ({ rule: u.rule, used: u.used, limit: u.rule.limit }));

/** Audits a rule set or removed, when the quotas have an audit trail. */
async function recordRuleChange(
  deps: QuotasDeps,
  type: string,
  rule: { scope: { org: string } },
  actor?: { userId: string; orgId: string },
): Promise<void> {
  const { audit } = deps;
  if (!audit) return;
  const scope = rule.scope;
  await audit.record({
    type,
    actor: actor ? { userId: actor.userId, orgId: actor.orgId } : null,
    subject: `quota:${scope.org}`,
    orgId: scope.org,
    data: JSON.parse(JSON.stringify(rule)),
  });
}

/**
 * Creates the quota operations over a {@link QuotaStore}. Used by `createFinOps`; exported for hosts
 * that only want quotas.
 *
 * @example
 * ```ts
 * import { createManualClock, sequentialIds } from '@intelgraph/core';
 * import { createQuotas, createMemoryQuotaStore } from '@intelgraph/finops';
 * const quotas = createQuotas({ store: createMemoryQuotaStore(), clock: createManualClock(), ids: sequentialIds() });
 * await quotas.set({ scope: { org: 'acme' }, resource: 'calls', limit: 50, window: 'minute' });
 * await quotas.consume({ org: 'acme', plugin: 'p', resource: 'calls', amount: 1 }); // { ok: true, remaining: 49, … }
 * ```
 */
export function createQuotas(deps: QuotasDeps): Quotas {
  const { store, clock, ids, alerts } = deps;
  const thresholds = deps.alertThresholds ?? [0.8, 1];
  const defaultTtl = deps.reservationTtlMs ?? 60_000;

  return {
    async set(input) {
      const { actor, ...parsed } = parseInput(RuleInputSchema, input, 'quota rule');
      const rule: QuotaRule = {
        scope: parsed.scope.plugin === undefined ? { org: parsed.scope.org } : { ...parsed.scope },
        resource: parsed.resource,
        limit: parsed.limit,
        window: parsed.window,
        windowKind: parsed.windowKind,
        mode: parsed.mode,
      };
      await store.setRule(rule);
      await recordRuleChange(deps, 'finops.quota.set', rule, actor);
      return rule;
    },
    async remove(input) {
      const { actor, ...ref } = parseInput(RuleRefSchema, input, 'quota rule reference');
      const removed = await store.removeRule(ref);
      if (removed) await recordRuleChange(deps, 'finops.quota.removed', ref, actor);
      return removed;
    },
    list: (org) => store.listRules(parseInput(IdSchema, org, 'org')),
    async consume(input) {
      const q = parseInput(ConsumeSchema, input, 'quota consumption');
      const amounts: QuotaAmounts = { calls: 0, cpuMs: 0, rows: 0, [q.resource]: q.amount };
      const result = await store.charge({
        org: q.org,
        plugin: q.plugin,
        amounts,
        now: clock.now(),
        alertThresholds: thresholds,
      });
      observe(deps, q.org, q.plugin, result);
      if (!result.ok) return denial(result);
      let binding: QuotaRuleUsage | null = null;
      for (const u of result.usage) {
        if (u.rule.mode !== 'hard' || u.rule.resource !== q.resource) continue;
        if (binding === null || u.remaining < binding.remaining) binding = u;
      }
      return {
        ok: true,
        remaining: binding ? binding.remaining : null,
        resetAt: binding ? new Date(binding.resetAt).toISOString() : null,
        flagged: flags(result),
        ...(result.degraded ? { degraded: true } : {}),
      };
    },
    async reserve(input) {
      const q = parseInput(ReserveSchema, input, 'quota reservation');
      const amounts: QuotaAmounts = {
        calls: q.estimate.calls ?? 1,
        cpuMs: q.estimate.cpuMs ?? 0,
        rows: q.estimate.rows ?? 0,
      };
      const now = clock.now();
      const reservationId = ids.next('qres');
      const expiresAt = now + (q.ttlMs ?? defaultTtl);
      const result = await store.charge({
        org: q.org,
        plugin: q.plugin,
        amounts,
        now,
        reservation: { id: reservationId, expiresAt },
        alertThresholds: thresholds,
      });
      observe(deps, q.org, q.plugin, result);
      if (!result.ok) throw quotaExceededError(denial(result));
      return {
        reservationId,
        org: q.org,
        plugin: q.plugin,
        amounts,
        expiresAt: new Date(expiresAt).toISOString(),
        flagged: flags(result),
        ...(result.degraded ? { degraded: true } : {}),
      };
    },
    async settle(input) {
      const q = parseInput(SettleSchema, input, 'quota settlement');
      const result = await store.settle({
        org: q.org,
        reservationId: q.reservationId,
        actual: { calls: q.actual.calls ?? 1, cpuMs: q.actual.cpuMs ?? 0, rows: q.actual.rows ?? 0 },
        now: clock.now(),
        alertThresholds: thresholds,
      });
      if (result.settled && result.crossings.length > 0) alerts?.publish(q.org, result.crossings);
      return { settled: result.settled };
    },
    async usage(input) {
      const q = parseInput(
        z.object({ org: IdSchema, plugin: IdSchema.optional() }).strict(),
        input,
        'usage query',
      );
      const rows = await store.usage({
        org: q.org,
        now: clock.now(),
        ...(q.plugin ? { plugin: q.plugin } : {}),
      });
      return rows.map(toView);
    },
  };
}
