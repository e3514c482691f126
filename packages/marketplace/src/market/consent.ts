// Consent: granting and revoking scopes through the broker, the high-risk hook, re-consent after an
// update added required scopes, and opting in or out of optional scopes.
import { type Actor, IntelGraphError, type PluginVersionRecord, parseInput } from '@intelgraph/core';
import { z } from 'zod';
import type { HighRiskRequest, InstallationView, Marketplace } from '../marketplace.js';
import { riskLevel } from '../risk.js';
import {
  actorOf,
  auditActor,
  Id,
  type MarketContext,
  minus,
  mustInstallation,
  PluginId,
  Scopes,
  union,
  view,
} from './context.js';

const ConsentSchema = z.object({ approvalRef: Id.optional() }).strict();
const OptionalSchema = z.object({ scopes: Scopes, approvalRef: Id.optional() }).strict();

/** The consent methods of {@link Marketplace}. */
export type ConsentMethods = Pick<Marketplace, 'consent' | 'setOptionalScopes'>;

/** Consent over a marketplace context. */
export function createConsent(ctx: MarketContext): ConsentMethods {
  return {
    consent: (actor, pluginId, input) => consent(ctx, actor, pluginId, input),
    setOptionalScopes: (actor, pluginId, input) => setOptionalScopes(ctx, actor, pluginId, input),
  };
}

/** Grants scopes of one kind (nothing to do for none). */
export async function grant(
  ctx: MarketContext,
  actor: Actor,
  orgId: string,
  pluginId: string,
  scopes: string[],
  kind: 'required' | 'optional',
  reason: string,
): Promise<void> {
  if (scopes.length > 0) await ctx.broker.grant(actor, { orgId, pluginId, scopes, kind, reason });
}

/** Revokes scopes (nothing to do for none). */
export async function revoke(
  ctx: MarketContext,
  actor: Actor,
  orgId: string,
  pluginId: string,
  scopes: string[],
  reason: string,
): Promise<void> {
  if (scopes.length > 0) await ctx.broker.revoke(actor, { orgId, pluginId, scopes, reason });
}

/**
 * Asks `onHighRiskInstall` when an operation adds scopes and leaves the plugin high-risk. Returns the
 * approval reference to record; throws `APPROVAL_REQUIRED` (pending, audited) or `FORBIDDEN` (denied).
 */
export async function checkHighRisk(
  ctx: MarketContext,
  action: HighRiskRequest['action'],
  actor: Actor,
  v: PluginVersionRecord,
  scopes: string[],
  adding: string[],
  approvalRef: string | undefined,
): Promise<string | null> {
  const { options } = ctx;
  if (!options.onHighRiskInstall || adding.length === 0 || riskLevel(scopes) !== 'high') return null;
  const decision = await options.onHighRiskInstall({
    action,
    actor,
    orgId: actor.orgId,
    pluginId: v.pluginId,
    version: v.version,
    scopes,
    adding,
    risk: 'high',
    approvalRef: approvalRef ?? null,
  });
  if (decision.status === 'approved') return decision.ref ?? approvalRef ?? null;
  if (decision.status === 'pending') {
    await ctx.audit.record({
      type: 'plugin.approval_requested',
      actor: auditActor(actor),
      subject: `plugin:${v.pluginId}`,
      orgId: actor.orgId,
      data: { action, version: v.version, scopes, adding, ref: decision.ref },
    });
    throw new IntelGraphError(
      'APPROVAL_REQUIRED',
      `${action} of ${v.pluginId} is high-risk and awaits approval`,
      {
        details: { ref: decision.ref, risk: 'high', scopes, adding },
      },
    );
  }
  throw new IntelGraphError('FORBIDDEN', `${action} of ${v.pluginId} was denied: ${decision.reason}`, {
    details: { reason: decision.reason },
  });
}

