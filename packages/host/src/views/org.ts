import type { Actor, AuditEvent, RatingRecord } from '@intelgraph/core';
import type { ViewContext } from './context.js';
import type { KillSwitchView, QuotaView } from './types.js';

// The org's operational state: quotas with usage, engaged kill switches, a plugin's catalog figures and
// audit slices with the chain's verdict.

/** The org's quota rules with their current usage. */
export async function quotaViews(ctx: ViewContext, actor: Actor): Promise<QuotaView[]> {
  const usage = await ctx.finops.quotas.usage({ org: actor.orgId });
  return usage.map((u) => ({
    id: `${u.rule.scope.org}:${u.rule.scope.plugin ?? '*'}:${u.rule.resource}:${u.rule.window}`,
    orgId: u.rule.scope.org,
    pluginId: u.rule.scope.plugin ?? null,
    resource: u.rule.resource,
    limit: u.rule.limit,
    window: u.rule.window,
    mode: u.rule.mode,
    used: u.used,
    resetAt: u.resetAt,
  }));
}

/** The engaged kill switches that affect the org. */
export async function killSwitchViews(ctx: ViewContext, actor: Actor): Promise<KillSwitchView[]> {
  const all = await ctx.finops.killSwitch.list();
  return all
    .filter((e) => e.target.org === undefined || e.target.org === actor.orgId)
    .map((e) => ({
      scope:
        e.target.org === undefined
          ? e.target.plugin === undefined
            ? 'global'
            : 'plugin'
          : e.target.plugin === undefined
            ? 'org'
            : 'plugin',
      target: e.target.plugin ?? e.target.org ?? null,
      on: true,
      reason: e.reason,
      actor: e.engagedBy,
      at: e.engagedAt,
    }));
}

/** A plugin's install count and ratings, newest rating first. */
export async function catalogStats(
  ctx: ViewContext,
  pluginId: string,
): Promise<{ installCount: number; ratings: RatingRecord[] }> {
  const [installations, ratings] = await Promise.all([
    ctx.marketplaceStore.listInstallations({ pluginId }),
    ctx.marketplaceStore.listRatings(pluginId),
  ]);
  return {
    installCount: installations.length,
    ratings: [...ratings].sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1)),
  };
}

/** The actor's org's events about one subject, and whether the whole chain verifies. */
export async function auditTrail(
  ctx: ViewContext,
  actor: Actor,
  subject: string,
  first: number,
): Promise<{ events: AuditEvent[]; verified: boolean }> {
  const { audit } = ctx;
  const limit = Math.max(1, Math.min(first, 1000));
  const events = await audit.list({ subject, orgId: actor.orgId, limit });
  // Verifying the whole chain is linear in its length; cache the verdict per chain head.
  const head = (await audit.head())?.hash ?? null;
  let verified = ctx.verified;
  if (!verified || verified.head !== head) {
    const entry = { head, result: audit.verify() };
    verified = entry;
    ctx.verified = entry;
    // A failed read is not a verdict: the next read of this head tries again.
    entry.result.catch(() => {
      if (ctx.verified === entry) ctx.verified = null;
    });
  }
  return { events, verified: (await verified.result).ok };
}
