// Port interfaces for the marketplace catalog: publishers, their signing keys, plugins and versions.
// Owned by @intelgraph/marketplace. Type-only so core stays free of I/O.
import type { JsonValue } from '../json.js';

/** Risk level of a plugin version, derived from the capabilities it requests. */
export type CatalogRiskLevel = 'low' | 'medium' | 'high';

/** A publisher: the owner of plugin names and of the keys that sign their packages. */
export interface PublisherRecord {
  id: string;
  displayName: string;
  createdAt: string;
}

/**
 * Lifecycle of a publisher key:
 * - `active`: signs new versions;
 * - `retired`: replaced by rotation; versions it signed before stay valid, new ones are refused;
 * - `revoked`: compromised or withdrawn; every version it signed loses its validity.
 */
export type PublisherKeyStatus = 'active' | 'retired' | 'revoked';

/** One ed25519 public key in the trust store. */
export interface PublisherKeyRecord {
  /** Hex SHA-256 of the key's SPKI DER encoding (first 32 hex characters). */
  keyId: string;
  publisherId: string;
  /** SPKI PEM of the ed25519 public key. */
  publicKeyPem: string;
  status: PublisherKeyStatus;
  addedAt: string;
  retiredAt: string | null;
  revokedAt: string | null;
  /** Why the key was retired or revoked. */
  reason: string | null;
}

/** A plugin: a name owned by one publisher, with any number of versions. */
export interface PluginRecord {
  /** The manifest `name`; unique across the catalog. */
  id: string;
  publisherId: string;
  createdAt: string;
}

/** One published version of a plugin, with its verified package. */
export interface PluginVersionRecord {
  pluginId: string;
  /** Exact semantic version. */
  version: string;
  publisherId: string;
  /** The key that signed the package. */
  keyId: string;
  /** The validated manifest (defaults applied). */
  manifest: JsonValue;
  /** The signed package as stored: `{ manifest, files: { path: base64 }, signature }`. */
  package: JsonValue;
  /** SHA-256 of the signed payload: identifies these exact bytes. */
  packageDigest: string;
  /** SHA-256 of the entry file: the key the sandbox caches compiled code under. */
  codeSha256: string;
  requiredScopes: string[];
  optionalScopes: string[];
  risk: CatalogRiskLevel;
  publishedAt: string;
  /** Yanked versions stay installable only where they are already pinned. */
  yanked: boolean;
  yankReason: string | null;
  /** Hidden from search pending review (abuse reports or a moderator). */
  hidden: boolean;
  hiddenReason: string | null;
  /** Set when the signing key was revoked; the version is no longer installable. */
  keyRevoked: boolean;
}

/** The mutable flags of a version. */
export type PluginVersionPatch = Partial<
  Pick<PluginVersionRecord, 'yanked' | 'yankReason' | 'hidden' | 'hiddenReason' | 'keyRevoked'>
>;

/**
 * Port: durable storage of the catalog and of the publisher trust store.
 * Every method is atomic; `publishVersion` writes the publisher, plugin and version rows together.
 */
export interface CatalogStore {
  /** Inserts the publisher if absent; returns the stored record. */
  ensurePublisher(record: PublisherRecord): Promise<PublisherRecord>;
  getPublisher(id: string): Promise<PublisherRecord | null>;
  /** Inserts a key; `CONFLICT` if the key id already exists. */
  insertKey(record: PublisherKeyRecord): Promise<void>;
  getKey(keyId: string): Promise<PublisherKeyRecord | null>;
  listKeys(publisherId?: string): Promise<PublisherKeyRecord[]>;
  /** Updates status fields of a key; `NOT_FOUND` if absent. */
  updateKey(
    keyId: string,
    patch: Partial<Pick<PublisherKeyRecord, 'status' | 'retiredAt' | 'revokedAt' | 'reason'>>,
  ): Promise<PublisherKeyRecord>;
  /**
   * Inserts the plugin row if absent and the version row, in one transaction.
   * `CONFLICT` when the version exists or the plugin belongs to another publisher.
   */
  publishVersion(plugin: PluginRecord, version: PluginVersionRecord): Promise<void>;
  getPlugin(id: string): Promise<PluginRecord | null>;
  listPlugins(): Promise<PluginRecord[]>;
  getVersion(pluginId: string, version: string): Promise<PluginVersionRecord | null>;
  /** Versions of one plugin, in publication order. */
  listVersions(pluginId: string): Promise<PluginVersionRecord[]>;
  /** Every version signed by a key. */
  listVersionsByKey(keyId: string): Promise<PluginVersionRecord[]>;
  /** `NOT_FOUND` if the version does not exist. */
  updateVersion(pluginId: string, version: string, patch: PluginVersionPatch): Promise<PluginVersionRecord>;
}
