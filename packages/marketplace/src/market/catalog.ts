// The catalog: publish signed packages, yank versions, list, detail pages and search.
import { manifestScopes } from '@intelgraph/capabilities';
import {
  type Actor,
  IntelGraphError,
  type JsonValue,
  type PluginManifest,
  type PluginVersionRecord,
  parseInput,
} from '@intelgraph/core';
import semver from 'semver';
import { z } from 'zod';
import type {
  CapabilityView,
  Marketplace,
  PluginDetail,
  PluginSummary,
  VersionSummary,
} from '../marketplace.js';
import { encodePackage } from '../package.js';
import { weightedRating } from '../rating.js';
import { riskLevel } from '../risk.js';
import type { SearchDocument, SearchHit, SearchQuery } from '../search.js';
import { verifyPluginPackageDetails } from '../signing.js';
import { actorOf, auditActor, type MarketContext, PluginId, Reason, union, VersionSpec } from './context.js';
import { installable, newest, summary } from './versions.js';

const YankSchema = z.object({ pluginId: PluginId, version: VersionSpec, reason: Reason }).strict();
const SearchSchema = z
  .object({
    q: z.string().max(500).optional(),
    capability: z.union([z.string().max(300), z.array(z.string().max(300)).max(16)]).optional(),
    risk: z
      .union([z.enum(['low', 'medium', 'high']), z.array(z.enum(['low', 'medium', 'high'])).max(3)])
      .optional(),
    publisher: z.string().max(64).optional(),
    limit: z.number().int().min(1).max(100).optional(),
  })
  .strict();

/** The catalog methods of {@link Marketplace}. */
export type CatalogMethods = Pick<Marketplace, 'publish' | 'yank' | 'list' | 'detail' | 'search'>;

/** The catalog over a marketplace context. */
export function createCatalog(ctx: MarketContext): CatalogMethods {
  return {
    publish: (pkg, opts) => publish(ctx, pkg, opts),
    yank: (actor, input) => yank(ctx, actor, input),
    list: (query) => list(ctx, query),
    detail: (pluginId) => detail(ctx, pluginId),
    search: (query) => search(ctx, query),
  };
}

async function publish(
  ctx: MarketContext,
  pkg: unknown,
  opts: { actor?: Actor } = {},
): Promise<VersionSummary & { pluginId: string }> {
  const { store, audit, trust } = ctx;
  await ctx.ready();
  const actor = opts.actor === undefined ? null : actorOf(opts.actor);
  const verified = await verifyPluginPackageDetails(pkg, { resolveKey: trust.resolver() });
  if (verified.keyStatus !== 'active')
    throw new IntelGraphError(
      'SIGNATURE_INVALID',
      `key ${verified.keyId} was rotated out; sign with the active key`,
      {
        details: { reason: 'key_retired', keyId: verified.keyId },
      },
    );
  const publisherId = verified.publisherId as string;
  const { manifest } = verified;
  const existing = await store.getPlugin(manifest.name);
  if (existing && existing.publisherId !== publisherId)
    throw new IntelGraphError(
      'FORBIDDEN',
      `plugin ${manifest.name} belongs to publisher ${existing.publisherId}`,
    );
  const { required, optional } = manifestScopes(manifest);
  const at = ctx.now();
  const record: PluginVersionRecord = {
    pluginId: manifest.name,
    version: manifest.version,
    publisherId,
    keyId: verified.keyId,
    manifest: manifest as unknown as JsonValue,
    package: encodePackage(pkg as Parameters<typeof encodePackage>[0]),
    packageDigest: verified.packageDigest,
    codeSha256: verified.codeSha256,
    requiredScopes: required,
    optionalScopes: optional,
    risk: riskLevel([...required, ...optional]),
    publishedAt: at,
    yanked: false,
    yankReason: null,
    hidden: false,
    hiddenReason: null,
    keyRevoked: false,
  };
  await store.publishVersion({ id: manifest.name, publisherId, createdAt: at }, record);
  ctx.verifiedCache.set(verified.packageDigest, verified);
  ctx.markDirty();
  await audit.record({
    type: 'plugin.published',
    actor: actor ? auditActor(actor) : null,
    subject: `plugin:${manifest.name}`,
    orgId: null,
    data: {
      version: manifest.version,
      publisher: publisherId,
      keyId: verified.keyId,
      digest: verified.packageDigest,
    },
  });
  return { pluginId: manifest.name, ...summary(record) };
}

