// Port interfaces for installations, ratings and abuse reports. Owned by @intelgraph/marketplace.
// Capability grants themselves live behind the grants port (@intelgraph/capabilities).
import type { CatalogStore } from './catalog.js';

/**
 * State of an installation:
 * - `enabled`: runs with its grants;
 * - `disabled`: installed but not runnable (see `disabledReason`), for example after an update that
 *   asks for a new required capability, until the org re-consents.
 */
export type InstallationStatus = 'enabled' | 'disabled';

/**
 * Why an installation is disabled: the org must consent to new scopes, its publisher key was revoked, or
 * (`contract_unnegotiable`) the version it moved to accepts no contract version the host can serve.
 */
export type DisabledReason = 'consent_required' | 'key_revoked' | 'contract_unnegotiable';

/**
 * The contract version negotiated for one edge of an installed plugin: the newest version its manifest
 * accepts that a migration path reaches from (and, for output, back to) the subject's current version.
 */
export interface NegotiatedContractRecord {
  edge: 'input' | 'output';
  subject: string;
  /** The version the plugin is served (input) or writes (output). */
  version: number;
  /** The subject's current version when this was negotiated. */
  negotiatedAt: number;
}

/** One plugin installed in one org. At most one per (orgId, pluginId). */
export interface InstallationRecord {
  orgId: string;
  pluginId: string;
  /** The exact version the org runs. */
  version: string;
  /** What was asked for: an exact version or a semver range. */
  requested: string;
  /** Pinned installations never auto-update. */
  pinned: boolean;
  status: InstallationStatus;
  disabledReason: DisabledReason | null;
  /** Required scopes of the current version that still wait for consent. */
  pendingScopes: string[];
  /** Optional scopes the org chose to grant. */
  optionalScopes: string[];
  packageDigest: string;
  codeSha256: string;
  /** Notices for admins, for example `key_revoked` when the pinned version's key was revoked. */
  warnings: string[];
  /** The approval (from the high-risk hook) that authorised the last grant, if any. */
  approvalRef: string | null;
  installedBy: string;
  installedAt: string;
  updatedAt: string;
  /** Optimistic concurrency counter, incremented by every update. */
  revision: number;
  /** Contract versions negotiated at install (absent: never negotiated, e.g. installed before). */
  contracts?: NegotiatedContractRecord[];
}

/** Fields an update may change. */
export type InstallationPatch = Partial<
  Pick<
    InstallationRecord,
    | 'version'
    | 'requested'
    | 'pinned'
    | 'status'
    | 'disabledReason'
    | 'pendingScopes'
    | 'optionalScopes'
    | 'packageDigest'
    | 'codeSha256'
    | 'warnings'
    | 'approvalRef'
    | 'contracts'
    | 'updatedAt'
  >
>;

/** A user's rating of a plugin; one per (pluginId, userId), editable. */
export interface RatingRecord {
  pluginId: string;
  userId: string;
  orgId: string;
  /** 1 to 5. */
  stars: number;
  comment: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Reason categories of an abuse report. */
export type AbuseCategory =
  | 'malware'
  | 'data_exfiltration'
  | 'privacy'
  | 'impersonation'
  | 'spam'
  | 'inappropriate'
  | 'broken'
  | 'other';

/** Review state of an abuse report. */
export type AbuseReportStatus = 'open' | 'upheld' | 'dismissed';

/** One abuse report against a plugin version. */
export interface AbuseReportRecord {
  id: string;
  pluginId: string;
  version: string;
  category: AbuseCategory;
  details: string;
  reporterId: string;
  orgId: string;
  status: AbuseReportStatus;
  createdAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

/** Filters for listing abuse reports. */
export interface AbuseReportQuery {
  pluginId?: string;
  version?: string;
  status?: AbuseReportStatus;
}

/**
 * Port: durable storage of installations, ratings and abuse reports.
 * `createInstallation` must be atomic against concurrent callers: of two concurrent installs of the same
 * plugin in the same org, exactly one succeeds and the other gets `CONFLICT`.
 */
export interface InstallationStore {
  /** `CONFLICT` if the org already has this plugin. */
  createInstallation(record: InstallationRecord): Promise<InstallationRecord>;
  getInstallation(orgId: string, pluginId: string): Promise<InstallationRecord | null>;
  listInstallations(filter?: { orgId?: string; pluginId?: string }): Promise<InstallationRecord[]>;
  /**
   * Applies a patch and increments `revision`. With `expectedRevision`, fails with `CONFLICT` when the
   * stored revision differs (someone else changed it). `NOT_FOUND` if absent.
   */
  updateInstallation(
    orgId: string,
    pluginId: string,
    patch: InstallationPatch,
    expectedRevision?: number,
  ): Promise<InstallationRecord>;
  /** Deletes the installation; returns whether one existed. */
  deleteInstallation(orgId: string, pluginId: string): Promise<boolean>;
  /** Inserts or replaces the user's rating of the plugin (keeps the original `createdAt`). */
  upsertRating(record: RatingRecord): Promise<RatingRecord>;
  getRating(pluginId: string, userId: string): Promise<RatingRecord | null>;
  listRatings(pluginId: string): Promise<RatingRecord[]>;
  /**
   * Inserts a report. `CONFLICT` if the same reporter already has an open report on the same version.
   */
  createReport(record: AbuseReportRecord): Promise<AbuseReportRecord>;
  listReports(query?: AbuseReportQuery): Promise<AbuseReportRecord[]>;
  /** Resolves every open report of a version at once; returns the updated reports. */
  resolveReports(
    pluginId: string,
    version: string,
    resolution: { status: 'upheld' | 'dismissed'; resolvedAt: string; resolvedBy: string },
  ): Promise<AbuseReportRecord[]>;
}

/** Both marketplace ports, as one store object (what the memory and PostgreSQL adapters provide). */
export type MarketplaceStore = CatalogStore & InstallationStore;
