// Reads of one org's in-memory graph: one entity, word-prefix search over every entity, and neighbours.
import {
  compareCodePoints,
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
import { type PartitionContext, requireEntity } from './partition.js';

/** A copy of the entity with `id`, or `null`. */
export async function getEntity({ entities }: PartitionContext, id: string): Promise<GraphEntity | null> {
  const stored = entities.get(parseGraphEntityId(id));
  return stored ? structuredClone(stored.entity) : null;
}

/** Entities matching every search term by word (2) or word prefix (1), best first. */
export async function search(
  { entities }: PartitionContext,
  query: GraphSearchQuery,
): Promise<GraphPage<GraphSearchHit>> {
  const { terms, types, limit, offset } = parseGraphSearch(query);
  const typeSet = types ? new Set(types) : null;
  const hits: GraphSearchHit[] = [];
  for (const { entity, words } of entities.values()) {
    if (typeSet && !typeSet.has(entity.type)) continue;
    let score = 0;
    for (const term of terms) {
      // An exact word scores above a mere prefix, as the Neo4j store's boosted term query does.
      if (words.includes(term)) score += 2;
      else if (words.some((w) => w.startsWith(term))) score += 1;
      else {
        score = -1;
        break;
      }
    }
    if (score > 0) hits.push({ entity, score });
  }
  hits.sort((a, b) => b.score - a.score || compareCodePoints(a.entity.id, b.entity.id));
  const page = hits.slice(offset, offset + limit);
  return {
    items: page.map((h) => ({ entity: structuredClone(h.entity), score: h.score })),
    nextCursor: nextGraphCursor(offset, limit, hits.length > offset + limit),
    rows: page.length,
  };
}

/** A page of an entity's neighbours; `NOT_FOUND` when the entity does not exist. */
export async function neighbors(
  ctx: PartitionContext,
  query: GraphNeighborsQuery,
): Promise<GraphPage<GraphNeighbor>> {
  const { entities, relationships, incident } = ctx;
  const q = parseGraphNeighbors(query);
  requireEntity(ctx, q.id);
  const typeSet = q.relationshipTypes ? new Set(q.relationshipTypes) : null;
  const found: GraphNeighbor[] = [];
  for (const key of incident.get(q.id) ?? []) {
    const rel = relationships.get(key);
    if (!rel || (typeSet && !typeSet.has(rel.type))) continue;
    const outgoing = rel.from === q.id;
    if ((q.direction === 'out' && !outgoing) || (q.direction === 'in' && outgoing)) continue;
    const other = entities.get(outgoing ? rel.to : rel.from);
    if (other) found.push({ relationship: rel, entity: other.entity });
  }
  found.sort(
    (a, b) =>
      compareCodePoints(a.entity.id, b.entity.id) ||
      compareCodePoints(a.relationship.type, b.relationship.type) ||
      compareCodePoints(a.relationship.from, b.relationship.from),
  );
  const page = found.slice(q.offset, q.offset + q.limit);
  return {
    items: structuredClone(page),
    nextCursor: nextGraphCursor(q.offset, q.limit, found.length > q.offset + q.limit),
    rows: page.length,
  };
}
