import {
  type Clock,
  compareCodePoints,
  type GraphMergeInput,
  type GraphMergeResult,
  type GraphNeighbor,
  type GraphNeighborsQuery,
  type GraphPage,
  type GraphSearchHit,
  type GraphSearchQuery,
  type GraphStore,
  type GraphUpsertInput,
  type GraphUpsertResult,
  graphEntityWords,
  IntelGraphError,
  mergeGraphEntities,
  nextGraphCursor,
  type OrgGraph,
  parseGraphEntityId,
  parseGraphMerge,
  parseGraphNeighbors,
  parseGraphSearch,
  parseGraphUpsert,
  parseOrgId,
  systemClock,
} from '@intelgraph/core';
import {
  entityColumns,
  entityGone,
  parseNamespace,
  relationshipColumns,
  toEntity,
  toRelationship,
} from './graph-rows.js';
import type { SqlDatabase, SqlExecutor } from './sql.js';

/**
 * Options of {@link createPgGraphStore}.
 *
 * @example
 * ```ts
 * const graph = createPgGraphStore(db, { namespace: 'tenant_a', clock: createManualClock() });
 * ```
 */
export interface PgGraphStoreOptions {
  /** Every row carries it; stores of different namespaces never see each other (default `default`). */
  namespace?: string;
  /** Sets `createdAt` / `updatedAt` (default: the system clock). */
  clock?: Clock;
}

const ENTITY = entityColumns('e');
const REL = relationshipColumns('r');

// Each direction is a fixed statement: SQL text never contains caller data. $1 ns, $2 id, $3 types,
// $6 org. Both ends of a relationship are always of its org (foreign keys), so the join stays in it.
const NEIGHBORS: Record<'out' | 'in' | 'both', string> = {
  out: `SELECT ${REL}, ${ENTITY} FROM ig_graph_relationships r
        JOIN ig_graph_entities e ON e.ns = r.ns AND e.org_id = r.org_id AND e.id = r.to_id
        WHERE r.ns = $1 AND r.org_id = $6 AND r.from_id = $2 AND ($3::text[] IS NULL OR r.type = ANY($3::text[]))`,
  in: `SELECT ${REL}, ${ENTITY} FROM ig_graph_relationships r
       JOIN ig_graph_entities e ON e.ns = r.ns AND e.org_id = r.org_id AND e.id = r.from_id
       WHERE r.ns = $1 AND r.org_id = $6 AND r.to_id = $2 AND ($3::text[] IS NULL OR r.type = ANY($3::text[]))`,
  both: '',
};
NEIGHBORS.both = `${NEIGHBORS.out} UNION ALL ${NEIGHBORS.in}`;

/**
 * The {@link GraphStore} on SQL, for embedded PGlite and for PostgreSQL (teams without Neo4j): an
 * adjacency list. Entities and relationships are rows (`ig_graph_entities`, `ig_graph_relationships`,
 * keyed by `(from, type, to)` with an index each way), and search runs on an index of the words of
 * names and aliases (`ig_graph_words`), matched by prefix with a range scan, so it never scans every
 * entity. Every row is keyed by org (`org_id`, the first key column after the namespace), so an org's
 * view reads and writes its own rows only. The semantics are those of the memory and Neo4j stores (same
 * validation, scoring order, cursors and merge rules); batches and merges are single transactions, and a
 * merge re-points the same org's links of the SQL case store ({@link createPgCaseStore}) of the same
 * namespace in that transaction.
 *
 * @example
 * ```ts
 * import { createPGliteDatabase, createPgGraphStore, migrate } from '@intelgraph/adapters/postgres';
 * const db = await createPGliteDatabase({ dataDir: './.intelgraph/pg' });
 * await migrate(db);
 * const graph = createPgGraphStore(db).forOrg('acme');
 * await graph.upsert({
 *   entities: [{ id: 'p1', type: 'Person', name: 'Alice Smith' }, { id: 'o1', type: 'Organization', name: 'Acme' }],
 *   relationships: [{ type: 'WORKS_AT', from: 'p1', to: 'o1' }],
 * });
 * const { items } = await graph.search({ q: 'ali', limit: 10 }); // items[0].entity.id === 'p1'
 * ```
 */
