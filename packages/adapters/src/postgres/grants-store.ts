import type { GrantQuery, GrantRecord, GrantRemoval, GrantStore } from '@intelgraph/core';
import type { SqlDatabase } from './sql.js';

type Row = Record<string, unknown>;

const COLUMNS = 'org_id, plugin_id, scope, kind, granted_by, granted_at, reason';

function toRecord(r: Row): GrantRecord {
  const at = r.granted_at instanceof Date ? r.granted_at : new Date(String(r.granted_at));
  return {
    orgId: String(r.org_id),
    pluginId: String(r.plugin_id),
    scope: String(r.scope),
    kind: String(r.kind) === 'optional' ? 'optional' : 'required',
    grantedBy: String(r.granted_by),
    grantedAt: at.toISOString(),
    reason: String(r.reason),
  };
}

// Code-point order, the same in every backend regardless of the database collation.
function sorted(records: GrantRecord[]): GrantRecord[] {
  return records.sort((a, b) =>
    a.pluginId !== b.pluginId
      ? a.pluginId < b.pluginId
        ? -1
        : 1
      : a.scope < b.scope
        ? -1
        : a.scope > b.scope
          ? 1
          : 0,
  );
}

/**
 * PostgreSQL / PGlite {@link GrantStore}. `upsert` is one `INSERT … ON CONFLICT DO UPDATE` statement
 * (atomic for the whole batch); `remove` is one `DELETE … RETURNING`, so concurrent revokes of the
 * same grant see it exactly once.
 *
 * @example
 * ```ts
 * import { CapabilityBroker } from '@intelgraph/capabilities';
 * import { createPgDatabase, createPgGrantStore, migrate } from '@intelgraph/adapters/postgres';
 * const db = createPgDatabase({ connectionString: process.env.DATABASE_URL });
 * await migrate(db);
 * const broker = new CapabilityBroker({ store: createPgGrantStore(db) });
 * ```
 */
export function createPgGrantStore(db: SqlDatabase): GrantStore {
  return {
    async upsert(records) {
      if (records.length === 0) return [];
      // One row per key, last wins (ON CONFLICT cannot touch a row twice in one statement).
      const byKey = new Map<string, GrantRecord>();
      for (const r of records) byKey.set(JSON.stringify([r.orgId, r.pluginId, r.scope]), r);
      const rows = [...byKey.values()];
      const { rows: stored } = await db.query<Row>(
        `INSERT INTO ig_grants_records (${COLUMNS})
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[])
         ON CONFLICT (org_id, plugin_id, scope) DO UPDATE SET
           kind = EXCLUDED.kind, granted_by = EXCLUDED.granted_by, granted_at = EXCLUDED.granted_at, reason = EXCLUDED.reason
         RETURNING ${COLUMNS}`,
        [
          rows.map((r) => r.orgId),
          rows.map((r) => r.pluginId),
          rows.map((r) => r.scope),
          rows.map((r) => r.kind),
          rows.map((r) => r.grantedBy),
          rows.map((r) => r.grantedAt),
          rows.map((r) => r.reason),
        ],
      );
      return sorted(stored.map(toRecord));
    },
    async remove(removal: GrantRemoval) {
      const params: unknown[] = [removal.orgId, removal.pluginId];
      let where = 'org_id = $1 AND plugin_id = $2';
      if (removal.scopes) {
        params.push([...removal.scopes]);
        where += ' AND scope = ANY($3::text[])';
      }
      const { rows } = await db.query<Row>(
        `DELETE FROM ig_grants_records WHERE ${where} RETURNING ${COLUMNS}`,
        params,
      );
      return sorted(rows.map(toRecord));
    },
    async list(query: GrantQuery) {
      const { rows } =
        query.pluginId === undefined
          ? await db.query<Row>(`SELECT ${COLUMNS} FROM ig_grants_records WHERE org_id = $1`, [query.orgId])
          : await db.query<Row>(
              `SELECT ${COLUMNS} FROM ig_grants_records WHERE org_id = $1 AND plugin_id = $2`,
              [query.orgId, query.pluginId],
            );
      return sorted(rows.map(toRecord));
    },
  };
}
