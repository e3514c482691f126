// Updates: move an installation to another version (pinned ones only when asked), with re-consent
// when the new version requires scopes the org has not granted, and auto-update of unpinned ones.
import {
  type Actor,
  type InstallationRecord,
  IntelGraphError,
  type PluginVersionRecord,
  parseInput,
} from '@intelgraph/core';
import semver from 'semver';
import { z } from 'zod';
import type { InstallationView, Marketplace } from '../marketplace.js';
import { grant, revoke } from './consent.js';
import {
  actorOf,
  auditActor,
  evict,
  Id,
  type MarketContext,
  minus,
  mustInstallation,
  PluginId,
  union,
  VersionSpec,
  view,
} from './context.js';
import { resolveVersion, verifiedVersion } from './versions.js';

const UpdateSchema = z.object({ version: VersionSpec.optional(), approvalRef: Id.optional() }).strict();

/** The update methods of {@link Marketplace}. */
export type UpdateMethods = Pick<Marketplace, 'update' | 'autoUpdate'>;

/** Updates over a marketplace context. */
export function createUpdates(ctx: MarketContext): UpdateMethods {
  return {
    update: (actor, pluginId, input) => update(ctx, actor, pluginId, input),
    autoUpdate: (actor) => autoUpdate(ctx, actor),
  };
}

async function update(
  ctx: MarketContext,
  actorInput: Actor,
  pluginId: string,
  input: { version?: string; approvalRef?: string } = {},
): Promise<InstallationView> {
  const actor = actorOf(actorInput);
  const id = parseInput(PluginId, pluginId, 'pluginId');
  const v = parseInput(UpdateSchema, input, 'update');
  ctx.authorizer.require(actor, 'plugins.install', 'updating plugins');
  const inst = await mustInstallation(ctx, actor.orgId, id);
  if (v.version === undefined && inst.pinned)
    throw new IntelGraphError(
      'INVALID_INPUT',
      `${id} is pinned to ${inst.version}; name the version to move to`,
    );
  const spec = v.version ?? inst.requested;
  const target = await resolveVersion(ctx, id, spec);
  const next = await applyUpdate(ctx, actor, inst, target, v.approvalRef);
  if (v.version !== undefined) {
    const pinned = semver.valid(v.version) !== null;
    return view(
      ctx,
      await ctx.store.updateInstallation(
        actor.orgId,
        id,
        { requested: v.version, pinned, updatedAt: ctx.now() },
        next.revision,
      ),
    );
  }
  return next;
}

async function autoUpdate(ctx: MarketContext, actorInput: Actor): Promise<InstallationView[]> {
  const actor = actorOf(actorInput);
  ctx.authorizer.require(actor, 'plugins.install', 'updating plugins');
  const out: InstallationView[] = [];
  for (const inst of await ctx.store.listInstallations({ orgId: actor.orgId })) {
    if (inst.pinned) continue; // pinned plugins never auto-update
    let target: PluginVersionRecord;
    try {
      target = await resolveVersion(ctx, inst.pluginId, inst.requested);
    } catch {
      continue;
    }
    if (target.version === inst.version || semver.lte(target.version, inst.version)) continue;
    out.push(await applyUpdate(ctx, actor, inst, target, undefined));
  }
  return out;
}

/**
 * Moves an installation to `target`: revokes scopes the new version no longer has, keeps the optional
 * ones it still offers, and disables the installation until `consent` when it requires new scopes.
 */
async function applyUpdate(
  ctx: MarketContext,
  actor: Actor,
  inst: InstallationRecord,
  target: PluginVersionRecord,
  approvalRef: string | undefined,
): Promise<InstallationView> {
  await verifiedVersion(ctx, target);
  const granted = await ctx.broker.list(inst.orgId, inst.pluginId);
  const grantedScopes = granted.map((g) => g.scope);
  const keepOptional = inst.optionalScopes.filter((s) => target.optionalScopes.includes(s));
  const toRevoke = minus(grantedScopes, union(target.requiredScopes, keepOptional));
  const pending = minus(target.requiredScopes, grantedScopes);
  // A scope the org already granted as optional and that is now required needs no new consent.
  const promote = granted
    .filter((g) => g.kind === 'optional' && target.requiredScopes.includes(g.scope))
    .map((g) => g.scope);
  const reason = `update ${inst.pluginId} ${inst.version} → ${target.version}`;
  await revoke(ctx, actor, inst.orgId, inst.pluginId, toRevoke, reason);
  await grant(ctx, actor, inst.orgId, inst.pluginId, promote, 'required', reason);
  const next = await ctx.store.updateInstallation(
    inst.orgId,
    inst.pluginId,
    {
      version: target.version,
      packageDigest: target.packageDigest,
      codeSha256: target.codeSha256,
      optionalScopes: keepOptional,
      pendingScopes: pending,
      status: pending.length > 0 ? 'disabled' : 'enabled',
      disabledReason: pending.length > 0 ? 'consent_required' : null,
      warnings: inst.warnings.filter((w) => w !== 'key_revoked'),
      updatedAt: ctx.now(),
    },
    inst.revision,
  );
  if (inst.codeSha256 !== target.codeSha256) await evict(ctx, inst.codeSha256);
  await ctx.audit.record({
    type: 'plugin.updated',
    actor: auditActor(actor),
    subject: `plugin:${inst.pluginId}`,
    orgId: inst.orgId,
    data: {
      from: inst.version,
      to: target.version,
      revoked: toRevoke,
      pendingScopes: pending,
      status: next.status,
      approvalRef: approvalRef ?? null,
    },
  });
  return view(ctx, next);
}
