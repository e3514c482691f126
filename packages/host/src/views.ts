import type { Actor, AuditEvent, RatingRecord } from '@intelgraph/core';
import type { EdgeRecordResult } from './edges.js';
import type { ViewContext, ViewDeps } from './views/context.js';
import { applyPatch, contractDiff, contractViews } from './views/contracts.js';
import { dashboard } from './views/dashboard.js';
import { hintView } from './views/hint.js';
import { auditTrail, catalogStats, killSwitchViews, quotaViews } from './views/org.js';
import type { ContractView, DashboardView, KillSwitchView, QuotaView } from './views/types.js';

// Read models for dashboards and API views. They are computed from the audit chain and the stores,
// always scoped to the actor's org, so a restarted host shows the same history. Each concern lives in
// its own module under views/, sharing one ViewContext.

export type { ViewDeps } from './views/context.js';
export type {
  ContractVersionView,
  ContractView,
  DashboardView,
  KillSwitchView,
  PluginUsageView,
  QuotaView,
} from './views/types.js';

/**
 * Builds the host's read models (dashboard, quotas, kill switches, contracts, audit slices).
 *
 * @example
 * ```ts
 * const views = createViews({ audit, finops, governance, contracts, gates, marketplaceStore, authorizer });
 * const board = await views.dashboard(actor);
 * ```
 */
export function createViews(deps: ViewDeps) {
  const ctx: ViewContext = { ...deps, verified: null };
  return {
    quotaViews: (actor: Actor): Promise<QuotaView[]> => quotaViews(ctx, actor),
    killSwitchViews: (actor: Actor): Promise<KillSwitchView[]> => killSwitchViews(ctx, actor),
    catalogStats(pluginId: string): Promise<{ installCount: number; ratings: RatingRecord[] }> {
      return catalogStats(ctx, pluginId);
    },
    /** The actor's org's events about one subject, and whether the whole chain verifies. */
    auditTrail(
      actor: Actor,
      subject: string,
      first: number,
    ): Promise<{ events: AuditEvent[]; verified: boolean }> {
      return auditTrail(ctx, actor, subject, first);
    },
    contractViews(actor: Actor): Promise<ContractView[]> {
      return contractViews(ctx, actor);
    },
    contractDiff(actor: Actor, input: { subject: string; from: number; to: number }) {
      return contractDiff(ctx, actor, input);
    },
    applyPatch(
      actor: Actor,
      input: { subject: string; version?: number; record: unknown; patch: unknown[] },
    ): Promise<EdgeRecordResult> {
      return applyPatch(ctx, actor, input);
    },
    hintView(actor: Actor, pluginId: string) {
      return hintView(ctx, actor, pluginId);
    },
    dashboard(actor: Actor): Promise<DashboardView> {
      return dashboard(ctx, actor);
    },
  };
}

/** The read models' type. */
export type HostViews = ReturnType<typeof createViews>;
