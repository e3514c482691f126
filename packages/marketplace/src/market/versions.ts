// Catalog versions as the other concerns need them: the listing summary, which versions may be
// installed, resolving a version or range, and re-verifying a stored package against the trust store.
import { IntelGraphError, type PluginVersionRecord } from '@intelgraph/core';
import semver from 'semver';
import type { VersionSummary } from '../marketplace.js';
import { decodePackage } from '../package.js';
import { type KeyResolver, type VerifiedPackage, verifyPluginPackageDetails } from '../signing.js';
import type { MarketContext } from './context.js';

/** A version as the catalog lists it (without the package bytes). */
export function summary(v: PluginVersionRecord): VersionSummary {
  return {
    version: v.version,
    publishedAt: v.publishedAt,
    keyId: v.keyId,
    packageDigest: v.packageDigest,
    requiredScopes: v.requiredScopes,
    optionalScopes: v.optionalScopes,
    risk: v.risk,
    yanked: v.yanked,
    hidden: v.hidden,
    keyRevoked: v.keyRevoked,
  };
}

/** Neither yanked, hidden nor signed by a revoked key. */
export const installable = (v: PluginVersionRecord) => !v.yanked && !v.hidden && !v.keyRevoked;

/** The highest semver of the versions given. */
export function newest(versions: PluginVersionRecord[]): PluginVersionRecord | undefined {
  return [...versions].sort((a, b) => semver.rcompare(a.version, b.version))[0];
}

/**
 * An exact version (which must be installable, with the reason it is not) or the highest installable
 * version satisfying a range.
 */
export async function resolveVersion(
  ctx: MarketContext,
  pluginId: string,
  spec: string,
): Promise<PluginVersionRecord> {
  const versions = await ctx.store.listVersions(pluginId);
  if (versions.length === 0) throw new IntelGraphError('NOT_FOUND', `no plugin ${pluginId} in the catalog`);
  if (semver.valid(spec)) {
    const v = versions.find((x) => x.version === spec);
    if (!v) throw new IntelGraphError('NOT_FOUND', `no version ${spec} of ${pluginId}`);
    if (v.keyRevoked)
      throw new IntelGraphError('SIGNATURE_INVALID', `${pluginId}@${spec} was signed by a revoked key`, {
        details: { reason: 'key_revoked', keyId: v.keyId },
      });
    if (v.yanked)
      throw new IntelGraphError('FORBIDDEN', `${pluginId}@${spec} was yanked: ${v.yankReason ?? ''}`, {
        details: { reason: 'yanked' },
      });
    if (v.hidden)
      throw new IntelGraphError('FORBIDDEN', `${pluginId}@${spec} is hidden pending review`, {
        details: { reason: 'hidden' },
      });
    return v;
  }
  if (semver.validRange(spec) === null)
    throw new IntelGraphError('INVALID_INPUT', `"${spec}" is neither a version nor a semver range`, {
      details: {
        issues: [{ code: 'invalid_version', path: ['version'], message: 'not a version or range' }],
      },
    });
  const candidates = versions.filter(installable);
  const best = semver.maxSatisfying(
    candidates.map((v) => v.version),
    spec,
  );
  const v = best === null ? undefined : candidates.find((x) => x.version === best);
  if (!v) throw new IntelGraphError('NOT_FOUND', `no installable version of ${pluginId} satisfies ${spec}`);
  return v;
}

/** Re-verifies a stored package against the trust store (or returns the cached verification). */
export async function verifiedVersion(
  ctx: MarketContext,
  v: PluginVersionRecord,
  allowRevoked = false,
): Promise<VerifiedPackage> {
  const cached = ctx.verifiedCache.get(v.packageDigest);
  if (cached) return cached;
  const base = ctx.trust.resolver();
  const resolveKey: KeyResolver = allowRevoked
    ? async (keyId) => {
        const r = await base(keyId);
        return r && r.status === 'revoked' ? { ...r, status: 'retired' } : r;
      }
    : base;
  const verified = await verifyPluginPackageDetails(decodePackage(v.package), { resolveKey });
  if (verified.packageDigest !== v.packageDigest)
    throw new IntelGraphError('SIGNATURE_INVALID', 'stored package does not match its recorded digest', {
      details: { reason: 'bad_signature' },
    });
  if (!(allowRevoked && v.keyRevoked)) ctx.verifiedCache.set(v.packageDigest, verified);
  return verified;
}
