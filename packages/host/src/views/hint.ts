import type { Actor, JsonValue } from '@intelgraph/core';
import { priceUsage } from '@intelgraph/finops';
import { executedUsage, num, percentile, recentEvents, sortedNumbers, type ViewContext } from './context.js';

// The budget preview of one plugin for an org: percentiles of its recent executed runs, the cost they
// predict, and what remains of each quota.

/** How many recent executed runs the budget preview's percentiles look at. */
const HINT_WINDOW = 200;

/** The budget preview of a plugin for the actor's org. */
export async function hintView(ctx: ViewContext, actor: Actor, pluginId: string) {
  const [h, events] = await Promise.all([
    ctx.finops.hint({ org: actor.orgId, plugin: pluginId }),
    recentEvents(ctx.audit, { type: 'plugin.run', orgId: actor.orgId, subject: `plugin:${pluginId}` }),
  ]);
  // Estimates come from this org's runs that executed; FinOps' own history also holds the runs its
  // reservation settled after a refusal (0 ms CPU), which would drag the percentiles down.
  const executed = events
    .map(executedUsage)
    .filter((u): u is Record<string, JsonValue> => u !== null)
    .slice(-HINT_WINDOW);
  const cpu = sortedNumbers(executed.map((u) => num(u.cpuMs)));
  const rows = sortedNumbers(executed.map((u) => num(u.rows)));
  const wall = sortedNumbers(executed.map((u) => num(u.wallMs)));
  const unit = (resource: string) =>
    h.expectedCost.lines.find((l) => l.resource === resource)?.unitPrice ?? 0;
  const table = {
    currency: h.expectedCost.currency,
    perCall: unit('calls'),
    perCpuMs: unit('cpuMs'),
    perRow: unit('rows'),
  };
  const n = executed.length;
  return {
    pluginId,
    runs: n,
    cpuMsP50: n ? percentile(cpu, 0.5) : null,
    cpuMsP95: n ? percentile(cpu, 0.95) : null,
    rowsP50: n ? percentile(rows, 0.5) : null,
    rowsP95: n ? percentile(rows, 0.95) : null,
    wallMsP50: n ? percentile(wall, 0.5) : null,
    wallMsP95: n ? percentile(wall, 0.95) : null,
    expectedCost: n
      ? priceUsage(table, {
          calls: 1,
          cpuMs: percentile(cpu, 0.5) ?? 0,
          rows: percentile(rows, 0.5) ?? 0,
        })
      : h.expectedCost,
    remaining: h.quotas.map((q) => ({
      resource: q.rule.resource,
      window: q.rule.window,
      limit: q.rule.limit,
      used: q.used,
      remaining: q.remaining,
      resetAt: q.resetAt,
    })),
  };
}
