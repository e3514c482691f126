// Installs: install with consent (required scopes plus the optional ones chosen), uninstall without
// leftovers, an org's installations, and the run's hot path (`installation`).
import { type Actor, type InstallationRecord, IntelGraphError, parseInput } from '@intelgraph/core';
import semver from 'semver';
import { z } from 'zod';
import type { InstallationView, InstalledPlugin, Marketplace } from '../marketplace.js';
import { riskLevel } from '../risk.js';
import { checkHighRisk, grant } from './consent.js';
import {
  actorOf,
  auditActor,
  evict,
  Id,
  type MarketContext,
  minus,
  mustInstallation,
  PluginId,
  Scopes,
  union,
  VersionSpec,
  view,
} from './context.js';
import { resolveVersion, verifiedVersion } from './versions.js';

const InstallSchema = z
  .object({
    pluginId: PluginId,
    version: VersionSpec.optional(),
    grant: Scopes.optional(),
    pin: z.boolean().optional(),
    approvalRef: Id.optional(),
  })
  .strict();

/** The install methods of {@link Marketplace}. */
export type InstallMethods = Pick<Marketplace, 'install' | 'uninstall' | 'installations' | 'installation'>;

/** Installs over a marketplace context. */
export function createInstalls(ctx: MarketContext): InstallMethods {
  return {
    install: (actor, input) => install(ctx, actor, input),
    uninstall: (actor, pluginId) => uninstall(ctx, actor, pluginId),
    installations: (orgId) => installations(ctx, orgId),
    installation: (orgId, pluginId) => installation(ctx, orgId, pluginId),
  };
}

async function install(
  ctx: MarketContext,
  actorInput: Actor,
  input: { pluginId: string; version?: string; grant?: string[]; pin?: boolean; approvalRef?: string },
): Promise<InstallationView> {
  const { store, broker, audit } = ctx;
  await ctx.ready();
  const actor = actorOf(actorInput);
  const v = parseInput(InstallSchema, input, 'install');
  ctx.authorizer.require(actor, 'plugins.install', 'installing plugins');
  const orgId = actor.orgId;
  if (await store.getInstallation(orgId, v.pluginId))
    throw new IntelGraphError(
      'CONFLICT',
      `${v.pluginId} is already installed in ${orgId}; update it instead`,
    );
  const spec = v.version ?? '*';
  const target = await resolveVersion(ctx, v.pluginId, spec);
  await verifiedVersion(ctx, target);
  const chosen = [...new Set(v.grant ?? [])].sort();
  const notOffered = minus(chosen, target.optionalScopes);
  if (notOffered.length > 0)
    throw new IntelGraphError(
      'INVALID_INPUT',
      `not optional scopes of ${v.pluginId}: ${notOffered.join(', ')}`,
      {
        details: {
          issues: notOffered.map((s) => ({ code: 'not_optional', path: ['grant'], message: s })),
        },
      },
    );
  const scopes = union(target.requiredScopes, chosen);
  const approvalRef = await checkHighRisk(ctx, 'install', actor, target, scopes, scopes, v.approvalRef);
  const at = ctx.now();
  const record: InstallationRecord = {
    orgId,
    pluginId: v.pluginId,
    version: target.version,
    requested: spec,
    pinned: v.pin ?? semver.valid(spec) !== null,
    status: 'enabled',
    disabledReason: null,
    pendingScopes: [],
    optionalScopes: chosen,
    packageDigest: target.packageDigest,
    codeSha256: target.codeSha256,
    warnings: [],
    approvalRef,
    installedBy: actor.userId,
    installedAt: at,
    updatedAt: at,
    revision: 0,
  };
  // The unique (org, plugin) row is claimed first, so a concurrent install fails before granting.
  const created = await store.createInstallation(record);
  try {
    const what = `install ${v.pluginId}@${target.version}`;
    await grant(ctx, actor, orgId, v.pluginId, target.requiredScopes, 'required', what);
    await grant(ctx, actor, orgId, v.pluginId, chosen, 'optional', `${what}: opted in`);
    await audit.record({
      type: 'plugin.installed',
      actor: auditActor(actor),
      subject: `plugin:${v.pluginId}`,
      orgId,
      data: {
        version: target.version,
        requested: spec,
        pinned: record.pinned,
        required: target.requiredScopes,
        optional: chosen,
        risk: riskLevel(scopes),
        approvalRef,
      },
    });
  } catch (error) {
    await broker
      .revoke(actor, { orgId, pluginId: v.pluginId, reason: 'install rolled back' })
      .catch(() => []);
    await store.deleteInstallation(orgId, v.pluginId);
    throw error;
  }
  return view(ctx, created);
}

async function uninstall(
  ctx: MarketContext,
  actorInput: Actor,
  pluginId: string,
): Promise<{ revoked: string[] }> {
  const actor = actorOf(actorInput);
  const id = parseInput(PluginId, pluginId, 'pluginId');
  ctx.authorizer.require(actor, 'plugins.install', 'uninstalling plugins');
  const inst = await mustInstallation(ctx, actor.orgId, id);
  const revoked = await ctx.broker.revoke(actor, {
    orgId: actor.orgId,
    pluginId: id,
    reason: `uninstall ${id}`,
  });
  await ctx.store.deleteInstallation(actor.orgId, id);
  const evicted = await evict(ctx, inst.codeSha256);
  await ctx.audit.record({
    type: 'plugin.uninstalled',
    actor: auditActor(actor),
    subject: `plugin:${id}`,
    orgId: actor.orgId,
    data: { version: inst.version, revoked: revoked.map((g) => g.scope), evicted },
  });
  return { revoked: revoked.map((g) => g.scope) };
}

async function installations(ctx: MarketContext, orgId: string): Promise<InstallationView[]> {
  const org = parseInput(Id, orgId, 'orgId');
  return Promise.all((await ctx.store.listInstallations({ orgId: org })).map((inst) => view(ctx, inst)));
}

async function installation(ctx: MarketContext, orgId: string, pluginId: string): Promise<InstalledPlugin> {
  const org = parseInput(Id, orgId, 'orgId');
  const id = parseInput(PluginId, pluginId, 'pluginId');
  // The run's hot path: the installation, then its grants, and the package only when this digest
  // was not verified yet (the installation row carries the pinned digest, and a key revocation
  // disables unpinned installs there, so every host sees it on the next run). Grants are read after
  // the installation, never beside it: updates and uninstalls revoke grants before they change the
  // installation, so a reader that sees the new installation also sees the revocation.
  const inst = await mustInstallation(ctx, org, id);
  if (inst.status !== 'enabled')
    throw new IntelGraphError(
      'FORBIDDEN',
      `${id} is installed in ${org} but disabled (${inst.disabledReason})`,
      {
        details: { reason: inst.disabledReason, pendingScopes: inst.pendingScopes },
      },
    );
  let verified = ctx.verifiedCache.get(inst.packageDigest);
  if (!verified) {
    const version = await ctx.store.getVersion(id, inst.version);
    if (!version || version.packageDigest !== inst.packageDigest)
      throw new IntelGraphError('NOT_FOUND', `the pinned package of ${id}@${inst.version} is gone`);
    verified = await verifiedVersion(ctx, version, inst.pinned);
  }
  const grants = await ctx.broker.scopes(org, id);
  return {
    installation: { ...inst, grants },
    manifest: verified.manifest,
    code: verified.code,
    codeSha256: verified.codeSha256,
  };
}