async function yank(
  ctx: MarketContext,
  actorInput: Actor,
  input: { pluginId: string; version: string; reason: string },
): Promise<VersionSummary> {
  const actor = actorOf(actorInput);
  const v = parseInput(YankSchema, input, 'yank');
  const version = await ctx.store.getVersion(v.pluginId, v.version);
  if (!version) throw new IntelGraphError('NOT_FOUND', `no version ${v.pluginId}@${v.version}`);
  // A per-resource rule first: the publisher (role `publisher:<id>`) yanks its own versions. Anyone else
  // needs `plugins.operate` (a platform permission: its roles count only in a platform org).
  if (!actor.roles.includes(`publisher:${version.publisherId}`))
    ctx.authorizer.require(
      actor,
      'plugins.operate',
      `yanking a version of ${version.publisherId} without the role publisher:${version.publisherId}`,
    );
  const next = await ctx.store.updateVersion(v.pluginId, v.version, { yanked: true, yankReason: v.reason });
  ctx.markDirty();
  await ctx.audit.record({
    type: 'plugin.yanked',
    actor: auditActor(actor),
    subject: `plugin:${v.pluginId}`,
    orgId: null,
    data: { version: v.version, reason: v.reason },
  });
  return summary(next);
}

async function list(ctx: MarketContext, query: Omit<SearchQuery, 'q'> = {}): Promise<PluginSummary[]> {
  const q = parseInput(SearchSchema, query, 'listing query');
  await rebuildIndex(ctx);
  const hits = await ctx.index.search({ ...q, q: '', limit: q.limit ?? 100 });
  const out: PluginSummary[] = [];
  for (const h of hits) {
    const v = await ctx.store.getVersion(h.pluginId, h.version);
    if (v) out.push(await summarize(ctx, h.pluginId, h.publisher, v));
  }
  return out;
}

async function detail(ctx: MarketContext, pluginId: string): Promise<PluginDetail> {
  const id = parseInput(PluginId, pluginId, 'pluginId');
  const plugin = await ctx.store.getPlugin(id);
  if (!plugin) throw new IntelGraphError('NOT_FOUND', `no plugin ${id} in the catalog`);
  const versions = (await ctx.store.listVersions(id)).sort((a, b) => semver.rcompare(a.version, b.version));
  const latest = newest(versions.filter(installable)) ?? versions[0];
  if (!latest) throw new IntelGraphError('NOT_FOUND', `no plugin ${id} in the catalog`);
  return {
    ...(await summarize(ctx, id, plugin.publisherId, latest)),
    manifest: latest.manifest as unknown as PluginManifest,
    versions: versions.map(summary),
  };
}

async function search(ctx: MarketContext, query: SearchQuery): Promise<SearchHit[]> {
  const q = parseInput(SearchSchema, query, 'search query');
  await rebuildIndex(ctx);
  return ctx.index.search(q);
}

/** Rebuilds the search index from the store's newest installable versions when it is stale. */
async function rebuildIndex(ctx: MarketContext): Promise<void> {
  const { store, clock } = ctx;
  if (clock.now() - ctx.indexBuiltAt <= ctx.maxStalenessMs) return;
  const docs: SearchDocument[] = [];
  for (const p of await store.listPlugins()) {
    const latest = newest((await store.listVersions(p.id)).filter(installable));
    if (!latest) continue;
    const m = latest.manifest as unknown as PluginManifest;
    docs.push({
      pluginId: p.id,
      version: latest.version,
      description: m.description ?? '',
      tags: m.tags ?? [],
      publisher: p.publisherId,
      scopes: union(latest.requiredScopes, latest.optionalScopes),
      risk: latest.risk,
      rating: weightedRating(await store.listRatings(p.id), ctx.ratingPolicy).score,
    });
  }
  await ctx.index.replace(docs);
  ctx.indexBuiltAt = clock.now();
}

function capabilityViews(m: PluginManifest, scopes: string[]): CapabilityView[] {
  return scopes.map((scope) => ({ scope, reason: m.reasons?.[scope] ?? null }));
}

async function summarize(
  ctx: MarketContext,
  pluginId: string,
  publisher: string,
  v: PluginVersionRecord,
): Promise<PluginSummary> {
  const m = v.manifest as unknown as PluginManifest;
  return {
    pluginId,
    publisher,
    latestVersion: v.version,
    description: m.description ?? '',
    tags: m.tags ?? [],
    capabilities: {
      required: capabilityViews(m, v.requiredScopes),
      optional: capabilityViews(m, v.optionalScopes),
    },
    risk: v.risk,
    rating: weightedRating(await ctx.store.listRatings(pluginId), ctx.ratingPolicy),
  };
}
