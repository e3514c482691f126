// Merges in one org's Neo4j graph: the merged node's edges and case links move to the survivor.
import {
  type GraphMergeInput,
  type GraphMergeResult,
  graphEntityWords,
  mergeGraphEntities,
  parseGraphMerge,
} from '@intelgraph/core';
import { LABELS } from '../schema.js';
import { type Neo4jGraphContext, notFound } from './context.js';
import { ENTITY_MAP, toEntity } from './rows.js';

/** Merges `mergedId` into `survivorId` in one write transaction. */
export async function merge(
  { connection, ns, org, now }: Neo4jGraphContext,
  input: GraphMergeInput,
): Promise<GraphMergeResult> {
  const { survivorId, mergedId } = parseGraphMerge(input);
  const at = now();
  const ids = { ns, org, survivorId, mergedId, now: at, sep: '\u0000' };
  return connection.write(async (tx) => {
    // Writing both nodes first takes their locks, so concurrent merges serialise here.
    const locked = await tx.run(
      `MATCH (n:${LABELS.entity} {ns: $ns, org: $org}) WHERE n.id IN [$survivorId, $mergedId]
           SET n.updatedAt = $now
           RETURN ${ENTITY_MAP} AS e`,
      ids,
    );
    const found = new Map(
      locked.map((row) => {
        const e = toEntity(row.e);
        return [e.id, e];
      }),
    );
    const survivor = found.get(survivorId);
    const merged = found.get(mergedId);
    if (!survivor) throw notFound(survivorId);
    if (!merged) throw notFound(mergedId);
    const [countRow] = await tx.run(
      `MATCH (m:${LABELS.entity} {ns: $ns, org: $org, id: $mergedId})-[r:${LABELS.relationship}]-() RETURN count(r) AS total`,
      ids,
    );
    const total = Number(countRow?.total ?? 0);
    const outgoing = await tx.runCounting(
      `MATCH (m:${LABELS.entity} {ns: $ns, org: $org, id: $mergedId})-[r:${LABELS.relationship}]->(t:${LABELS.entity})
           MATCH (s:${LABELS.entity} {ns: $ns, org: $org, id: $survivorId})
           WITH s, t, r, r.type AS type, r.props AS props, r.createdAt AS createdAt
           DELETE r
           WITH s, t, type, props, createdAt WHERE t <> s
           MERGE (s)-[x:${LABELS.relationship} {ns: $ns, org: $org, key: s.id + $sep + type + $sep + t.id}]->(t)
             ON CREATE SET x.type = type, x.props = props, x.createdAt = createdAt, x.updatedAt = $now`,
      ids,
    );
    const incoming = await tx.runCounting(
      `MATCH (m:${LABELS.entity} {ns: $ns, org: $org, id: $mergedId})<-[r:${LABELS.relationship}]-(f:${LABELS.entity})
           MATCH (s:${LABELS.entity} {ns: $ns, org: $org, id: $survivorId})
           WITH s, f, r, r.type AS type, r.props AS props, r.createdAt AS createdAt
           DELETE r
           WITH s, f, type, props, createdAt WHERE f <> s
           MERGE (f)-[x:${LABELS.relationship} {ns: $ns, org: $org, key: f.id + $sep + type + $sep + s.id}]->(s)
             ON CREATE SET x.type = type, x.props = props, x.createdAt = createdAt, x.updatedAt = $now`,
      ids,
    );
    // The org's cases linking the merged entity follow it to the survivor (one version step per case).
    await tx.run(
      `MATCH (c:${LABELS.case} {ns: $ns, orgId: $org})-[l:${LABELS.caseLink}]->(m:${LABELS.entity} {ns: $ns, org: $org, id: $mergedId})
           MATCH (s:${LABELS.entity} {ns: $ns, org: $org, id: $survivorId})
           DELETE l
           MERGE (c)-[:${LABELS.caseLink}]->(s)
           SET c.igLock = true
           SET c.version = c.version + 1, c.updatedAt = $now
           REMOVE c.igLock`,
      ids,
    );
    const entity = mergeGraphEntities(survivor, merged, at);
    await tx.run(
      `MATCH (s:${LABELS.entity} {ns: $ns, org: $org, id: $survivorId})
           MATCH (m:${LABELS.entity} {ns: $ns, org: $org, id: $mergedId})
           DETACH DELETE m
           SET s.aliases = $aliases, s.props = $props, s.mergedFrom = $mergedFrom,
               s.searchText = $searchText, s.updatedAt = $now`,
      {
        ...ids,
        aliases: entity.aliases,
        props: JSON.stringify(entity.properties),
        mergedFrom: entity.mergedFrom,
        searchText: graphEntityWords(entity.name, entity.aliases).join(' '),
      },
    );
    const moved = outgoing.counters.relationshipsCreated + incoming.counters.relationshipsCreated;
    const dropped = total - moved;
    return { entity, relationshipsMoved: moved, relationshipsDropped: dropped, rows: 2 + total };
  });
}
