import { type Clock, type GraphStore, type OrgGraph, parseOrgId, systemClock } from '@intelgraph/core';
import type { PgGraphContext } from './graph/context.js';
import { merge } from './graph/merge.js';
import { getEntity, neighbors, search } from './graph/reads.js';
import { upsert } from './graph/upsert.js';
import { parseNamespace } from './graph-rows.js';
import type { SqlDatabase } from './sql.js';

// The SQL graph store's public face; one org's view is wired from the concerns under graph/, which
// share one context.
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
  const ctx: PgGraphContext = { db, ns, org, now };
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
