import {
  type AbuseReportRecord,
  type InstallationRecord,
  IntelGraphError,
  type MarketplaceStore,
  type PluginRecord,
  type PluginVersionRecord,
  type PublisherKeyRecord,
  type PublisherRecord,
  type RatingRecord,
} from '@intelgraph/core';

const copy = <T>(v: T): T => structuredClone(v);
const pair = (a: string, b: string): string => JSON.stringify([a, b]);
// Code-point order, as PostgreSQL's COLLATE "C" sorts.
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * In-memory {@link MarketplaceStore} (catalog, trust store keys, installations, ratings and reports).
 * Every method is one synchronous step, so it is atomic under concurrency, and it passes the same
 * conformance suite as the PostgreSQL store. Records are copied in and out.
 *
 * @example
 * ```ts
 * import { createMarketplace, createMemoryMarketplaceStore } from '@intelgraph/marketplace';
 * const market = createMarketplace({ store: createMemoryMarketplaceStore(), broker, audit });
 * ```
 */
export function createMemoryMarketplaceStore(): MarketplaceStore {
  const publishers = new Map<string, PublisherRecord>();
  const keys = new Map<string, PublisherKeyRecord>();
  const plugins = new Map<string, PluginRecord>();
  const versions = new Map<string, PluginVersionRecord>();
  const installations = new Map<string, InstallationRecord>();
  const ratings = new Map<string, RatingRecord>();
  const reports: AbuseReportRecord[] = [];

  return {
    async ensurePublisher(record) {
      const existing = publishers.get(record.id);
      if (existing) return copy(existing);
      publishers.set(record.id, copy(record));
      return copy(record);
    },
    async getPublisher(id) {
      const p = publishers.get(id);
      return p ? copy(p) : null;
    },
    async insertKey(record) {
      if (keys.has(record.keyId)) throw new IntelGraphError('CONFLICT', `key ${record.keyId} already exists`);
      keys.set(record.keyId, copy(record));
    },
    async getKey(keyId) {
      const k = keys.get(keyId);
      return k ? copy(k) : null;
    },
    async listKeys(publisherId) {
      return [...keys.values()]
        .filter((k) => publisherId === undefined || k.publisherId === publisherId)
        .sort((a, b) => cmp(a.addedAt, b.addedAt) || cmp(a.keyId, b.keyId))
        .map(copy);
    },
    async updateKey(keyId, patch) {
      const k = keys.get(keyId);
      if (!k) throw new IntelGraphError('NOT_FOUND', `no key ${keyId}`);
      const next = { ...k, ...copy(patch) };
      keys.set(keyId, next);
      return copy(next);
    },
    async publishVersion(plugin, version) {
      const existing = plugins.get(plugin.id);
      if (existing && existing.publisherId !== plugin.publisherId)
        throw new IntelGraphError('CONFLICT', `plugin ${plugin.id} belongs to another publisher`);
      const key = pair(version.pluginId, version.version);
      if (versions.has(key))
        throw new IntelGraphError('CONFLICT', `${version.pluginId}@${version.version} is already published`);
      if (!existing) plugins.set(plugin.id, copy(plugin));
      versions.set(key, copy(version));
    },
    async getPlugin(id) {
      const p = plugins.get(id);
      return p ? copy(p) : null;
    },
    async listPlugins() {
      return [...plugins.values()].sort((a, b) => cmp(a.id, b.id)).map(copy);
    },
    async getVersion(pluginId, version) {
      const v = versions.get(pair(pluginId, version));
      return v ? copy(v) : null;
    },
    async listVersions(pluginId) {
      return [...versions.values()].filter((v) => v.pluginId === pluginId).map(copy);
    },
    async listVersionsByKey(keyId) {
      return [...versions.values()].filter((v) => v.keyId === keyId).map(copy);
    },
    async updateVersion(pluginId, version, patch) {
      const key = pair(pluginId, version);
      const v = versions.get(key);
      if (!v) throw new IntelGraphError('NOT_FOUND', `no version ${pluginId}@${version}`);
      const next = { ...v, ...copy(patch) };
      versions.set(key, next);
      return copy(next);
    },

    async createInstallation(record) {
      const key = pair(record.orgId, record.pluginId);
      if (installations.has(key))
        throw new IntelGraphError('CONFLICT', `${record.pluginId} is already installed in ${record.orgId}`);
      installations.set(key, copy(record));
      return copy(record);
    },
    async getInstallation(orgId, pluginId) {
      const i = installations.get(pair(orgId, pluginId));
      return i ? copy(i) : null;
    },
    async listInstallations(filter = {}) {
      return [...installations.values()]
        .filter((i) => filter.orgId === undefined || i.orgId === filter.orgId)
        .filter((i) => filter.pluginId === undefined || i.pluginId === filter.pluginId)
        .sort((a, b) => cmp(a.orgId, b.orgId) || cmp(a.pluginId, b.pluginId))
        .map(copy);
    },
    async updateInstallation(orgId, pluginId, patch, expectedRevision) {
      const key = pair(orgId, pluginId);
      const i = installations.get(key);
      if (!i) throw new IntelGraphError('NOT_FOUND', `${pluginId} is not installed in ${orgId}`);
      if (expectedRevision !== undefined && i.revision !== expectedRevision)
        throw new IntelGraphError(
          'CONFLICT',
          `installation of ${pluginId} in ${orgId} changed concurrently`,
          {
            details: { expectedRevision, revision: i.revision },
          },
        );
      const next = { ...i, ...copy(patch), revision: i.revision + 1 };
      installations.set(key, next);
      return copy(next);
    },
    async deleteInstallation(orgId, pluginId) {
      return installations.delete(pair(orgId, pluginId));
    },

    async upsertRating(record) {
      const key = pair(record.pluginId, record.userId);
      const existing = ratings.get(key);
      const next = existing ? { ...copy(record), createdAt: existing.createdAt } : copy(record);
      ratings.set(key, next);
      return copy(next);
    },
    async getRating(pluginId, userId) {
      const r = ratings.get(pair(pluginId, userId));
      return r ? copy(r) : null;
    },
    async listRatings(pluginId) {
      return [...ratings.values()]
        .filter((r) => r.pluginId === pluginId)
        .sort((a, b) => cmp(a.userId, b.userId))
        .map(copy);
    },

    async createReport(record) {
      const dup = reports.find(
        (r) =>
          r.status === 'open' &&
          r.pluginId === record.pluginId &&
          r.version === record.version &&
          r.reporterId === record.reporterId,
      );
      if (dup) throw new IntelGraphError('CONFLICT', 'you already have an open report on this version');
      reports.push(copy(record));
      return copy(record);
    },
    async listReports(query = {}) {
      return reports
        .filter((r) => query.pluginId === undefined || r.pluginId === query.pluginId)
        .filter((r) => query.version === undefined || r.version === query.version)
        .filter((r) => query.status === undefined || r.status === query.status)
        .map(copy);
    },
    async resolveReports(pluginId, version, resolution) {
      const out: AbuseReportRecord[] = [];
      for (const [i, r] of reports.entries()) {
        if (r.status !== 'open' || r.pluginId !== pluginId || r.version !== version) continue;
        const next = { ...r, ...resolution };
        reports[i] = next;
        out.push(copy(next));
      }
      return out;
    },
  };
}
