// Writes to one org's in-memory graph: batch upserts (validated in full, then applied) and merges.
import {
  compareCodePoints,
  type GraphEntity,
  type GraphMergeInput,
  type GraphMergeResult,
  type GraphUpsertInput,
  type GraphUpsertResult,
  graphEntityWords,
  graphRelationshipKey,
  IntelGraphError,
  mergeGraphEntities,
  parseGraphMerge,
  parseGraphUpsert,
} from '@intelgraph/core';
import { deleteRelationship, type PartitionContext, putRelationship, requireEntity } from './partition.js';

/** Creates or updates a batch of entities and relationships; every relationship end must exist. */
export async function upsert(ctx: PartitionContext, input: GraphUpsertInput): Promise<GraphUpsertResult> {
  const { entities, relationships, now } = ctx;
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
    putRelationship(ctx, {
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
}

/** Merges `mergedId` into `survivorId`, then runs the merge listeners. */
export async function merge(ctx: PartitionContext, input: GraphMergeInput): Promise<GraphMergeResult> {
  const { orgId, now, listeners, entities, relationships, incident } = ctx;
  const { survivorId, mergedId } = parseGraphMerge(input);
  const survivor = requireEntity(ctx, survivorId).entity;
  const merged = requireEntity(ctx, mergedId).entity;
  const at = now();
  let moved = 0;
  let dropped = 0;
  for (const key of [...(incident.get(mergedId) ?? [])]) {
    const rel = relationships.get(key);
    if (!rel) continue;
    deleteRelationship(ctx, key);
    const from = rel.from === mergedId ? survivorId : rel.from;
    const to = rel.to === mergedId ? survivorId : rel.to;
    if (from === to || relationships.has(graphRelationshipKey(from, rel.type, to))) {
      dropped += 1; // an edge between the two, or a triple the survivor already has
      continue;
    }
    putRelationship(ctx, { ...rel, from, to, updatedAt: at });
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
}
