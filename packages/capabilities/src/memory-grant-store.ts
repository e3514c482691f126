import type { GrantQuery, GrantRecord, GrantRemoval, GrantStore } from '@intelgraph/core';

const key = (r: { orgId: string; pluginId: string; scope: string }) =>
  JSON.stringify([r.orgId, r.pluginId, r.scope]);

function compare(a: GrantRecord, b: GrantRecord): number {
  if (a.pluginId !== b.pluginId) return a.pluginId < b.pluginId ? -1 : 1;
  if (a.scope !== b.scope) return a.scope < b.scope ? -1 : 1;
  return 0;
}

/**
 * In-memory {@link GrantStore}: the default for tests and embedded use. Every operation runs in one
 * synchronous step, so it is atomic under concurrency, and it passes the grants conformance suite.
 *
 * @example
 * ```ts
 * import { CapabilityBroker, createMemoryGrantStore } from '@intelgraph/capabilities';
 * const broker = new CapabilityBroker({ store: createMemoryGrantStore() });
 * ```
 */
export function createMemoryGrantStore(): GrantStore {
  const grants = new Map<string, GrantRecord>();
  return {
    async upsert(records) {
      const written = new Map<string, GrantRecord>();
      for (const r of records) {
        const copy = { ...r };
        grants.set(key(copy), copy);
        written.set(key(copy), copy);
      }
      return [...written.values()].map((r) => ({ ...r })).sort(compare);
    },
    async remove(removal: GrantRemoval) {
      const removed: GrantRecord[] = [];
      const only = removal.scopes ? new Set(removal.scopes) : null;
      for (const [k, r] of grants) {
        if (r.orgId !== removal.orgId || r.pluginId !== removal.pluginId) continue;
        if (only && !only.has(r.scope)) continue;
        grants.delete(k);
        removed.push(r);
      }
      return removed.sort(compare);
    },
    async list(query: GrantQuery) {
      const out: GrantRecord[] = [];
      for (const r of grants.values()) {
        if (r.orgId !== query.orgId) continue;
        if (query.pluginId !== undefined && r.pluginId !== query.pluginId) continue;
        out.push({ ...r });
      }
      return out.sort(compare);
    },
  };
}
