// Batch upserts into one org's Neo4j graph: one write transaction, every relationship end checked first.
import {
  compareCodePoints,
  type GraphUpsertInput,
  type GraphUpsertResult,
  graphEntityWords,
  graphRelationshipKey,
  IntelGraphError,
  parseGraphUpsert,
} from '@intelgraph/core';
import { stringArrayOrEmpty } from '../../narrow.js';
import { LABELS } from '../schema.js';
import type { Neo4jGraphContext } from './context.js';

/** Creates or updates a batch of entities and relationships; every relationship end must exist. */
export async function upsert(
  { connection, ns, org, orgKey, now }: Neo4jGraphContext,
  input: GraphUpsertInput,
): Promise<GraphUpsertResult> {
  const batch = parseGraphUpsert(input);
  const at = now();
  const batchIds = new Set(batch.entities.map((e) => e.id));
  const ends = new Set<string>();
  for (const r of batch.relationships) {
    if (!batchIds.has(r.from)) ends.add(r.from);
    if (!batchIds.has(r.to)) ends.add(r.to);
  }
  const entities = batch.entities.map((e) => ({
    id: e.id,
    type: e.type,
    name: e.name,
    aliases: e.aliases,
    props: JSON.stringify(e.properties),
    searchText: graphEntityWords(e.name, e.aliases).join(' '),
  }));
  const relationships = batch.relationships.map((r) => ({
    key: graphRelationshipKey(r.from, r.type, r.to),
    type: r.type,
    from: r.from,
    to: r.to,
    props: JSON.stringify(r.properties),
  }));
  return connection.write(async (tx) => {
    if (ends.size > 0) {
      const [missing] = await tx.run(
        `UNWIND $ids AS id
             OPTIONAL MATCH (n:${LABELS.entity} {ns: $ns, org: $org, id: id})
             WITH id, n WHERE n IS NULL
             RETURN collect(id) AS ids`,
        { ns, org, ids: [...ends] },
      );
      const ids = [...stringArrayOrEmpty(missing?.ids, 'missing entity ids')]
        .sort(compareCodePoints)
        .slice(0, 20);
      if (ids.length > 0) {
        throw new IntelGraphError('NOT_FOUND', `relationship ends do not exist: ${ids.join(', ')}`, {
          details: { ids },
        });
      }
    }
    const result: GraphUpsertResult = {
      entities: { created: 0, updated: 0 },
      relationships: { created: 0, updated: 0 },
      rows: entities.length + relationships.length,
    };
    if (entities.length > 0) {
      const { counters } = await tx.runCounting(
        `UNWIND $entities AS e
             MERGE (n:${LABELS.entity} {ns: $ns, org: $org, id: e.id})
               ON CREATE SET n.createdAt = $now, n.mergedFrom = [], n.orgKey = $orgKey
             SET n.type = e.type, n.name = e.name, n.aliases = e.aliases, n.props = e.props,
                 n.searchText = e.searchText, n.updatedAt = $now`,
        { ns, org, orgKey, now: at, entities },
      );
      const created = counters.nodesCreated;
      result.entities = { created, updated: entities.length - created };
    }
    if (relationships.length > 0) {
      const { counters } = await tx.runCounting(
        `UNWIND $relationships AS r
             MATCH (a:${LABELS.entity} {ns: $ns, org: $org, id: r.from})
             MATCH (b:${LABELS.entity} {ns: $ns, org: $org, id: r.to})
             MERGE (a)-[x:${LABELS.relationship} {ns: $ns, org: $org, key: r.key}]->(b)
               ON CREATE SET x.type = r.type, x.createdAt = $now
             SET x.props = r.props, x.updatedAt = $now`,
        { ns, org, now: at, relationships },
      );
      const created = counters.relationshipsCreated;
      result.relationships = { created, updated: relationships.length - created };
    }
    return result;
  });
}
