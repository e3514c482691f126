import type {
  AbuseReportRecord,
  InstallationRecord,
  PluginRecord,
  PluginVersionRecord,
  PublisherKeyRecord,
  PublisherRecord,
  RatingRecord,
} from '@intelgraph/core';

// The in-memory marketplace store's state and the helpers its modules share.

/** The records one in-memory marketplace store holds. */
export interface MemoryMarketplaceState {
  publishers: Map<string, PublisherRecord>;
  keys: Map<string, PublisherKeyRecord>;
  plugins: Map<string, PluginRecord>;
  /** By `pair(pluginId, version)`. */
  versions: Map<string, PluginVersionRecord>;
  /** By `pair(orgId, pluginId)`. */
  installations: Map<string, InstallationRecord>;
  /** By `pair(pluginId, userId)`. */
  ratings: Map<string, RatingRecord>;
  reports: AbuseReportRecord[];
}

/** An empty store state. */
export const emptyMarketplaceState = (): MemoryMarketplaceState => ({
  publishers: new Map(),
  keys: new Map(),
  plugins: new Map(),
  versions: new Map(),
  installations: new Map(),
  ratings: new Map(),
  reports: [],
});

/** A deep copy: records are copied in and out. */
export const copy = <T>(v: T): T => structuredClone(v);
/** The map key of two ids. */
export const pair = (a: string, b: string): string => JSON.stringify([a, b]);
// Code-point order, as PostgreSQL's COLLATE "C" sorts.
export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
