import { type CapabilityBroker, manifestScopes } from '@intelgraph/capabilities';
import {
  type AbuseReportRecord,
  type Actor,
  ActorSchema,
  type AuditTrail,
  type CatalogRiskLevel,
  type Clock,
  type IdSource,
  type InstallationRecord,
  IntelGraphError,
  type JsonValue,
  type MarketplaceStore,
  type PluginManifest,
  type PluginVersionRecord,
  type PublisherKeyRecord,
  parseInput,
  type RatingRecord,
  randomIds,
  systemClock,
} from '@intelgraph/core';
import semver from 'semver';
import { z } from 'zod';
import type { KeyInput } from './keys.js';
import { createModeration, type Moderation } from './moderation.js';
import { decodePackage, encodePackage } from './package.js';
import { DEFAULT_RATING_POLICY, type RatingPolicy, type RatingSummary, weightedRating } from './rating.js';
import { riskLevel } from './risk.js';
import {
  createSearchIndex,
  type SearchDocument,
  type SearchHit,
  type SearchIndexOptions,
  type SearchQuery,
} from './search.js';
import { type KeyResolver, type VerifiedPackage, verifyPluginPackageDetails } from './signing.js';
import { createTrustStore, type TrustStore } from './trust-store.js';

/** What the high-risk hook is asked. */
export interface HighRiskRequest {
  action: 'install' | 'consent' | 'optional';
  actor: Actor;
  orgId: string;
  pluginId: string;
  version: string;
  /** Every scope the plugin would hold afterwards. */
  scopes: string[];
  /** The scopes this operation adds. */
  adding: string[];
  risk: 'high';
  /** The approval reference the caller passed back after approval, if any. */
  approvalRef: string | null;
}

/** The hook's answer: go ahead, wait for an approval (`ref` identifies it), or refuse. */
export type HighRiskDecision =
  | { status: 'approved'; ref?: string }
  | { status: 'pending'; ref: string }
  | { status: 'denied'; reason: string };

/** Which roles may do what. */
export interface MarketplaceRoles {
  /** Install, update, consent, toggle optional scopes, uninstall. Default `['admin', 'plugin-admin']`. */
  install: string[];
  /** Review abuse reports, hide and restore versions. Default `['moderator']`. */
  moderate: string[];
  /** Trust, rotate and revoke publisher keys; yank any version. Default `['marketplace-admin']`. */
  operate: string[];
}

/** Options of {@link createMarketplace}. */
export interface MarketplaceOptions {
  /** Catalog, installations, ratings and reports (memory or PostgreSQL). */
  store: MarketplaceStore;
  /** Grants live in the broker; the marketplace decides what to grant. */
  broker: CapabilityBroker;
  audit: AuditTrail;
  /** A trust store, or publisher keys to trust (added on first use). Default: a trust store over `store`. */
  trust?: TrustStore | readonly { publisher: string; publicKey: KeyInput }[];
  /** Search options (embedding provider, ranking weights) and how stale the in-process index may get. */
  search?: SearchIndexOptions & { maxStalenessMs?: number };
  ratings?: Partial<RatingPolicy>;
  /** Distinct orgs whose open reports hide a version pending review. Default 3. */
  reportThreshold?: number;
  roles?: Partial<MarketplaceRoles>;
  /**
   * Consulted when an operation grants new scopes and leaves the plugin high-risk; route it through a
   * governance review and answer `pending` with the review id, then `approved` when the caller retries
   * with that `approvalRef`. Without a hook, the installer's consent suffices.
   */
  onHighRiskInstall?: (request: HighRiskRequest) => Promise<HighRiskDecision> | HighRiskDecision;
  /**
   * Called with the code digest of a version that an org stopped running (uninstall, update), so the
   * host can drop compiled code and pooled isolates, e.g. `(sha) => sandbox.evict(sha)`.
   */
  evict?: (codeSha256: string) => Promise<void> | void;
  clock?: Clock;
  ids?: IdSource;
}

/** A published version, as listed in the catalog. */
export interface VersionSummary {
  version: string;
  publishedAt: string;
  keyId: string;
  packageDigest: string;
  requiredScopes: string[];
  optionalScopes: string[];
  risk: CatalogRiskLevel;
  yanked: boolean;
  hidden: boolean;
  keyRevoked: boolean;
}

