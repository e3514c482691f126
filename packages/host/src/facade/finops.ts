import { type Actor, parseInput, type QuotaRule } from '@intelgraph/core';
import type { BudgetHint, QuotaRuleInput, QuotaUsageView } from '@intelgraph/finops';
import { z } from 'zod';
import { NameSchema } from '../inputs.js';
import type { DashboardView, HostViews, KillSwitchView, QuotaView } from '../views.js';
import { actorOf, type HostContext } from './context.js';

/**
 * `host.finops`: quotas, budget hints, kill switches and the dashboard of the actor's org. Setting
 * quotas needs `finops.quotas`; the org's or a plugin's kill switch `finops.killSwitch`; the global one
 * `finops.globalKillSwitch` (in a platform org).
 *
 * @example
 * ```ts
 * await host.finops.setQuota(admin, { resource: 'calls', limit: 100, window: 'day' });
 * const board = await host.finops.dashboard(admin);
 * ```
 */
export interface FinOpsApi {
  /** Quota usage of the actor's org (optionally one plugin). */
  usage(actor: Actor, pluginId?: string): Promise<QuotaUsageView[]>;
  /** The budget preview of a plugin for the actor's org. */
  hint(actor: Actor, pluginId: string): Promise<BudgetHint>;
  /** The budget preview of a plugin, shaped for display. */
  hintView(actor: Actor, pluginId: string): ReturnType<HostViews['hintView']>;
  /**
   * Engages or releases a kill switch, audited with actor and reason; runs in flight under it end
   * before this returns. Returns the switch as the dashboard shows it.
   */
  killSwitch(
    actor: Actor,
    input: { scope: 'global' | 'org' | 'plugin'; target?: string; on: boolean; reason: string },
  ): Promise<KillSwitchView>;
  /** Sets a quota for the actor's org (or one plugin in it). */
  setQuota(
    actor: Actor,
    input: Omit<QuotaRuleInput, 'scope' | 'actor'> & { pluginId?: string },
  ): Promise<QuotaRule>;
  /** The org's quota rules with their usage. */
  quotas(actor: Actor): Promise<QuotaView[]>;
  /** Engaged kill switches that affect the org. */
  killSwitches(actor: Actor): Promise<KillSwitchView[]>;
  /** The FinOps dashboard of the actor's org: run p95 and costs, quotas, contract checks, approval SLA. */
  dashboard(actor: Actor): Promise<DashboardView>;
}

const KillSwitchInput = z
  .object({
    scope: z.enum(['global', 'org', 'plugin']),
    target: NameSchema.optional(),
    on: z.boolean(),
    reason: z.string().trim().min(3).max(500),
  })
  .strict();

const ScopeProbe = z.object({ scope: z.unknown() });

const pluginIdOf = (raw: unknown): string => parseInput(NameSchema, raw, 'pluginId');

/** Creates `host.finops` over the host's context. */
export function createFinOpsApi(ctx: HostContext): FinOpsApi {
  const { authorizer, finops, views, runGuards } = ctx;
  return {
    usage: async (actorInput, pluginId) => {
      const actor = actorOf(actorInput);
      return finops.quotas.usage({
        org: actor.orgId,
        ...(pluginId === undefined ? {} : { plugin: pluginIdOf(pluginId) }),
      });
    },
    hint: async (actor, pluginId) => finops.hint({ org: actorOf(actor).orgId, plugin: pluginIdOf(pluginId) }),
    hintView: async (actor, pluginId) => views.hintView(actorOf(actor), pluginIdOf(pluginId)),
    killSwitch: async (actorInput, raw) => {
      const actor = actorOf(actorInput);
      // Read the input once into plain data: the check below and the parse must see the same scope
      // (a getter or Proxy answering 'org' to the check and 'global' to zod would switch every org off).
      const sent: unknown = raw !== null && typeof raw === 'object' ? { ...raw } : raw;
      // Who may act is decided before what they sent is parsed: the global switch is the platform's.
      if (ScopeProbe.safeParse(sent).data?.scope === 'global')
        authorizer.require(actor, 'finops.globalKillSwitch', 'the global kill switch');
      else authorizer.require(actor, 'finops.killSwitch', 'the kill switch');
      const input = parseInput(KillSwitchInput, sent, 'kill switch');
      // An org admin switches their own org, or one plugin within it.
      const plugin =
        input.scope === 'plugin' ? parseInput(z.string().min(1).max(64), input.target, 'target') : null;
      const target =
        input.scope === 'global' ? {} : plugin === null ? { org: actor.orgId } : { org: actor.orgId, plugin };
      const change = { target, actor: { userId: actor.userId, orgId: actor.orgId }, reason: input.reason };
      if (input.on) await finops.killSwitch.engage(change);
      else await finops.killSwitch.release(change);
      // Runs in flight under the switch are ended before this returns (other hosts: on their next
      // host call after at most `runRecheckMs`).
      await runGuards.invalidate(target);
      return {
        scope: input.scope,
        target: input.scope === 'global' ? null : (plugin ?? actor.orgId),
        on: input.on,
        reason: input.reason,
        actor: actor.userId,
        at: new Date(ctx.clock.now()).toISOString(),
      };
    },
    setQuota: async (actorInput, input) => {
      const actor = actorOf(actorInput);
      authorizer.require(actor, 'finops.quotas', 'setting quotas');
      const { pluginId, ...rest } = input;
      return finops.quotas.set({
        ...rest,
        scope: { org: actor.orgId, ...(pluginId ? { plugin: pluginIdOf(pluginId) } : {}) },
      });
    },
    quotas: async (actor) => views.quotaViews(actorOf(actor)),
    killSwitches: async (actor) => views.killSwitchViews(actorOf(actor)),
    dashboard: async (actor) => views.dashboard(actorOf(actor)),
  };
}
