// Reads of one org's Neo4j graph: one entity, full-text search and a page of neighbours.
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
import type { Neo4jTx } from '../connection.js';
import { LABELS, SEARCH_INDEX } from '../schema.js';
import { type Neo4jGraphContext, notFound } from './context.js';
import { ENTITY_MAP, REL_MAP, toEntity, toRelationship } from './rows.js';

// Each direction is a fixed statement: Cypher text never contains caller data.
const NEIGHBORS: Record<'out' | 'in' | 'both', string> = {
  out: `MATCH (a:${LABELS.entity} {ns: $ns, org: $org, id: $id})-[r:${LABELS.relationship}]->(n:${LABELS.entity})`,
  in: `MATCH (a:${LABELS.entity} {ns: $ns, org: $org, id: $id})<-[r:${LABELS.relationship}]-(n:${LABELS.entity})`,
  both: `MATCH (a:${LABELS.entity} {ns: $ns, org: $org, id: $id})-[r:${LABELS.relationship}]-(n:${LABELS.entity})`,
};

/** The entity with `id` in the org, read in `tx`, or `null`. */
export async function readEntity(
  { ns, org }: Neo4jGraphContext,
  tx: Neo4jTx,
  id: string,
): Promise<GraphEntity | null> {
  const rows = await tx.run(
    `MATCH (n:${LABELS.entity} {ns: $ns, org: $org, id: $id}) RETURN ${ENTITY_MAP} AS e`,
    {
      ns,
      org,
      id,
    },
  );
  return rows[0] ? toEntity(rows[0].e) : null;
}

/** The entity with `id` in the org, or `null`. */
export async function getEntity(ctx: Neo4jGraphContext, id: string): Promise<GraphEntity | null> {
  const entityId = parseGraphEntityId(id);
  return ctx.connection.read((tx) => readEntity(ctx, tx, entityId));
}

/** Entities matching every search term by word or word prefix, best first. */
export async function search(
  { connection, ns, org, orgKey }: Neo4jGraphContext,
  query: GraphSearchQuery,
): Promise<GraphPage<GraphSearchHit>> {
  const { terms, types, limit, offset } = parseGraphSearch(query);
  // One statement: BEGIN pipelined with it (a plugin's search is on the run's hot path).
  const rows = await connection.readQuery(
    `CALL db.index.fulltext.queryNodes($index, $lucene) YIELD node AS n, score
         WHERE n.ns = $ns AND n.org = $org AND ($types IS NULL OR n.type IN $types)
         RETURN ${ENTITY_MAP} AS e, score
         ORDER BY score DESC, n.id ASC
         SKIP $skip LIMIT $limit`,
    {
      index: SEARCH_INDEX,
      lucene: luceneQuery(ns, orgKey, terms),
      ns,
      org,
      types,
      skip: connection.int(offset),
      limit: connection.int(limit + 1),
    },
  );
  const page = rows.slice(0, limit);
  return {
    items: page.map((row) => ({ entity: toEntity(row.e), score: Number(row.score) })),
    nextCursor: nextGraphCursor(offset, limit, rows.length > limit),
    rows: page.length,
  };
}

/** A page of an entity's neighbours; `NOT_FOUND` when the entity does not exist. */
export async function neighbors(
  { connection, ns, org }: Neo4jGraphContext,
  query: GraphNeighborsQuery,
): Promise<GraphPage<GraphNeighbor>> {
  const q = parseGraphNeighbors(query);
  const rows = await connection.read(async (tx) => {
    const exists = await tx.run(
      `MATCH (a:${LABELS.entity} {ns: $ns, org: $org, id: $id}) RETURN a.id AS id`,
      {
        ns,
        org,
        id: q.id,
      },
    );
    if (exists.length === 0) throw notFound(q.id);
    return tx.run(
      `${NEIGHBORS[q.direction]}
           WHERE $types IS NULL OR r.type IN $types
           RETURN ${REL_MAP} AS rel, ${ENTITY_MAP} AS e
           ORDER BY e.id, rel.type, rel.from
           SKIP $skip LIMIT $limit`,
      {
        ns,
        org,
        id: q.id,
        types: q.relationshipTypes,
        skip: tx.int(q.offset),
        limit: tx.int(q.limit + 1),
      },
    );
  });
  const page = rows.slice(0, q.limit);
  return {
    items: page.map((row) => ({ relationship: toRelationship(row.rel), entity: toEntity(row.e) })),
    nextCursor: nextGraphCursor(q.offset, q.limit, rows.length > q.limit),
    rows: page.length,
  };
}

/**
 * The Lucene query for the search terms: every term must match a word exactly (boosted) or as a
 * prefix, within the namespace and the org. Terms are letters and digits only (see `graphSearchTerms`), so
 * they cannot carry Lucene syntax; the namespace is validated the same way and the org key is hex.
 */
function luceneQuery(ns: string, orgKey: string, terms: readonly string[]): string {
  const clauses = terms.map((t) => `+(searchText:${t}^2 searchText:${t}*)`);
  return `+ns:"${ns}" +orgKey:${orgKey} ${clauses.join(' ')}`;
}