/** A capability as shown on a consent screen. */
export interface CapabilityView {
  scope: string;
  /** The publisher's reason from `manifest.reasons`, if any. */
  reason: string | null;
}

/** A plugin in the listing. */
export interface PluginSummary {
  pluginId: string;
  publisher: string;
  latestVersion: string;
  description: string;
  tags: string[];
  capabilities: { required: CapabilityView[]; optional: CapabilityView[] };
  risk: CatalogRiskLevel;
  rating: RatingSummary;
}

/** A plugin's detail page. */
export interface PluginDetail extends PluginSummary {
  manifest: PluginManifest;
  versions: VersionSummary[];
}

/** An installation with the scopes it actually holds. */
export interface InstallationView extends InstallationRecord {
  grants: string[];
}

/** What the host needs to run an installed plugin. */
export interface InstalledPlugin {
  installation: InstallationView;
  manifest: PluginManifest;
  /** Source of the entry file, verified against its signature. */
  code: string;
  codeSha256: string;
}

/** The marketplace API; see {@link createMarketplace}. */
export interface Marketplace {
  publish(pkg: unknown, options?: { actor?: Actor }): Promise<VersionSummary & { pluginId: string }>;
  yank(actor: Actor, input: { pluginId: string; version: string; reason: string }): Promise<VersionSummary>;
  list(query?: Omit<SearchQuery, 'q'>): Promise<PluginSummary[]>;
  detail(pluginId: string): Promise<PluginDetail>;
  search(query: SearchQuery): Promise<SearchHit[]>;
  install(
    actor: Actor,
    input: { pluginId: string; version?: string; grant?: string[]; pin?: boolean; approvalRef?: string },
  ): Promise<InstallationView>;
  uninstall(actor: Actor, pluginId: string): Promise<{ revoked: string[] }>;
  update(
    actor: Actor,
    pluginId: string,
    input?: { version?: string; approvalRef?: string },
  ): Promise<InstallationView>;
  autoUpdate(actor: Actor): Promise<InstallationView[]>;
  consent(actor: Actor, pluginId: string, input?: { approvalRef?: string }): Promise<InstallationView>;
  setOptionalScopes(
    actor: Actor,
    pluginId: string,
    input: { scopes: string[]; approvalRef?: string },
  ): Promise<InstallationView>;
  installations(orgId: string): Promise<InstallationView[]>;
  installation(orgId: string, pluginId: string): Promise<InstalledPlugin>;
  rate(actor: Actor, pluginId: string, input: { stars: number; comment?: string }): Promise<RatingRecord>;
  rating(pluginId: string): Promise<RatingSummary>;
  report(
    actor: Actor,
    input: { pluginId: string; version: string; category: AbuseReportRecord['category']; details?: string },
  ): Promise<AbuseReportRecord>;
  reports(
    actor: Actor,
    query?: { pluginId?: string; status?: AbuseReportRecord['status'] },
  ): Promise<AbuseReportRecord[]>;
  moderate(
    actor: Actor,
    input: { pluginId: string; version: string; action: 'hide' | 'restore'; reason: string },
  ): Promise<VersionSummary>;
  /** The moderation queue: reports per plugin and version, hide/unhide, resolve with a reason. */
  readonly moderation: Moderation;
  trustKey(actor: Actor, publisherId: string, publicKey: KeyInput): Promise<PublisherKeyRecord>;
  rotateKey(
    actor: Actor,
    publisherId: string,
    newPublicKey: KeyInput,
    reason?: string,
  ): Promise<PublisherKeyRecord>;
  revokeKey(
    actor: Actor,
    keyId: string,
    reason: string,
  ): Promise<{ versions: string[]; installations: InstallationView[] }>;
  readonly trust: TrustStore;
}

const Id = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.@:+-]+$/u);
const PluginId = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be a plugin name');
const VersionSpec = z.string().min(1).max(128);
const Scopes = z.array(z.string().min(3).max(300)).max(128);
const Reason = z.string().trim().min(1).max(500);

const InstallSchema = z
  .object({
    pluginId: PluginId,
    version: VersionSpec.optional(),
    grant: Scopes.optional(),
    pin: z.boolean().optional(),
    approvalRef: Id.optional(),
  })
  .strict();