async function installedVersion(
  ctx: MarketContext,
  id: string,
  version: string,
): Promise<PluginVersionRecord> {
  const v = await ctx.store.getVersion(id, version);
  if (!v) throw new IntelGraphError('NOT_FOUND', `no version ${id}@${version}`);
  return v;
}

async function consent(
  ctx: MarketContext,
  actorInput: Actor,
  pluginId: string,
  input: { approvalRef?: string } = {},
): Promise<InstallationView> {
  const actor = actorOf(actorInput);
  const id = parseInput(PluginId, pluginId, 'pluginId');
  const v = parseInput(ConsentSchema, input, 'consent');
  ctx.authorizer.require(actor, 'plugins.install', 'consenting to capabilities');
  const inst = await mustInstallation(ctx, actor.orgId, id);
  const version = await installedVersion(ctx, id, inst.version);
  const current = await ctx.broker.scopes(actor.orgId, id);
  const adding = minus(inst.pendingScopes, current);
  const approvalRef = await checkHighRisk(
    ctx,
    'consent',
    actor,
    version,
    union(current, adding),
    adding,
    v.approvalRef,
  );
  await grant(ctx, actor, actor.orgId, id, adding, 'required', `re-consent to ${id}@${inst.version}`);
  const enable = inst.disabledReason === 'consent_required';
  const next = await ctx.store.updateInstallation(
    actor.orgId,
    id,
    {
      pendingScopes: [],
      ...(enable ? { status: 'enabled' as const, disabledReason: null } : {}),
      ...(approvalRef ? { approvalRef } : {}),
      updatedAt: ctx.now(),
    },
    inst.revision,
  );
  await ctx.audit.record({
    type: 'plugin.consented',
    actor: auditActor(actor),
    subject: `plugin:${id}`,
    orgId: actor.orgId,
    data: { version: inst.version, granted: adding, status: next.status, approvalRef },
  });
  return view(ctx, next);
}

async function setOptionalScopes(
  ctx: MarketContext,
  actorInput: Actor,
  pluginId: string,
  input: { scopes: string[]; approvalRef?: string },
): Promise<InstallationView> {
  const actor = actorOf(actorInput);
  const id = parseInput(PluginId, pluginId, 'pluginId');
  const v = parseInput(OptionalSchema, input, 'optional scopes');
  ctx.authorizer.require(actor, 'plugins.install', 'changing capabilities');
  const inst = await mustInstallation(ctx, actor.orgId, id);
  const version = await installedVersion(ctx, id, inst.version);
  const chosen = [...new Set(v.scopes)].sort();
  const notOffered = minus(chosen, version.optionalScopes);
  if (notOffered.length > 0)
    throw new IntelGraphError('INVALID_INPUT', `not optional scopes of ${id}: ${notOffered.join(', ')}`, {
      details: {
        issues: notOffered.map((s) => ({ code: 'not_optional', path: ['scopes'], message: s })),
      },
    });
  const current = await ctx.broker.scopes(actor.orgId, id);
  const adding = minus(chosen, current);
  const removing = minus(inst.optionalScopes, chosen).filter((s) => !version.requiredScopes.includes(s));
  const approvalRef = await checkHighRisk(
    ctx,
    'optional',
    actor,
    version,
    union(minus(current, removing), adding),
    adding,
    v.approvalRef,
  );
  await revoke(ctx, actor, actor.orgId, id, removing, `opted out of ${removing.join(', ')}`);
  await grant(ctx, actor, actor.orgId, id, adding, 'optional', `opted in to ${adding.join(', ')}`);
  const next = await ctx.store.updateInstallation(
    actor.orgId,
    id,
    { optionalScopes: chosen, updatedAt: ctx.now() },
    inst.revision,
  );
  await ctx.audit.record({
    type: 'plugin.capabilities_changed',
    actor: auditActor(actor),
    subject: `plugin:${id}`,
    orgId: actor.orgId,
    data: { granted: adding, revoked: removing, approvalRef },
  });
  return view(ctx, next);
}
