import {
  type Clock,
  compareCodePoints,
  type GraphEntity,
  type GraphMergeInput,
  type GraphMergeResult,
  type GraphNeighbor,
  type GraphNeighborsQuery,
  type GraphPage,
  type GraphRelationship,
  type GraphSearchHit,
  type GraphSearchQuery,
  type GraphStore,
  type GraphUpsertInput,
  type GraphUpsertResult,
  graphEntityWords,
  graphRelationshipKey,
  IntelGraphError,
  type JsonValue,
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
import { jsonObjectOf, parseStoredJson, recordOf, stringArrayOrEmpty } from '../narrow.js';
import type { Neo4jConnection, Neo4jTx } from './connection.js';
import { LABELS, orgKeyOf, SEARCH_INDEX } from './schema.js';

/**
 * Options of {@link createNeo4jGraphStore}.
 *
 * @example
 * ```ts
 * const graph = createNeo4jGraphStore(neo4j, { clock: createManualClock() });
 * ```
 */
export interface Neo4jGraphStoreOptions {
  /** Sets `createdAt` / `updatedAt` (default: the system clock). */
  clock?: Clock;
}

const ENTITY_MAP = 'n { .id, .type, .name, .aliases, .props, .mergedFrom, .createdAt, .updatedAt }';
const REL_MAP = 'r { .type, .props, .createdAt, .updatedAt, from: startNode(r).id, to: endNode(r).id }';

// Each direction is a fixed statement: Cypher text never contains caller data.
const NEIGHBORS: Record<'out' | 'in' | 'both', string> = {
  out: `MATCH (a:${LABELS.entity} {ns: $ns, org: $org, id: $id})-[r:${LABELS.relationship}]->(n:${LABELS.entity})`,
  in: `MATCH (a:${LABELS.entity} {ns: $ns, org: $org, id: $id})<-[r:${LABELS.relationship}]-(n:${LABELS.entity})`,
  both: `MATCH (a:${LABELS.entity} {ns: $ns, org: $org, id: $id})-[r:${LABELS.relationship}]-(n:${LABELS.entity})`,
};

/**
 * The {@link GraphStore} on Neo4j. Entities are `:IgEntity` nodes and relationships `:IG_REL` edges,
 * their kinds held in a `type` property so every statement is fixed, parameterised Cypher. Both carry
 * `ns` and `org`; entities are unique per `(ns, org, id)` and every statement matches the view's org,
 * so another org's nodes are never read, written or linked. Search
 * runs on the `ig_entity_search_org` full-text index; batches and merges are single write transactions.
 *
 * @example
 * ```ts
 * import { createNeo4jConnection, createNeo4jGraphStore } from '@intelgraph/adapters/neo4j';
 * const neo4j = await createNeo4jConnection({ url: 'bolt://127.0.0.1:7687' });
 * const graph = createNeo4jGraphStore(neo4j).forOrg('acme');
 * await graph.upsert({ entities: [{ id: 'p1', type: 'Person', name: 'Alice Smith' }] });
 * const { items, nextCursor } = await graph.search({ q: 'alice', limit: 10 });
 * await neo4j.close();
 * ```
 */
export function createNeo4jGraphStore(
  connection: Neo4jConnection,
  options: Neo4jGraphStoreOptions = {},
): GraphStore {
  const clock = options.clock ?? systemClock;
  const now = () => new Date(clock.now()).toISOString();
  return {
    forOrg: (orgId) => createNeo4jOrgGraph(connection, parseOrgId(orgId), now),
  };
}

/** One org's view of the Neo4j graph: every statement matches `(ns, org)`. */
function createNeo4jOrgGraph(connection: Neo4jConnection, org: string, now: () => string): OrgGraph {
  const ns = connection.namespace;
  const orgKey = orgKeyOf(org);
  const readEntity = async (tx: Neo4jTx, id: string): Promise<GraphEntity | null> => {
    const rows = await tx.run(
      `MATCH (n:${LABELS.entity} {ns: $ns, org: $org, id: $id}) RETURN ${ENTITY_MAP} AS e`,
      {
        ns,
        org,
        id,
      },
    );
    return rows[0] ? toEntity(rows[0].e) : null;
  };

  return Object.freeze({
    orgId: org,

    async getEntity(id: string) {
      const entityId = parseGraphEntityId(id);
      return connection.read((tx) => readEntity(tx, entityId));
    },

    async search(query: GraphSearchQuery): Promise<GraphPage<GraphSearchHit>> {
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
    },

    async neighbors(query: GraphNeighborsQuery): Promise<GraphPage<GraphNeighbor>> {
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
    },

    async merge(input: GraphMergeInput): Promise<GraphMergeResult> {
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
    },
  });
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

function notFound(id: string): IntelGraphError {
  return new IntelGraphError('NOT_FOUND', `no entity "${id}"`, { details: { id } });
}

function parseProps(value: unknown): Record<string, JsonValue> {
  return typeof value === 'string' ? jsonObjectOf(parseStoredJson(value), 'properties') : {};
}

function toEntity(value: unknown): GraphEntity {
  const e = recordOf(value, 'entity');
  return {
    id: String(e.id),
    type: String(e.type),
    name: String(e.name),
    aliases: stringArrayOrEmpty(e.aliases, 'entity aliases'),
    properties: parseProps(e.props),
    mergedFrom: stringArrayOrEmpty(e.mergedFrom, 'entity merged-from ids'),
    createdAt: String(e.createdAt),
    updatedAt: String(e.updatedAt),
  };
}

function toRelationship(value: unknown): GraphRelationship {
  const r = recordOf(value, 'relationship');
  return {
    type: String(r.type),
    from: String(r.from),
    to: String(r.to),
    properties: parseProps(r.props),
    createdAt: String(r.createdAt),
    updatedAt: String(r.updatedAt),
  };
}
