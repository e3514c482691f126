import {
  type Clock,
  compareCodePoints,
  type GraphEntity,
  type GraphMergeResult,
  type GraphNeighbor,
  type GraphPage,
  type GraphRelationship,
  type GraphSearchHit,
  type GraphStore,
  type GraphUpsertResult,
  graphEntityWords,
  graphRelationshipKey,
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

interface StoredEntity {
  entity: GraphEntity;
  words: string[];
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
  const entities = new Map<string, StoredEntity>();
  const relationships = new Map<string, GraphRelationship>();
  /** entity id -> keys of relationships starting or ending there */
  const incident = new Map<string, Set<string>>();

  const link = (id: string, key: string) => {
    const set = incident.get(id);
    if (set) set.add(key);
    else incident.set(id, new Set([key]));
  };
  const unlink = (id: string, key: string) => incident.get(id)?.delete(key);
  const putRelationship = (rel: GraphRelationship) => {
    const key = graphRelationshipKey(rel.from, rel.type, rel.to);
    relationships.set(key, rel);
    link(rel.from, key);
    link(rel.to, key);
  };
  const deleteRelationship = (key: string) => {
    const rel = relationships.get(key);
    if (!rel) return;
    relationships.delete(key);
    unlink(rel.from, key);
    unlink(rel.to, key);
  };
  const requireEntity = (id: string): StoredEntity => {
    const stored = entities.get(id);
    if (!stored) throw new IntelGraphError('NOT_FOUND', `no entity "${id}"`, { details: { id } });
    return stored;
  };

  const view: OrgGraph = {
    orgId,

    async getEntity(id) {
      const stored = entities.get(parseGraphEntityId(id));
      return stored ? structuredClone(stored.entity) : null;
    },

    async search(query): Promise<GraphPage<GraphSearchHit>> {
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
    },

    async neighbors(query): Promise<GraphPage<GraphNeighbor>> {
      const q = parseGraphNeighbors(query);
      requireEntity(q.id);
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
    },

    async upsert(input): Promise<GraphUpsertResult> {
      const batch = parseGraphUpsert(input);
      const batchIds = new Set(batch.entities.map((e) => e.id));
      const missing = new Set<string>();
      for (const r of batch.relationships) {
        for (const end of [r.from, r.to]) if (!batchIds.has(end) && !entities.has(end)) missing.add(end);
      }
      if (missing.size > 0) {
        const ids = [...missing].sort(compareCodePoints).slice(0, 20);
        throw new IntelGraphError('NOT_FOUND', `relationship ends do not exist: ${ids.join(', ')}`, {
          details: { ids },
        });
      }
      // Validated in full above: from here on nothing can fail, so the batch applies all or nothing.
      const at = now();
      const result: GraphUpsertResult = {
        entities: { created: 0, updated: 0 },
        relationships: { created: 0, updated: 0 },
        rows: 0,
      };
      for (const e of batch.entities) {
        const existing = entities.get(e.id)?.entity;
        const entity: GraphEntity = {
          id: e.id,
          type: e.type,
          name: e.name,
          aliases: e.aliases,
          properties: structuredClone(e.properties),
          mergedFrom: existing?.mergedFrom ?? [],
          createdAt: existing?.createdAt ?? at,
          updatedAt: at,
        };
        entities.set(e.id, { entity, words: graphEntityWords(entity.name, entity.aliases) });
        if (existing) result.entities.updated += 1;
        else result.entities.created += 1;
      }
      for (const r of batch.relationships) {
        const existing = relationships.get(graphRelationshipKey(r.from, r.type, r.to));
        putRelationship({
          type: r.type,
          from: r.from,
          to: r.to,
          properties: structuredClone(r.properties),
          createdAt: existing?.createdAt ?? at,
          updatedAt: at,
        });
        if (existing) result.relationships.updated += 1;
        else result.relationships.created += 1;
      }
      result.rows = batch.entities.length + batch.relationships.length;
      return result;
    },

    async merge(input): Promise<GraphMergeResult> {
      const { survivorId, mergedId } = parseGraphMerge(input);
      const survivor = requireEntity(survivorId).entity;
      const merged = requireEntity(mergedId).entity;
      const at = now();
      let moved = 0;
      let dropped = 0;
      for (const key of [...(incident.get(mergedId) ?? [])]) {
        const rel = relationships.get(key);
        if (!rel) continue;
        deleteRelationship(key);
        const from = rel.from === mergedId ? survivorId : rel.from;
        const to = rel.to === mergedId ? survivorId : rel.to;
        if (from === to || relationships.has(graphRelationshipKey(from, rel.type, to))) {
          dropped += 1; // an edge between the two, or a triple the survivor already has
          continue;
        }
        putRelationship({ ...rel, from, to, updatedAt: at });
        moved += 1;
      }
      entities.delete(mergedId);
      incident.delete(mergedId);
      const updated = mergeGraphEntities(survivor, merged, at);
      entities.set(survivorId, { entity: updated, words: graphEntityWords(updated.name, updated.aliases) });
      for (const listener of listeners) listener({ orgId, mergedId, survivorId, at });
      return {
        entity: structuredClone(updated),
        relationshipsMoved: moved,
        relationshipsDropped: dropped,
        rows: 2 + moved + dropped,
      };
    },
  };
  return { view: Object.freeze(view), entities };
}
