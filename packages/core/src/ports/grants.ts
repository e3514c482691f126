// Port interfaces for capability grants (owned by @intelgraph/capabilities). Type-only: core stays
// free of I/O; the in-memory store lives in @intelgraph/capabilities, the SQL one in adapters.

/**
 * Whether a scope was granted because the plugin's manifest requires it (`capabilities`,
 * `permissions`) or because an admin opted in to one of its `optionalCapabilities`.
 */
export type GrantKind = 'required' | 'optional';

/** One scope granted to one plugin in one org. `(orgId, pluginId, scope)` is unique. */
export interface GrantRecord {
  orgId: string;
  pluginId: string;
  /** A scope string such as `graph:read`, `net:api.example.com` or `use:nl2cypher`. */
  scope: string;
  kind: GrantKind;
  /** User id of the actor who granted it. */
  grantedBy: string;
  /** ISO-8601 time of the grant. */
  grantedAt: string;
  /** Why it was granted (shown in consent screens and the audit log). */
  reason: string;
}

/** Which grants to read: one org, optionally narrowed to one plugin. */
export interface GrantQuery {
  orgId: string;
  pluginId?: string;
}

/** Which grants to remove: all of a plugin's scopes in an org, or only the listed ones. */
export interface GrantRemoval {
  orgId: string;
  pluginId: string;
  /** When omitted, every scope of the plugin is removed. */
  scopes?: readonly string[];
}

/**
 * Port: durable storage of capability grants.
 *
 * Contract (checked by `tests/conformance/grants.test.ts` for every backend):
 * - `upsert` is atomic: all records are written or none. A record whose `(orgId, pluginId, scope)`
 *   already exists is replaced (within one batch the last record for a key wins). It returns the
 *   records as stored, one per key, sorted like `list`.
 * - `remove` is atomic and returns exactly the records it deleted, so when two callers revoke the same
 *   grant concurrently only one of them sees it (and only one audit event is written).
 * - `list` returns copies sorted by `pluginId`, then `scope` (code-point order).
 */
export interface GrantStore {
  upsert(records: readonly GrantRecord[]): Promise<GrantRecord[]>;
  remove(removal: GrantRemoval): Promise<GrantRecord[]>;
  list(query: GrantQuery): Promise<GrantRecord[]>;
}
