import { type Clock, type GraphStore, type OrgGraph, parseOrgId, systemClock } from '@intelgraph/core';
import { createPartitionContext, type StoredEntity } from './graph/partition.js';
import { getEntity, neighbors, search } from './graph/reads.js';
import { merge, upsert } from './graph/writes.js';

// The in-memory graph store's public face; one org's view is wired from the concerns under graph/, which
// share that org's partition.

/**
 * Called inside a merge, before it returns, so linked stores re-point in the same step.
 *
 * @example
 * ```ts
 * const stop = graph.onMerge(({ mergedId, survivorId }) => console.log(`${mergedId} -> ${survivorId}`));
 * ```
 */
export type GraphMergeListener = (event: {
  orgId: string;
  mergedId: string;
  survivorId: string;
  at: string;
}) => void;

/**
 * The in-memory graph: the {@link GraphStore} port plus the hooks a memory case store links to.
 *
 * @example
 * ```ts
 * const graph: MemoryGraphStore = createMemoryGraphStore();
 * graph.hasEntity('acme', 'p1'); // false
 * ```
 */
export interface MemoryGraphStore extends GraphStore {
  /** Whether an entity exists in an org's graph (synchronous; used by the memory case store). */
  hasEntity(orgId: string, id: string): boolean;
  /** Registers a listener run synchronously by every merge; returns the unsubscribe function. */
  onMerge(listener: GraphMergeListener): () => void;
}

/**
 * Options of {@link createMemoryGraphStore}.
 *
 * @example
 * ```ts
 * const graph = createMemoryGraphStore({ clock: createManualClock() });
 * ```
 */
export interface MemoryGraphStoreOptions {
  /** Sets `createdAt` / `updatedAt` (default: the system clock). */
  clock?: Clock;
}

/**
 * The in-memory {@link GraphStore}: the embedded default and the reference the Neo4j store is tested
 * against. Every operation is one synchronous step, so batches are atomic and merges never interleave.
 * Search scans every entity, which is fine for tests and embedded use up to tens of thousands of
 * entities; use Neo4j beyond that.
 *
 * @example
 * ```ts
 * import { createMemoryGraphStore } from '@intelgraph/adapters/memory';
 * const graph = createMemoryGraphStore().forOrg('acme');
 * await graph.upsert({
 *   entities: [{ id: 'p1', type: 'Person', name: 'Alice Smith' }, { id: 'o1', type: 'Organization', name: 'Acme' }],
 *   relationships: [{ type: 'WORKS_AT', from: 'p1', to: 'o1' }],
 * });
 * const page = await graph.search({ q: 'ali', limit: 10 }); // page.items[0].entity.id === 'p1'
 * ```
 */
export function createMemoryGraphStore(options: MemoryGraphStoreOptions = {}): MemoryGraphStore {
  const clock = options.clock ?? systemClock;
  // One separate graph per org: nothing an org's view does can reach another org's maps.
  const orgs = new Map<string, OrgPartition>();
  const listeners = new Set<GraphMergeListener>();
  const now = () => new Date(clock.now()).toISOString();

  return {
    forOrg(orgId) {
      const org = parseOrgId(orgId);
      let partition = orgs.get(org);
      if (!partition) {
        partition = createOrgPartition(org, now, listeners);
        orgs.set(org, partition);
      }
      return partition.view;
    },
    hasEntity: (orgId, id) => orgs.get(orgId)?.entities.has(id) ?? false,
    onMerge(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

interface OrgPartition {
  view: OrgGraph;
  entities: ReadonlyMap<string, StoredEntity>;
}

/** One org's graph: its own maps, and the view over them that `forOrg` hands out. */
function createOrgPartition(
  orgId: string,
  now: () => string,
  listeners: ReadonlySet<GraphMergeListener>,
): OrgPartition {
  const ctx = createPartitionContext(orgId, now, listeners);
  const view: OrgGraph = {
    orgId,
    getEntity: (id) => getEntity(ctx, id),
    search: (query) => search(ctx, query),
    neighbors: (query) => neighbors(ctx, query),
    upsert: (input) => upsert(ctx, input),
    merge: (input) => merge(ctx, input),
  };
  return { view: Object.freeze(view), entities: ctx.entities };
}