const UpdateSchema = z.object({ version: VersionSpec.optional(), approvalRef: Id.optional() }).strict();
const ConsentSchema = z.object({ approvalRef: Id.optional() }).strict();
const OptionalSchema = z.object({ scopes: Scopes, approvalRef: Id.optional() }).strict();
const YankSchema = z.object({ pluginId: PluginId, version: VersionSpec, reason: Reason }).strict();
const RateSchema = z
  .object({ stars: z.number().int().min(1).max(5), comment: z.string().max(2000).optional() })
  .strict();
const ReportSchema = z
  .object({
    pluginId: PluginId,
    version: VersionSpec,
    category: z.enum([
      'malware',
      'data_exfiltration',
      'privacy',
      'impersonation',
      'spam',
      'inappropriate',
      'broken',
      'other',
    ]),
    details: z.string().max(4000).optional(),
  })
  .strict();
const ModerateSchema = z
  .object({ pluginId: PluginId, version: VersionSpec, action: z.enum(['hide', 'restore']), reason: Reason })
  .strict();
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

const DEFAULT_ROLES: MarketplaceRoles = {
  install: ['admin', 'plugin-admin'],
  moderate: ['moderator'],
  operate: ['marketplace-admin'],
};

const minus = (a: readonly string[], b: readonly string[]): string[] => a.filter((x) => !b.includes(x));
const union = (a: readonly string[], b: readonly string[]): string[] => [...new Set([...a, ...b])].sort();

/**
 * Creates the marketplace: publish signed packages, browse and search the catalog, install with
 * consent (required scopes plus only the optional ones chosen), pin, update with re-consent, uninstall
 * without leftovers, rate, report abuse and moderate. Every state change is an audit event.
 *
 * @example
 * ```ts
 * import { CapabilityBroker } from '@intelgraph/capabilities';
 * import { createAuditTrail, createMemoryAuditStore } from '@intelgraph/core';
 * import { createMarketplace, createMemoryMarketplaceStore } from '@intelgraph/marketplace';
 *
 * const audit = createAuditTrail({ store: createMemoryAuditStore() });
 * const market = createMarketplace({
 *   store: createMemoryMarketplaceStore(),
 *   broker: new CapabilityBroker({ audit }),
 *   audit,
 *   trust: [{ publisher: 'acme-labs', publicKey: publicKeyPem }],
 * });
 * await market.publish(signedPackage);
 * const admin = { userId: 'alice', orgId: 'acme', roles: ['admin'] };
 * await market.install(admin, { pluginId: 'sample-enricher', version: '^1.0.0', grant: [] });
 * await market.uninstall(admin, 'sample-enricher');
 * ```
 */
