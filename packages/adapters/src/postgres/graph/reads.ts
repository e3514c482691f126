// Reads of one org's SQL graph: one entity, word-prefix search and a page of neighbours.
import {
  type GraphEntity,
  type GraphNeighbor,
  type GraphNeighborsQuery,
  type GraphPage,
  type GraphSearchHit,
  type GraphSearchQuery,
  nextGraphCursor,
  parseGraphEntityId,
  parseGraphNeighbors,
  parseGraphSearch,
} from '@intelgraph/core';
import { toEntity, toRelationship } from '../graph-rows.js';
import { ENTITY, NEIGHBORS, notFound, type PgGraphContext } from './context.js';

/** The entity with `id` in the org, or `null`. */
export async function getEntity({ db, ns, org }: PgGraphContext, id: string): Promise<GraphEntity | null> {
  const entityId = parseGraphEntityId(id);
  const { rows } = await db.query(
    `SELECT ${ENTITY} FROM ig_graph_entities e WHERE e.ns = $1 AND e.org_id = $3 AND e.id = $2`,
    [ns, entityId, org],
  );
  return rows[0] ? toEntity(rows[0]) : null;
}

/** Entities matching every search term by word or word prefix, best first. */
export async function search(
  { db, ns, org }: PgGraphContext,
  query: GraphSearchQuery,
): Promise<GraphPage<GraphSearchHit>> {
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
}

/** A page of an entity's neighbours; `NOT_FOUND` when the entity does not exist. */
export async function neighbors(
  { db, ns, org }: PgGraphContext,
  query: GraphNeighborsQuery,
): Promise<GraphPage<GraphNeighbor>> {
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
}