export function createPgGraphStore(db: SqlDatabase, options: PgGraphStoreOptions = {}): GraphStore {
  const ns = parseNamespace(options.namespace);
  const clock = options.clock ?? systemClock;
  const now = () => new Date(clock.now()).toISOString();
  return { forOrg: (orgId) => createPgOrgGraph(db, ns, parseOrgId(orgId), now) };
}

/** One org's view of the SQL graph: every statement is bound to `(ns, org)`. */
function createPgOrgGraph(db: SqlDatabase, ns: string, org: string, now: () => string): OrgGraph {
  const writeWords = async (tx: SqlExecutor, entities: { id: string; words: string[] }[]) => {
    const ids: string[] = [];
    const words: string[] = [];
    for (const e of entities) {
      for (const w of e.words) {
        ids.push(e.id);
        words.push(w);
      }
    }
    await tx.query(
      'DELETE FROM ig_graph_words WHERE ns = $1 AND org_id = $3 AND entity_id = ANY($2::text[])',
      [ns, entities.map((e) => e.id), org],
    );
    if (ids.length === 0) return;
    await tx.query(
      `INSERT INTO ig_graph_words (ns, org_id, entity_id, word)
       SELECT $1, $4, t.id, t.word FROM unnest($2::text[], $3::text[]) AS t(id, word)
       ON CONFLICT DO NOTHING`,
      [ns, ids, words, org],
    );
  };

  return Object.freeze({
    orgId: org,

    async getEntity(id: string) {
      const entityId = parseGraphEntityId(id);
      const { rows } = await db.query(
        `SELECT ${ENTITY} FROM ig_graph_entities e WHERE e.ns = $1 AND e.org_id = $3 AND e.id = $2`,
        [ns, entityId, org],
      );
      return rows[0] ? toEntity(rows[0]) : null;
    },

    async search(query: GraphSearchQuery): Promise<GraphPage<GraphSearchHit>> {
      const { terms, types, limit, offset } = parseGraphSearch(query);
      // Per term, an entity scores 2 for an exact word and 1 for a prefix; it must match every term.
      // Terms are letters and digits only, and the range [term, term + U+10FFFF) is every word they prefix.
      const { rows } = await db.query(
        `WITH per_term AS (
           SELECT w.entity_id, max(CASE WHEN w.word = t.term THEN 2 ELSE 1 END) AS s
           FROM unnest($2::text[]) AS t(term)
           JOIN ig_graph_words w
             ON w.ns = $1 AND w.org_id = $7 AND w.word >= t.term AND w.word < t.term || chr(1114111)
           GROUP BY w.entity_id, t.term
         ), scored AS (
           SELECT entity_id, sum(s)::int AS score FROM per_term GROUP BY entity_id HAVING count(*) = $3
         )
         SELECT ${ENTITY}, scored.score
         FROM scored JOIN ig_graph_entities e ON e.ns = $1 AND e.org_id = $7 AND e.id = scored.entity_id
         WHERE $4::text[] IS NULL OR e.type = ANY($4::text[])
         ORDER BY scored.score DESC, e.id ASC
         OFFSET $5 LIMIT $6`,
        [ns, terms, terms.length, types, offset, limit + 1, org],
      );
      const page = rows.slice(0, limit);
      return {
        items: page.map((row) => ({ entity: toEntity(row), score: Number(row.score) })),
        nextCursor: nextGraphCursor(offset, limit, rows.length > limit),
        rows: page.length,
      };
    },

    async neighbors(query: GraphNeighborsQuery): Promise<GraphPage<GraphNeighbor>> {
      const q = parseGraphNeighbors(query);
      // One statement, so the existence check and the page read the same snapshot.
      const { rows: found } = await db.query(
        `SELECT EXISTS (SELECT 1 FROM ig_graph_entities WHERE ns = $1 AND org_id = $6 AND id = $2) AS anchor, n.*
         FROM (SELECT 1) AS one
         LEFT JOIN LATERAL (
           SELECT * FROM (${NEIGHBORS[q.direction]}) x ORDER BY x.e_id, x.r_type, x.r_from_id OFFSET $4 LIMIT $5
         ) n ON true`,
        [ns, q.id, q.relationshipTypes, q.offset, q.limit + 1, org],
      );
      if (found[0]?.anchor !== true) throw notFound(q.id);
      const rows = found.filter((row) => row.e_id !== null && row.e_id !== undefined);
      const page = rows.slice(0, q.limit);
      return {
        items: page.map((row) => ({ relationship: toRelationship(row), entity: toEntity(row) })),
        nextCursor: nextGraphCursor(q.offset, q.limit, rows.length > q.limit),
        rows: page.length,
      };
    },

    async upsert(input: GraphUpsertInput): Promise<GraphUpsertResult> {
      const batch = parseGraphUpsert(input);
      const at = now();
      const batchIds = new Set(batch.entities.map((e) => e.id));
      const ends = new Set<string>();
      for (const r of batch.relationships) {
        if (!batchIds.has(r.from)) ends.add(r.from);
        if (!batchIds.has(r.to)) ends.add(r.to);
      }
      // Rows are written in key order, so concurrent batches take their row locks in the same order.
      const entities = [...batch.entities].sort((a, b) => compareCodePoints(a.id, b.id));
      const relationships = [...batch.relationships].sort(
        (a, b) =>
          compareCodePoints(a.from, b.from) ||
          compareCodePoints(a.type, b.type) ||
          compareCodePoints(a.to, b.to),
      );
      const result: GraphUpsertResult = {
        entities: { created: 0, updated: 0 },
        relationships: { created: 0, updated: 0 },
        rows: entities.length + relationships.length,
      };
      try {
        await db.transaction(async (tx) => {
          if (ends.size > 0) {
            const { rows } = await tx.query<{ id: string }>(
              `SELECT t.id FROM unnest($2::text[]) AS t(id)
               WHERE NOT EXISTS (
                 SELECT 1 FROM ig_graph_entities e WHERE e.ns = $1 AND e.org_id = $3 AND e.id = t.id)`,
              [ns, [...ends], org],
            );
            const ids = rows
              .map((r) => r.id)
              .sort(compareCodePoints)
              .slice(0, 20);
            if (ids.length > 0) {
              throw new IntelGraphError('NOT_FOUND', `relationship ends do not exist: ${ids.join(', ')}`, {
                details: { ids },
              });
            }
          }
          if (entities.length > 0) {
            const { rows } = await tx.query<{ created: boolean }>(
              `INSERT INTO ig_graph_entities AS g
                 (ns, org_id, id, type, name, aliases, properties, merged_from, created_at, updated_at)
               SELECT $1, $8, t.id, t.type, t.name, t.aliases, t.properties, '[]', $7, $7
               FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
                 WITH ORDINALITY AS t(id, type, name, aliases, properties, n)
               ORDER BY t.n
               ON CONFLICT (ns, org_id, id) DO UPDATE SET type = excluded.type, name = excluded.name,
                 aliases = excluded.aliases, properties = excluded.properties, updated_at = excluded.updated_at
               RETURNING (xmax = 0) AS created`,
              [
                ns,
                entities.map((e) => e.id),
                entities.map((e) => e.type),
                entities.map((e) => JSON.stringify(e.name)),
                entities.map((e) => JSON.stringify(e.aliases)),
                entities.map((e) => JSON.stringify(e.properties)),
                at,
                org,
              ],
            );
            const created = rows.filter((r) => r.created).length;
            result.entities = { created, updated: entities.length - created };
            await writeWords(
              tx,
              entities.map((e) => ({ id: e.id, words: graphEntityWords(e.name, e.aliases) })),
            );
          }
          if (relationships.length > 0) {
            const { rows } = await tx.query<{ created: boolean }>(
              `INSERT INTO ig_graph_relationships AS g
                 (ns, org_id, from_id, type, to_id, properties, created_at, updated_at)
               SELECT $1, $7, t.from_id, t.type, t.to_id, t.properties, $6, $6
               FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])
                 WITH ORDINALITY AS t(from_id, type, to_id, properties, n)
               ORDER BY t.n
               ON CONFLICT (ns, org_id, from_id, type, to_id) DO UPDATE SET properties = excluded.properties,
                 updated_at = excluded.updated_at
               RETURNING (xmax = 0) AS created`,
              [
                ns,
                relationships.map((r) => r.from),
                relationships.map((r) => r.type),
                relationships.map((r) => r.to),
                relationships.map((r) => JSON.stringify(r.properties)),
                at,
                org,
              ],
            );
            const created = rows.filter((r) => r.created).length;
            result.relationships = { created, updated: relationships.length - created };
          }
        });
      } catch (err) {
        throw entityGone(err, [...ends].sort(compareCodePoints));
      }
      return result;
    },

    async merge(input: GraphMergeInput): Promise<GraphMergeResult> {
      const { survivorId, mergedId } = parseGraphMerge(input);
      const at = now();
      return db.transaction(async (tx) => {
        // Both rows locked in id order, so concurrent merges serialise here without deadlocking.
        const { rows: locked } = await tx.query(
          `SELECT ${ENTITY} FROM ig_graph_entities e WHERE e.ns = $1 AND e.org_id = $4 AND e.id IN ($2, $3)
           ORDER BY e.id FOR UPDATE`,
          [ns, survivorId, mergedId, org],
        );
        const found = new Map(locked.map((row) => [String(row.e_id), toEntity(row)]));
        const survivor = found.get(survivorId);
        const merged = found.get(mergedId);
        if (!survivor) throw notFound(survivorId);
        if (!merged) throw notFound(mergedId);
        // The merged entity's edges are deleted and re-inserted at the survivor; an edge between the
        // two would become a self-loop and a triple the survivor already has keeps the survivor's.
        const { rows: counts } = await tx.query<{ total: number; moved: number }>(
          `WITH gone AS (
             DELETE FROM ig_graph_relationships
             WHERE ns = $1 AND org_id = $5 AND (from_id = $3 OR to_id = $3) RETURNING *
           ), moved AS (
             INSERT INTO ig_graph_relationships (ns, org_id, from_id, type, to_id, properties, created_at, updated_at)
             SELECT ns, org_id, CASE WHEN from_id = $3 THEN $2 ELSE from_id END, type,
                    CASE WHEN to_id = $3 THEN $2 ELSE to_id END, properties, created_at, $4
             FROM gone WHERE from_id <> $2 AND to_id <> $2
             ON CONFLICT DO NOTHING
             RETURNING 1
           )
           SELECT (SELECT count(*) FROM gone)::int AS total, (SELECT count(*) FROM moved)::int AS moved`,
          [ns, survivorId, mergedId, at, org],
        );
        const total = Number(counts[0]?.total ?? 0);
        const moved = Number(counts[0]?.moved ?? 0);
        // The org's cases linking the merged entity follow it to the survivor (one version step per case).
        await tx.query(
          `UPDATE ig_cases c SET version = c.version + 1, updated_at = $3
           WHERE c.ns = $1 AND c.org_id = $4 AND c.id IN (
             SELECT case_id FROM ig_case_entities WHERE ns = $1 AND org_id = $4 AND entity_id = $2)`,
          [ns, mergedId, at, org],
        );
        await tx.query(
          `INSERT INTO ig_case_entities (ns, org_id, case_id, entity_id)
           SELECT ns, org_id, case_id, $2 FROM ig_case_entities WHERE ns = $1 AND org_id = $4 AND entity_id = $3
           ON CONFLICT DO NOTHING`,
          [ns, survivorId, mergedId, org],
        );
        await tx.query('DELETE FROM ig_graph_entities WHERE ns = $1 AND org_id = $3 AND id = $2', [
          ns,
          mergedId,
          org,
        ]);
        const entity = mergeGraphEntities(survivor, merged, at);
        await tx.query(
          `UPDATE ig_graph_entities SET aliases = $3, properties = $4, merged_from = $5, updated_at = $6
           WHERE ns = $1 AND org_id = $7 AND id = $2`,
          [
            ns,
            survivorId,
            JSON.stringify(entity.aliases),
            JSON.stringify(entity.properties),
            JSON.stringify(entity.mergedFrom),
            at,
            org,
          ],
        );
        await writeWords(tx, [{ id: survivorId, words: graphEntityWords(entity.name, entity.aliases) }]);
        return { entity, relationshipsMoved: moved, relationshipsDropped: total - moved, rows: 2 + total };
      });
    },
  });
}

function notFound(id: string): IntelGraphError {
  return new IntelGraphError('NOT_FOUND', `no entity "${id}"`, { details: { id } });
}