export function createMarketplace(options: MarketplaceOptions): Marketplace {
  const { store, broker, audit } = options;
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const roles: MarketplaceRoles = { ...DEFAULT_ROLES, ...options.roles };
  const ratingPolicy: RatingPolicy = { ...DEFAULT_RATING_POLICY, ...options.ratings };
  const reportThreshold = options.reportThreshold ?? 3;
  const maxStalenessMs = options.search?.maxStalenessMs ?? 30_000;
  const index = createSearchIndex(options.search ?? {});
  const now = () => new Date(clock.now()).toISOString();

  const trust: TrustStore =
    options.trust !== undefined && !Array.isArray(options.trust)
      ? (options.trust as TrustStore)
      : createTrustStore({ store, clock });
  const seeds = Array.isArray(options.trust)
    ? (options.trust as readonly { publisher: string; publicKey: KeyInput }[])
    : [];
  let seeded: Promise<void> | null = null;
  const ready = (): Promise<void> => {
    seeded ??= (async () => {
      for (const s of seeds) await trust.add(s.publisher, s.publicKey);
    })();
    return seeded;
  };

  let indexBuiltAt = Number.NEGATIVE_INFINITY;
  const markDirty = () => {
    indexBuiltAt = Number.NEGATIVE_INFINITY;
  };
  // Verified packages by digest: verification happens at publish, install and on the first load per process.
  const verifiedCache = new Map<string, VerifiedPackage>();

  function actorOf(actor: unknown): Actor {
    return parseInput(ActorSchema, actor, 'actor');
  }
  function requireRole(actor: Actor, allowed: readonly string[], what: string): void {
    if (!actor.roles.some((r) => allowed.includes(r)))
      throw new IntelGraphError('FORBIDDEN', `${what} needs one of the roles ${allowed.join(', ')}`, {
        details: { required: [...allowed] },
      });
  }
  const auditActor = (a: Actor) => ({ userId: a.userId, orgId: a.orgId });

  function summary(v: PluginVersionRecord): VersionSummary {
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
  const installable = (v: PluginVersionRecord) => !v.yanked && !v.hidden && !v.keyRevoked;

  function newest(versions: PluginVersionRecord[]): PluginVersionRecord | undefined {
    return [...versions].sort((a, b) => semver.rcompare(a.version, b.version))[0];
  }

  async function resolveVersion(pluginId: string, spec: string): Promise<PluginVersionRecord> {
    const versions = await store.listVersions(pluginId);
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
  async function verifiedVersion(v: PluginVersionRecord, allowRevoked = false): Promise<VerifiedPackage> {
    const cached = verifiedCache.get(v.packageDigest);
    if (cached) return cached;
    const base = trust.resolver();
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
    if (!(allowRevoked && v.keyRevoked)) verifiedCache.set(v.packageDigest, verified);
    return verified;
  }

  async function view(inst: InstallationRecord): Promise<InstallationView> {
    return { ...inst, grants: await broker.scopes(inst.orgId, inst.pluginId) };
  }

  async function mustInstallation(orgId: string, pluginId: string): Promise<InstallationRecord> {
    const inst = await store.getInstallation(orgId, pluginId);
    if (!inst) throw new IntelGraphError('NOT_FOUND', `${pluginId} is not installed in ${orgId}`);
    return inst;
  }

  async function checkHighRisk(
    action: HighRiskRequest['action'],
    actor: Actor,
    v: PluginVersionRecord,
    scopes: string[],
    adding: string[],
    approvalRef: string | undefined,
  ): Promise<string | null> {
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
      await audit.record({
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

  async function grant(
    actor: Actor,
    orgId: string,
    pluginId: string,
    scopes: string[],
    kind: 'required' | 'optional',
    reason: string,
  ): Promise<void> {
    if (scopes.length > 0) await broker.grant(actor, { orgId, pluginId, scopes, kind, reason });
  }
  async function revoke(actor: Actor, orgId: string, pluginId: string, scopes: string[], reason: string) {
    if (scopes.length > 0) await broker.revoke(actor, { orgId, pluginId, scopes, reason });
  }

  async function evict(codeSha256: string): Promise<boolean> {
    if (!options.evict) return false;
    try {
      await options.evict(codeSha256);
      return true;
    } catch {
      return false; // eviction is a cache concern: the uninstall itself has already happened
    }
  }

  async function rebuildIndex(): Promise<void> {
    if (clock.now() - indexBuiltAt <= maxStalenessMs) return;
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
        rating: weightedRating(await store.listRatings(p.id), ratingPolicy).score,
      });
    }
    await index.replace(docs);
    indexBuiltAt = clock.now();
  }

  function capabilityViews(m: PluginManifest, scopes: string[]): CapabilityView[] {
    return scopes.map((scope) => ({ scope, reason: m.reasons?.[scope] ?? null }));
  }

  async function summarize(
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
      rating: weightedRating(await store.listRatings(pluginId), ratingPolicy),
    };
  }

  async function applyUpdate(
    actor: Actor,
    inst: InstallationRecord,
    target: PluginVersionRecord,
    approvalRef: string | undefined,
  ): Promise<InstallationView> {
    await verifiedVersion(target);
    const granted = await broker.list(inst.orgId, inst.pluginId);
    const grantedScopes = granted.map((g) => g.scope);
    const keepOptional = inst.optionalScopes.filter((s) => target.optionalScopes.includes(s));
    const toRevoke = minus(grantedScopes, union(target.requiredScopes, keepOptional));
    const pending = minus(target.requiredScopes, grantedScopes);
    // A scope the org already granted as optional and that is now required needs no new consent.
    const promote = granted
      .filter((g) => g.kind === 'optional' && target.requiredScopes.includes(g.scope))
      .map((g) => g.scope);
    const reason = `update ${inst.pluginId} ${inst.version} → ${target.version}`;
    await revoke(actor, inst.orgId, inst.pluginId, toRevoke, reason);
    await grant(actor, inst.orgId, inst.pluginId, promote, 'required', reason);
    const next = await store.updateInstallation(
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
        updatedAt: now(),
      },
      inst.revision,
    );
    if (inst.codeSha256 !== target.codeSha256) await evict(inst.codeSha256);
    await audit.record({
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
    return view(next);
  }

  const market: Marketplace = {
    trust,

    async publish(pkg, opts = {}) {
      await ready();
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
      const at = now();
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
      verifiedCache.set(verified.packageDigest, verified);
      markDirty();
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
    },

    async yank(actorInput, input) {
      const actor = actorOf(actorInput);
      const v = parseInput(YankSchema, input, 'yank');
      const version = await store.getVersion(v.pluginId, v.version);
      if (!version) throw new IntelGraphError('NOT_FOUND', `no version ${v.pluginId}@${v.version}`);
      requireRole(actor, [...roles.operate, `publisher:${version.publisherId}`], 'yanking');
      const next = await store.updateVersion(v.pluginId, v.version, { yanked: true, yankReason: v.reason });
      markDirty();
      await audit.record({
        type: 'plugin.yanked',
        actor: auditActor(actor),
        subject: `plugin:${v.pluginId}`,
        orgId: null,
        data: { version: v.version, reason: v.reason },
      });
      return summary(next);
    },

    async list(query = {}) {
      const q = parseInput(SearchSchema, query, 'listing query');
      await rebuildIndex();
      const hits = await index.search({ ...q, q: '', limit: q.limit ?? 100 });
      const out: PluginSummary[] = [];
      for (const h of hits) {
        const v = await store.getVersion(h.pluginId, h.version);
        if (v) out.push(await summarize(h.pluginId, h.publisher, v));
      }
      return out;
    },

    async detail(pluginId) {
      const id = parseInput(PluginId, pluginId, 'pluginId');
      const plugin = await store.getPlugin(id);
      if (!plugin) throw new IntelGraphError('NOT_FOUND', `no plugin ${id} in the catalog`);
      const versions = (await store.listVersions(id)).sort((a, b) => semver.rcompare(a.version, b.version));
      const latest = newest(versions.filter(installable)) ?? versions[0];
      if (!latest) throw new IntelGraphError('NOT_FOUND', `no plugin ${id} in the catalog`);
      return {
        ...(await summarize(id, plugin.publisherId, latest)),
        manifest: latest.manifest as unknown as PluginManifest,
        versions: versions.map(summary),
      };
    },

    async search(query) {
      const q = parseInput(SearchSchema, query, 'search query');
      await rebuildIndex();
      return index.search(q);
    },

    async install(actorInput, input) {
      await ready();
      const actor = actorOf(actorInput);
      const v = parseInput(InstallSchema, input, 'install');
      requireRole(actor, roles.install, 'installing plugins');
      const orgId = actor.orgId;
      if (await store.getInstallation(orgId, v.pluginId))
        throw new IntelGraphError(
          'CONFLICT',
          `${v.pluginId} is already installed in ${orgId}; update it instead`,
        );
      const spec = v.version ?? '*';
      const target = await resolveVersion(v.pluginId, spec);
      await verifiedVersion(target);
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
      const approvalRef = await checkHighRisk('install', actor, target, scopes, scopes, v.approvalRef);
      const at = now();
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
        await grant(
          actor,
          orgId,
          v.pluginId,
          target.requiredScopes,
          'required',
          `install ${v.pluginId}@${target.version}`,
        );
        await grant(
          actor,
          orgId,
          v.pluginId,
          chosen,
          'optional',
          `install ${v.pluginId}@${target.version}: opted in`,
        );
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
      return view(created);
    },

    async uninstall(actorInput, pluginId) {
      const actor = actorOf(actorInput);
      const id = parseInput(PluginId, pluginId, 'pluginId');
      requireRole(actor, roles.install, 'uninstalling plugins');
      const inst = await mustInstallation(actor.orgId, id);
      const revoked = await broker.revoke(actor, {
        orgId: actor.orgId,
        pluginId: id,
        reason: `uninstall ${id}`,
      });
      await store.deleteInstallation(actor.orgId, id);
      const evicted = await evict(inst.codeSha256);
      await audit.record({
        type: 'plugin.uninstalled',
        actor: auditActor(actor),
        subject: `plugin:${id}`,
        orgId: actor.orgId,
        data: { version: inst.version, revoked: revoked.map((g) => g.scope), evicted },
      });
      return { revoked: revoked.map((g) => g.scope) };
    },

    async update(actorInput, pluginId, input = {}) {
      const actor = actorOf(actorInput);
      const id = parseInput(PluginId, pluginId, 'pluginId');
      const v = parseInput(UpdateSchema, input, 'update');
      requireRole(actor, roles.install, 'updating plugins');
      const inst = await mustInstallation(actor.orgId, id);
      if (v.version === undefined && inst.pinned)
        throw new IntelGraphError(
          'INVALID_INPUT',
          `${id} is pinned to ${inst.version}; name the version to move to`,
        );
      const spec = v.version ?? inst.requested;
      const target = await resolveVersion(id, spec);
      const next = await applyUpdate(actor, inst, target, v.approvalRef);
      if (v.version !== undefined) {
        const pinned = semver.valid(v.version) !== null;
        return view(
          await store.updateInstallation(
            actor.orgId,
            id,
            { requested: v.version, pinned, updatedAt: now() },
            next.revision,
          ),
        );
      }
      return next;
    },

    async autoUpdate(actorInput) {
      const actor = actorOf(actorInput);
      requireRole(actor, roles.install, 'updating plugins');
      const out: InstallationView[] = [];
      for (const inst of await store.listInstallations({ orgId: actor.orgId })) {
        if (inst.pinned) continue; // pinned plugins never auto-update
        let target: PluginVersionRecord;
        try {
          target = await resolveVersion(inst.pluginId, inst.requested);
        } catch {
          continue;
        }
        if (target.version === inst.version || semver.lte(target.version, inst.version)) continue;
        out.push(await applyUpdate(actor, inst, target, undefined));
      }
      return out;
    },

    async consent(actorInput, pluginId, input = {}) {
      const actor = actorOf(actorInput);
      const id = parseInput(PluginId, pluginId, 'pluginId');
      const v = parseInput(ConsentSchema, input, 'consent');
      requireRole(actor, roles.install, 'consenting to capabilities');
      const inst = await mustInstallation(actor.orgId, id);
      const version = await store.getVersion(id, inst.version);
      if (!version) throw new IntelGraphError('NOT_FOUND', `no version ${id}@${inst.version}`);
      const current = await broker.scopes(actor.orgId, id);
      const adding = minus(inst.pendingScopes, current);
      const approvalRef = await checkHighRisk(
        'consent',
        actor,
        version,
        union(current, adding),
        adding,
        v.approvalRef,
      );
      await grant(actor, actor.orgId, id, adding, 'required', `re-consent to ${id}@${inst.version}`);
      const enable = inst.disabledReason === 'consent_required';
      const next = await store.updateInstallation(
        actor.orgId,
        id,
        {
          pendingScopes: [],
          ...(enable ? { status: 'enabled' as const, disabledReason: null } : {}),
          ...(approvalRef ? { approvalRef } : {}),
          updatedAt: now(),
        },
        inst.revision,
      );
      await audit.record({
        type: 'plugin.consented',
        actor: auditActor(actor),
        subject: `plugin:${id}`,
        orgId: actor.orgId,
        data: { version: inst.version, granted: adding, status: next.status, approvalRef },
      });
      return view(next);
    },

    async setOptionalScopes(actorInput, pluginId, input) {
      const actor = actorOf(actorInput);
      const id = parseInput(PluginId, pluginId, 'pluginId');
      const v = parseInput(OptionalSchema, input, 'optional scopes');
      requireRole(actor, roles.install, 'changing capabilities');
      const inst = await mustInstallation(actor.orgId, id);
      const version = await store.getVersion(id, inst.version);
      if (!version) throw new IntelGraphError('NOT_FOUND', `no version ${id}@${inst.version}`);
      const chosen = [...new Set(v.scopes)].sort();
      const notOffered = minus(chosen, version.optionalScopes);
      if (notOffered.length > 0)
        throw new IntelGraphError('INVALID_INPUT', `not optional scopes of ${id}: ${notOffered.join(', ')}`, {
          details: {
            issues: notOffered.map((s) => ({ code: 'not_optional', path: ['scopes'], message: s })),
          },
        });
      const current = await broker.scopes(actor.orgId, id);
      const adding = minus(chosen, current);
      const removing = minus(inst.optionalScopes, chosen).filter((s) => !version.requiredScopes.includes(s));
      const approvalRef = await checkHighRisk(
        'optional',
        actor,
        version,
        union(minus(current, removing), adding),
        adding,
        v.approvalRef,
      );
      await revoke(actor, actor.orgId, id, removing, `opted out of ${removing.join(', ')}`);
      await grant(actor, actor.orgId, id, adding, 'optional', `opted in to ${adding.join(', ')}`);
      const next = await store.updateInstallation(
        actor.orgId,
        id,
        { optionalScopes: chosen, updatedAt: now() },
        inst.revision,
      );
      await audit.record({
        type: 'plugin.capabilities_changed',
        actor: auditActor(actor),
        subject: `plugin:${id}`,
        orgId: actor.orgId,
        data: { granted: adding, revoked: removing, approvalRef },
      });
      return view(next);
    },

    async installations(orgId) {
      const org = parseInput(Id, orgId, 'orgId');
      return Promise.all((await store.listInstallations({ orgId: org })).map(view));
    },

    async installation(orgId, pluginId) {
      const org = parseInput(Id, orgId, 'orgId');
      const id = parseInput(PluginId, pluginId, 'pluginId');
      // The run's hot path: the installation, then its grants, and the package only when this digest
      // was not verified yet (the installation row carries the pinned digest, and a key revocation
      // disables unpinned installs there, so every host sees it on the next run). Grants are read after
      // the installation, never beside it: updates and uninstalls revoke grants before they change the
      // installation, so a reader that sees the new installation also sees the revocation.
      const inst = await mustInstallation(org, id);
      if (inst.status !== 'enabled')
        throw new IntelGraphError(
          'FORBIDDEN',
          `${id} is installed in ${org} but disabled (${inst.disabledReason})`,
          {
            details: { reason: inst.disabledReason, pendingScopes: inst.pendingScopes },
          },
        );
      let verified = verifiedCache.get(inst.packageDigest);
      if (!verified) {
        const version = await store.getVersion(id, inst.version);
        if (!version || version.packageDigest !== inst.packageDigest)
          throw new IntelGraphError('NOT_FOUND', `the pinned package of ${id}@${inst.version} is gone`);
        verified = await verifiedVersion(version, inst.pinned);
      }
      const grants = await broker.scopes(org, id);
      return {
        installation: { ...inst, grants },
        manifest: verified.manifest,
        code: verified.code,
        codeSha256: verified.codeSha256,
      };
    },

    async rate(actorInput, pluginId, input) {
      const actor = actorOf(actorInput);
      const id = parseInput(PluginId, pluginId, 'pluginId');
      const v = parseInput(RateSchema, input, 'rating');
      if (!(await store.getInstallation(actor.orgId, id)))
        throw new IntelGraphError('FORBIDDEN', `only users whose org installed ${id} may rate it`);
      const at = now();
      const saved = await store.upsertRating({
        pluginId: id,
        userId: actor.userId,
        orgId: actor.orgId,
        stars: v.stars,
        comment: v.comment ?? null,
        createdAt: at,
        updatedAt: at,
      });
      markDirty();
      return saved;
    },

    async rating(pluginId) {
      const id = parseInput(PluginId, pluginId, 'pluginId');
      return weightedRating(await store.listRatings(id), ratingPolicy);
    },

    async report(actorInput, input) {
      const actor = actorOf(actorInput);
      const v = parseInput(ReportSchema, input, 'abuse report');
      const version = await store.getVersion(v.pluginId, v.version);
      if (!version) throw new IntelGraphError('NOT_FOUND', `no version ${v.pluginId}@${v.version}`);
      const report = await store.createReport({
        id: ids.next('report'),
        pluginId: v.pluginId,
        version: v.version,
        category: v.category,
        details: v.details ?? '',
        reporterId: actor.userId,
        orgId: actor.orgId,
        status: 'open',
        createdAt: now(),
        resolvedAt: null,
        resolvedBy: null,
      });
      await audit.record({
        type: 'report.created',
        actor: auditActor(actor),
        subject: `plugin:${v.pluginId}`,
        orgId: actor.orgId,
        data: { reportId: report.id, version: v.version, category: v.category },
      });
      // Count distinct orgs, not reports: one org cannot hide a competitor's plugin on its own.
      const open = await store.listReports({ pluginId: v.pluginId, version: v.version, status: 'open' });
      const orgs = new Set(open.map((r) => r.orgId)).size;
      if (!version.hidden && orgs >= reportThreshold) {
        await store.updateVersion(v.pluginId, v.version, { hidden: true, hiddenReason: 'abuse_reports' });
        markDirty();
        await audit.record({
          type: 'moderation.auto_hidden',
          actor: null,
          subject: `plugin:${v.pluginId}`,
          orgId: null,
          data: { version: v.version, orgs, threshold: reportThreshold },
        });
      }
      return report;
    },

    async reports(actorInput, query = {}) {
      const actor = actorOf(actorInput);
      requireRole(actor, roles.moderate, 'reading abuse reports');
      return store.listReports(query);
    },

    async moderate(actorInput, input) {
      const actor = actorOf(actorInput);
      const v = parseInput(ModerateSchema, input, 'moderation');
      requireRole(actor, roles.moderate, 'moderation');
      const hide = v.action === 'hide';
      const next = await store.updateVersion(v.pluginId, v.version, {
        hidden: hide,
        hiddenReason: hide ? `moderator: ${v.reason}` : null,
      });
      const resolved = await store.resolveReports(v.pluginId, v.version, {
        status: hide ? 'upheld' : 'dismissed',
        resolvedAt: now(),
        resolvedBy: actor.userId,
      });
      markDirty();
      await audit.record({
        type: hide ? 'moderation.hidden' : 'moderation.restored',
        actor: auditActor(actor),
        subject: `plugin:${v.pluginId}`,
        orgId: null,
        data: { version: v.version, reason: v.reason, reports: resolved.map((r) => r.id) },
      });
      return summary(next);
    },

    async trustKey(actorInput, publisherId, publicKey) {
      const actor = actorOf(actorInput);
      requireRole(actor, roles.operate, 'managing publisher keys');
      await ready();
      const record = await trust.add(publisherId, publicKey);
      await audit.record({
        type: 'trust.key_added',
        actor: auditActor(actor),
        subject: `publisher:${publisherId}`,
        orgId: null,
        data: { keyId: record.keyId },
      });
      return record;
    },

    async rotateKey(actorInput, publisherId, newPublicKey, reason = 'rotation') {
      const actor = actorOf(actorInput);
      requireRole(actor, roles.operate, 'managing publisher keys');
      await ready();
      const { added, retired } = await trust.rotate(publisherId, newPublicKey, reason);
      await audit.record({
        type: 'trust.key_rotated',
        actor: auditActor(actor),
        subject: `publisher:${publisherId}`,
        orgId: null,
        data: { added: added.keyId, retired: retired.map((k) => k.keyId), reason },
      });
      return added;
    },

    async revokeKey(actorInput, keyId, reason) {
      const actor = actorOf(actorInput);
      requireRole(actor, roles.operate, 'managing publisher keys');
      const why = parseInput(Reason, reason, 'reason');
      await ready();
      const key = await trust.revoke(keyId, why);
      const versions = await store.listVersionsByKey(key.keyId);
      const affected: InstallationView[] = [];
      for (const version of versions) {
        await store.updateVersion(version.pluginId, version.version, { keyRevoked: true });
        verifiedCache.delete(version.packageDigest);
        for (const inst of await store.listInstallations({ pluginId: version.pluginId })) {
          if (inst.version !== version.version) continue;
          // Pinned installs keep the exact bytes they verified, with a warning; unpinned ones stop
          // until they move to a version signed by a valid key.
          const patch = inst.pinned
            ? { warnings: union(inst.warnings, ['key_revoked']), updatedAt: now() }
            : {
                warnings: union(inst.warnings, ['key_revoked']),
                status: 'disabled' as const,
                disabledReason: 'key_revoked' as const,
                updatedAt: now(),
              };
          const next = await store.updateInstallation(inst.orgId, inst.pluginId, patch);
          await audit.record({
            type: 'plugin.key_revoked',
            actor: auditActor(actor),
            subject: `plugin:${inst.pluginId}`,
            orgId: inst.orgId,
            data: { version: inst.version, keyId: key.keyId, pinned: inst.pinned, status: next.status },
          });
          affected.push(await view(next));
        }
      }
      markDirty();
      await audit.record({
        type: 'trust.key_revoked',
        actor: auditActor(actor),
        subject: `publisher:${key.publisherId}`,
        orgId: null,
        data: { keyId: key.keyId, reason: why, versions: versions.map((v) => `${v.pluginId}@${v.version}`) },
      });
      return { versions: versions.map((v) => `${v.pluginId}@${v.version}`), installations: affected };
    },

    moderation: createModeration({ store, audit, roles: roles.moderate, now, onVisibilityChange: markDirty }),
  };
  return market;
}
