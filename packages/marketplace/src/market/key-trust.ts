// Publisher key trust: trust a key, rotate (old keys retire; their versions stay valid), revoke (what
// the key signed becomes invalid: unpinned installations stop, pinned ones keep running with a warning).
import { type Actor, type PublisherKeyRecord, parseInput } from '@intelgraph/core';
import type { KeyInput } from '../keys.js';
import type { InstallationView, Marketplace } from '../marketplace.js';
import { actorOf, auditActor, type MarketContext, Reason, union, view } from './context.js';

/** The key-trust methods of {@link Marketplace}. */
export type KeyTrustMethods = Pick<Marketplace, 'trustKey' | 'rotateKey' | 'revokeKey'>;

/** Key trust over a marketplace context. */
export function createKeyTrust(ctx: MarketContext): KeyTrustMethods {
  return {
    trustKey: (actor, publisherId, publicKey) => trustKey(ctx, actor, publisherId, publicKey),
    rotateKey: (actor, publisherId, newPublicKey, reason) =>
      rotateKey(ctx, actor, publisherId, newPublicKey, reason),
    revokeKey: (actor, keyId, reason) => revokeKey(ctx, actor, keyId, reason),
  };
}

async function trustKey(
  ctx: MarketContext,
  actorInput: Actor,
  publisherId: string,
  publicKey: KeyInput,
): Promise<PublisherKeyRecord> {
  const actor = actorOf(actorInput);
  ctx.authorizer.require(actor, 'plugins.operate', 'managing publisher keys');
  await ctx.ready();
  const record = await ctx.trust.add(publisherId, publicKey);
  await ctx.audit.record({
    type: 'trust.key_added',
    actor: auditActor(actor),
    subject: `publisher:${publisherId}`,
    orgId: null,
    data: { keyId: record.keyId },
  });
  return record;
}

async function rotateKey(
  ctx: MarketContext,
  actorInput: Actor,
  publisherId: string,
  newPublicKey: KeyInput,
  reason = 'rotation',
): Promise<PublisherKeyRecord> {
  const actor = actorOf(actorInput);
  ctx.authorizer.require(actor, 'plugins.operate', 'managing publisher keys');
  await ctx.ready();
  const { added, retired } = await ctx.trust.rotate(publisherId, newPublicKey, reason);
  await ctx.audit.record({
    type: 'trust.key_rotated',
    actor: auditActor(actor),
    subject: `publisher:${publisherId}`,
    orgId: null,
    data: { added: added.keyId, retired: retired.map((k) => k.keyId), reason },
  });
  return added;
}

async function revokeKey(
  ctx: MarketContext,
  actorInput: Actor,
  keyId: string,
  reason: string,
): Promise<{ versions: string[]; installations: InstallationView[] }> {
  const { store, audit } = ctx;
  const actor = actorOf(actorInput);
  ctx.authorizer.require(actor, 'plugins.operate', 'managing publisher keys');
  const why = parseInput(Reason, reason, 'reason');
  await ctx.ready();
  const key = await ctx.trust.revoke(keyId, why);
  const versions = await store.listVersionsByKey(key.keyId);
  const affected: InstallationView[] = [];
  for (const version of versions) {
    await store.updateVersion(version.pluginId, version.version, { keyRevoked: true });
    ctx.verifiedCache.delete(version.packageDigest);
    for (const inst of await store.listInstallations({ pluginId: version.pluginId })) {
      if (inst.version !== version.version) continue;
      // Pinned installs keep the exact bytes they verified, with a warning; unpinned ones stop
      // until they move to a version signed by a valid key.
      const patch = inst.pinned
        ? { warnings: union(inst.warnings, ['key_revoked']), updatedAt: ctx.now() }
        : {
            warnings: union(inst.warnings, ['key_revoked']),
            status: 'disabled' as const,
            disabledReason: 'key_revoked' as const,
            updatedAt: ctx.now(),
          };
      const next = await store.updateInstallation(inst.orgId, inst.pluginId, patch);
      await audit.record({
        type: 'plugin.key_revoked',
        actor: auditActor(actor),
        subject: `plugin:${inst.pluginId}`,
        orgId: inst.orgId,
        data: { version: inst.version, keyId: key.keyId, pinned: inst.pinned, status: next.status },
      });
      affected.push(await view(ctx, next));
    }
  }
  ctx.markDirty();
  await audit.record({
    type: 'trust.key_revoked',
    actor: auditActor(actor),
    subject: `publisher:${key.publisherId}`,
    orgId: null,
    data: { keyId: key.keyId, reason: why, versions: versions.map((v) => `${v.pluginId}@${v.version}`) },
  });
  return { versions: versions.map((v) => `${v.pluginId}@${v.version}`), installations: affected };
}
