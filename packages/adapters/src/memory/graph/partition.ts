// One org's in-memory graph: its own maps and the small steps its concerns share. Nothing here awaits,
// so every operation built on it stays one synchronous step.
import {
  type GraphEntity,
  type GraphRelationship,
  graphRelationshipKey,
  IntelGraphError,
} from '@intelgraph/core';
import type { GraphMergeListener } from '../graph.js';

/** An entity with the words search matches it by. */
export interface StoredEntity {
  entity: GraphEntity;
  words: string[];
}

/** One org's graph: its maps, the clock and the merge listeners. */
export interface PartitionContext {
  readonly orgId: string;
  /** The current time as ISO-8601. */
  readonly now: () => string;
  readonly listeners: ReadonlySet<GraphMergeListener>;
  readonly entities: Map<string, StoredEntity>;
  readonly relationships: Map<string, GraphRelationship>;
  /** entity id -> keys of relationships starting or ending there */
  readonly incident: Map<string, Set<string>>;
}

/** An empty org graph. */
export function createPartitionContext(
  orgId: string,
  now: () => string,
  listeners: ReadonlySet<GraphMergeListener>,
): PartitionContext {
  return { orgId, now, listeners, entities: new Map(), relationships: new Map(), incident: new Map() };
}

function link({ incident }: PartitionContext, id: string, key: string): void {
  const set = incident.get(id);
  if (set) set.add(key);
  else incident.set(id, new Set([key]));
}

/** Stores a relationship and indexes it at both ends. */
export function putRelationship(ctx: PartitionContext, rel: GraphRelationship): void {
  const key = graphRelationshipKey(rel.from, rel.type, rel.to);
  ctx.relationships.set(key, rel);
  link(ctx, rel.from, key);
  link(ctx, rel.to, key);
}

/** Removes a relationship and its index entries, if it exists. */
export function deleteRelationship({ relationships, incident }: PartitionContext, key: string): void {
  const rel = relationships.get(key);
  if (!rel) return;
  relationships.delete(key);
  incident.get(rel.from)?.delete(key);
  incident.get(rel.to)?.delete(key);
}

/** The stored entity with `id`; `NOT_FOUND` otherwise. */
export function requireEntity({ entities }: PartitionContext, id: string): StoredEntity {
  const stored = entities.get(id);
  if (!stored) throw new IntelGraphError('NOT_FOUND', `no entity "${id}"`, { details: { id } });
  return stored;
}
