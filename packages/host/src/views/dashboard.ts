import type { Actor, AuditEvent, JsonValue } from '@intelgraph/core';
import { executedUsage, num, percentile, recentEvents, type ViewContext } from './context.js';
import { killSwitchViews, quotaViews } from './org.js';
import type { DashboardView, PluginUsageView } from './types.js';

// The FinOps dashboard of an org: per-plugin run figures, contract check counts, the review queue's
// state, quotas and kill switches, each section computed by its own function from the audit chain.

interface PluginAcc {
  walls: number[];
  errors: number;
  denied: number;
  cpu: number;
  rows: number;
  cost: number;
  series: Map<string, number[]>;
}

type CheckData = { subject?: string; edge?: 'ingest' | 'export'; total?: number; failed?: number };

const byKey = <T>([a]: [string, T], [b]: [string, T]) => (a < b ? -1 : 1);

/** Runs, errors, denials, latency percentiles, usage and cost per plugin, from the org's run events. */
async function pluginUsage(
  ctx: ViewContext,
  org: string,
  runs: AuditEvent[],
): Promise<Pick<DashboardView, 'currency' | 'plugins' | 'p95Series'>> {
  const byPlugin = new Map<string, PluginAcc>();
  let currency = 'usd';
  const acc = (pluginId: string): PluginAcc => {
    const found = byPlugin.get(pluginId);
    if (found) return found;
    const fresh: PluginAcc = { walls: [], errors: 0, denied: 0, cpu: 0, rows: 0, cost: 0, series: new Map() };
    byPlugin.set(pluginId, fresh);
    return fresh;
  };
  for (const e of runs) {
    const pluginId = e.subject.replace(/^plugin:/, '');
    const d = e.data as Record<string, JsonValue>;
    const p = acc(pluginId);
    const usage = executedUsage(e);
    if (!usage) {
      p.denied++;
      continue;
    }
    const wall = num(usage.wallMs);
    p.walls.push(wall);
    if (d.outcome !== 'ok') p.errors++;
    p.cpu += num(usage.cpuMs);
    p.rows += num(usage.rows);
    p.cost += num(d.cost);
    if (typeof d.currency === 'string') currency = d.currency;
    const minute = `${e.at.slice(0, 16)}:00.000Z`;
    const bucket = p.series.get(minute) ?? [];
    bucket.push(wall);
    p.series.set(minute, bucket);
  }
  // Refusals before the sandbox (kill switch, quota) are their own events. Their plugin id is whatever
  // the caller asked for, so only plugins the org has installed or has run get a row.
  const installed = new Set(
    (await ctx.marketplaceStore.listInstallations({ orgId: org })).map((i) => i.pluginId),
  );
  for (const e of await recentEvents(ctx.audit, { type: 'plugin.run.denied', orgId: org })) {
    const pluginId = e.subject.replace(/^plugin:/, '');
    if (installed.has(pluginId) || byPlugin.has(pluginId)) acc(pluginId).denied++;
  }
  const plugins: PluginUsageView[] = [];
  const p95Series: DashboardView['p95Series'] = [];
  for (const [pluginId, p] of [...byPlugin].sort(byKey)) {
    const sorted = [...p.walls].sort((a, b) => a - b);
    plugins.push({
      pluginId,
      runs: p.walls.length,
      errors: p.errors,
      denied: p.denied,
      p50Ms: percentile(sorted, 0.5),
      p95Ms: percentile(sorted, 0.95),
      cpuMs: p.cpu,
      rows: p.rows,
      cost: p.cost,
    });
    const points = [...p.series]
      .sort(byKey)
      .slice(-60)
      .map(([at, walls]) => ({
        at,
        value:
          percentile(
            [...walls].sort((a, b) => a - b),
            0.95,
          ) ?? 0,
      }));
    p95Series.push({ pluginId, points });
  }
  return { currency, plugins, p95Series };
}

/** Passed and failed record counts per contract subject and edge. */
async function contractChecks(
  ctx: ViewContext,
  org: string,
  runs: AuditEvent[],
): Promise<DashboardView['contractChecks']> {
  const checks = await recentEvents(ctx.audit, { type: 'contract.gate.decision', orgId: org });
  const checkCounts = new Map<string, DashboardView['contractChecks'][number]>();
  // Gate decisions are their own events at the edges; a plugin run carries its input and output
  // contract decisions inside its `plugin.run` event.
  const decisions: CheckData[] = checks.map((e) => e.data as CheckData);
  for (const e of runs) {
    const d = e.data as { inputContract?: CheckData; outputContract?: CheckData };
    if (d.inputContract) decisions.push(d.inputContract);
    if (d.outputContract) decisions.push(d.outputContract);
  }
  for (const d of decisions) {
    if (!d.subject || (d.edge !== 'ingest' && d.edge !== 'export')) continue;
    const k = `${d.subject}\u0000${d.edge}`;
    const c = checkCounts.get(k) ?? { subject: d.subject, edge: d.edge, passed: 0, failed: 0 };
    c.failed += num(d.failed);
    c.passed += num(d.total) - num(d.failed);
    checkCounts.set(k, c);
  }
  return [...checkCounts.values()];
}

/** Open and overdue review tasks the actor sees, and how long decided reviews took. */
async function approvals(ctx: ViewContext, actor: Actor): Promise<DashboardView['approvals']> {
  const org = actor.orgId;
  const requested = new Map<string, number>();
  for (const e of await recentEvents(ctx.audit, { type: 'review.requested', orgId: org }))
    requested.set(e.subject, Date.parse(e.at));
  const decisionTimes: number[] = [];
  for (const type of ['review.approved', 'review.denied', 'review.auto_approved', 'review.expired']) {
    for (const e of await recentEvents(ctx.audit, { type, orgId: org })) {
      const start = requested.get(e.subject);
      if (start !== undefined) decisionTimes.push((Date.parse(e.at) - start) / 1000);
    }
  }
  decisionTimes.sort((a, b) => a - b);
  const scope = ctx.authorizer.allows(actor, 'governance.audit') ? 'org' : 'reviewable';
  const open = await ctx.governance.queue(actor, { scope, states: ['pending'], limit: 200 });
  return {
    open: open.items.length,
    overdue: open.items.filter((t) => t.overdue).length,
    decided: decisionTimes.length,
    medianDecisionSeconds: percentile(decisionTimes, 0.5),
  };
}

/** Everything the FinOps dashboard shows for the actor's org. */
export async function dashboard(ctx: ViewContext, actor: Actor): Promise<DashboardView> {
  const org = actor.orgId;
  const runs = await recentEvents(ctx.audit, { type: 'plugin.run', orgId: org });
  const { currency, plugins, p95Series } = await pluginUsage(ctx, org, runs);
  const contractCheckCounts = await contractChecks(ctx, org, runs);
  const approvalState = await approvals(ctx, actor);
  return {
    currency,
    plugins,
    p95Series,
    quotas: await quotaViews(ctx, actor),
    contractChecks: contractCheckCounts,
    approvals: approvalState,
    killSwitches: await killSwitchViews(ctx, actor),
  };
}
