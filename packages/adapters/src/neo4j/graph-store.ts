import { type Clock, type GraphStore, type OrgGraph, parseOrgId, systemClock } from '@intelgraph/core';
import type { Neo4jConnection } from './connection.js';
import type { Neo4jGraphContext } from './graph/context.js';
import { merge } from './graph/merge.js';
import { getEntity, neighbors, search } from './graph/reads.js';
import { upsert } from './graph/upsert.js';
import { orgKeyOf } from './schema.js';

// The Neo4j graph store's public face; one org's view is wired from the concerns under graph/, which
// share one context.

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
  const ctx: Neo4jGraphContext = { connection, ns: connection.namespace, org, orgKey: orgKeyOf(org), now };
  const graph: OrgGraph = {
    orgId: org,
    getEntity: (id) => getEntity(ctx, id),
    search: (query) => search(ctx, query),
    neighbors: (query) => neighbors(ctx, query),
    upsert: (input) => upsert(ctx, input),
    merge: (input) => merge(ctx, input),
  };
  return Object.freeze(graph);
}
