import { type AbuseReportRecord, IntelGraphError, type MarketplaceStore } from '@intelgraph/core';
import { cmp, copy, type MemoryMarketplaceState, pair } from './state.js';

// What orgs and users do with the catalog: installations, ratings and abuse reports.

/** The usage methods of the in-memory marketplace store, over its state. */
export function usageMethods(
  s: MemoryMarketplaceState,
): Pick<
  MarketplaceStore,
  | 'createInstallation'
  | 'getInstallation'
  | 'listInstallations'
  | 'updateInstallation'
  | 'deleteInstallation'
  | 'upsertRating'
  | 'getRating'
  | 'listRatings'
  | 'createReport'
  | 'listReports'
  | 'resolveReports'
> {
  return {
    async createInstallation(record) {
      const key = pair(record.orgId, record.pluginId);
      if (s.installations.has(key))
        throw new IntelGraphError('CONFLICT', `${record.pluginId} is already installed in ${record.orgId}`);
      s.installations.set(key, copy(record));
      return copy(record);
    },
    async getInstallation(orgId, pluginId) {
      const i = s.installations.get(pair(orgId, pluginId));
      return i ? copy(i) : null;
    },
    async listInstallations(filter = {}) {
      return [...s.installations.values()]
        .filter((i) => filter.orgId === undefined || i.orgId === filter.orgId)
        .filter((i) => filter.pluginId === undefined || i.pluginId === filter.pluginId)
        .sort((a, b) => cmp(a.orgId, b.orgId) || cmp(a.pluginId, b.pluginId))
        .map(copy);
    },
    async updateInstallation(orgId, pluginId, patch, expectedRevision) {
      const key = pair(orgId, pluginId);
      const i = s.installations.get(key);
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
      s.installations.set(key, next);
      return copy(next);
    },
    async deleteInstallation(orgId, pluginId) {
      return s.installations.delete(pair(orgId, pluginId));
    },

    async upsertRating(record) {
      const key = pair(record.pluginId, record.userId);
      const existing = s.ratings.get(key);
      const next = existing ? { ...copy(record), createdAt: existing.createdAt } : copy(record);
      s.ratings.set(key, next);
      return copy(next);
    },
    async getRating(pluginId, userId) {
      const r = s.ratings.get(pair(pluginId, userId));
      return r ? copy(r) : null;
    },
    async listRatings(pluginId) {
      return [...s.ratings.values()]
        .filter((r) => r.pluginId === pluginId)
        .sort((a, b) => cmp(a.userId, b.userId))
        .map(copy);
    },

    async createReport(record) {
      const dup = s.reports.find(
        (r) =>
          r.status === 'open' &&
          r.pluginId === record.pluginId &&
          r.version === record.version &&
          r.reporterId === record.reporterId,
      );
      if (dup) throw new IntelGraphError('CONFLICT', 'you already have an open report on this version');
      s.reports.push(copy(record));
      return copy(record);
    },
    async listReports(query = {}) {
      return s.reports
        .filter((r) => query.pluginId === undefined || r.pluginId === query.pluginId)
        .filter((r) => query.version === undefined || r.version === query.version)
        .filter((r) => query.status === undefined || r.status === query.status)
        .map(copy);
    },
    async resolveReports(pluginId, version, resolution) {
      const out: AbuseReportRecord[] = [];
      for (const [i, r] of s.reports.entries()) {
        if (r.status !== 'open' || r.pluginId !== pluginId || r.version !== version) continue;
        const next = { ...r, ...resolution };
        s.reports[i] = next;
        out.push(copy(next));
      }
      return out;
    },
  };
}
