import type { CapabilityBroker } from '@intelgraph/capabilities';
import type {
  AbuseReportRecord,
  Actor,
  AuditTrail,
  Authorizer,
  CatalogRiskLevel,
  Clock,
  IdSource,
  InstallationRecord,
  MarketplaceStore,
  PluginManifest,
  PublisherKeyRecord,
  RatingRecord,
} from '@intelgraph/core';
import type { KeyInput } from './keys.js';
import { createAbuseReports } from './market/abuse.js';
import { createCatalog } from './market/catalog.js';
import { createConsent } from './market/consent.js';
import { createMarketContext } from './market/context.js';
import { createInstalls } from './market/installs.js';
import { createKeyTrust } from './market/key-trust.js';
import { createRatings } from './market/ratings.js';
import { createUpdates } from './market/updates.js';
import { createModeration, type Moderation } from './moderation.js';
import type { RatingPolicy, RatingSummary } from './rating.js';
import type { SearchHit, SearchIndexOptions, SearchQuery } from './search.js';
import type { TrustStore } from './trust-store.js';

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
  /**
   * Who may do what (the host's one authorizer, see `docs/authorization.md`): `plugins.install` for
   * installing, updating, consenting and uninstalling in the actor's org; `plugins.moderate` for abuse
   * reports and hiding or restoring versions, and `plugins.operate` for publisher keys and yanking
   * another publisher's version; those two act on the catalog every org sees, so their roles count only
   * in the authorizer's `platformOrgs`. Default: `createAuthorizer()` (the default table; every org
   * counts as a platform org, which suits one-operator deployments).
   */
  authorizer?: Authorizer;
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
  // One context shared by every concern (market/*.ts): the store, broker, audit trail, trust store,
  // search index and verification cache.
  const ctx = createMarketContext(options);
  return {
    trust: ctx.trust,
    ...createCatalog(ctx),
    ...createInstalls(ctx),
    ...createUpdates(ctx),
    ...createConsent(ctx),
    ...createRatings(ctx),
    ...createAbuseReports(ctx),
    ...createKeyTrust(ctx),
    moderation: createModeration({
      store: ctx.store,
      audit: ctx.audit,
      authorizer: ctx.authorizer,
      now: ctx.now,
      onVisibilityChange: ctx.markDirty,
    }),
  };
}
