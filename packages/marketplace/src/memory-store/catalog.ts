import { IntelGraphError, type MarketplaceStore } from '@intelgraph/core';
import { cmp, copy, type MemoryMarketplaceState, pair } from './state.js';

// The catalog: publishers, their trust store keys, plugins and versions.

/** The catalog methods of the in-memory marketplace store, over its state. */
export function catalogMethods(
  s: MemoryMarketplaceState,
): Pick<
  MarketplaceStore,
  | 'ensurePublisher'
  | 'getPublisher'
  | 'insertKey'
  | 'getKey'
  | 'listKeys'
  | 'updateKey'
  | 'publishVersion'
  | 'getPlugin'
  | 'listPlugins'
  | 'getVersion'
  | 'listVersions'
  | 'listVersionsByKey'
  | 'updateVersion'
> {
  return {
    async ensurePublisher(record) {
      const existing = s.publishers.get(record.id);
      if (existing) return copy(existing);
      s.publishers.set(record.id, copy(record));
      return copy(record);
    },
    async getPublisher(id) {
      const p = s.publishers.get(id);
      return p ? copy(p) : null;
    },
    async insertKey(record) {
      if (s.keys.has(record.keyId))
        throw new IntelGraphError('CONFLICT', `key ${record.keyId} already exists`);
      s.keys.set(record.keyId, copy(record));
    },
    async getKey(keyId) {
      const k = s.keys.get(keyId);
      return k ? copy(k) : null;
    },
    async listKeys(publisherId) {
      return [...s.keys.values()]
        .filter((k) => publisherId === undefined || k.publisherId === publisherId)
        .sort((a, b) => cmp(a.addedAt, b.addedAt) || cmp(a.keyId, b.keyId))
        .map(copy);
    },
    async updateKey(keyId, patch) {
      const k = s.keys.get(keyId);
      if (!k) throw new IntelGraphError('NOT_FOUND', `no key ${keyId}`);
      const next = { ...k, ...copy(patch) };
      s.keys.set(keyId, next);
      return copy(next);
    },
    async publishVersion(plugin, version) {
      const existing = s.plugins.get(plugin.id);
      if (existing && existing.publisherId !== plugin.publisherId)
        throw new IntelGraphError('CONFLICT', `plugin ${plugin.id} belongs to another publisher`);
      const key = pair(version.pluginId, version.version);
      if (s.versions.has(key))
        throw new IntelGraphError('CONFLICT', `${version.pluginId}@${version.version} is already published`);
      if (!existing) s.plugins.set(plugin.id, copy(plugin));
      s.versions.set(key, copy(version));
    },
    async getPlugin(id) {
      const p = s.plugins.get(id);
      return p ? copy(p) : null;
    },
    async listPlugins() {
      return [...s.plugins.values()].sort((a, b) => cmp(a.id, b.id)).map(copy);
    },
    async getVersion(pluginId, version) {
      const v = s.versions.get(pair(pluginId, version));
      return v ? copy(v) : null;
    },
    async listVersions(pluginId) {
      return [...s.versions.values()].filter((v) => v.pluginId === pluginId).map(copy);
    },
    async listVersionsByKey(keyId) {
      return [...s.versions.values()].filter((v) => v.keyId === keyId).map(copy);
    },
    async updateVersion(pluginId, version, patch) {
      const key = pair(pluginId, version);
      const v = s.versions.get(key);
      if (!v) throw new IntelGraphError('NOT_FOUND', `no version ${pluginId}@${version}`);
      const next = { ...v, ...copy(patch) };
      s.versions.set(key, next);
      return copy(next);
    },
  };
}
