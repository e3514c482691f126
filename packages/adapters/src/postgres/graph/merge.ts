// Merges in one org's SQL graph: the merged entity's edges and case links move to the survivor.
import {
  type GraphMergeInput,
  type GraphMergeResult,
  graphEntityWords,
  mergeGraphEntities,
  parseGraphMerge,
} from '@intelgraph/core';
import { toEntity } from '../graph-rows.js';
import { ENTITY, notFound, type PgGraphContext, writeWords } from './context.js';

/** Merges `mergedId` into `survivorId` in one transaction. */
export async function merge(ctx: PgGraphContext, input: GraphMergeInput): Promise<GraphMergeResult> {
  const { db, ns, org, now } = ctx;
  const { survivorId, mergedId } = parseGraphMerge(input);
  const at = now();
  return db.transaction(async (tx) => {
    // Both rows locked in id order, so concurrent merges serialise here without deadlocking.
    const { rows: locked } = await tx.query(
      `SELECT ${ENTITY} FROM ig_graph_entities e WHERE e.ns = $1 AND e.org_id = $4 AND e.id IN ($2, $3)
           ORDER BY e.id FOR UPDATE`,
      [ns, survivorId, mergedId, org],
    );
    const found = new Map(locked.map((row) => [String(row.e_id), toEntity(row)]));
    const survivor = found.get(survivorId);
    const merged = found.get(mergedId);
    if (!survivor) throw notFound(survivorId);
    if (!merged) throw notFound(mergedId);
    // The merged entity's edges are deleted and re-inserted at the survivor; an edge between the
    // two would become a self-loop and a triple the survivor already has keeps the survivor's.
    const { rows: counts } = await tx.query<{ total: number; moved: number }>(
      `WITH gone AS (
             DELETE FROM ig_graph_relationships
             WHERE ns = $1 AND org_id = $5 AND (from_id = $3 OR to_id = $3) RETURNING *
           ), moved AS (
             INSERT INTO ig_graph_relationships (ns, org_id, from_id, type, to_id, properties, created_at, updated_at)
             SELECT ns, org_id, CASE WHEN from_id = $3 THEN $2 ELSE from_id END, type,
                    CASE WHEN to_id = $3 THEN $2 ELSE to_id END, properties, created_at, $4
             FROM gone WHERE from_id <> $2 AND to_id <> $2
             ON CONFLICT DO NOTHING
             RETURNING 1
           )
           SELECT (SELECT count(*) FROM gone)::int AS total, (SELECT count(*) FROM moved)::int AS moved`,
      [ns, survivorId, mergedId, at, org],
    );
    const total = Number(counts[0]?.total ?? 0);
    const moved = Number(counts[0]?.moved ?? 0);
    // The org's cases linking the merged entity follow it to the survivor (one version step per case).
    await tx.query(
      `UPDATE ig_cases c SET version = c.version + 1, updated_at = $3
           WHERE c.ns = $1 AND c.org_id = $4 AND c.id IN (
             SELECT case_id FROM ig_case_entities WHERE ns = $1 AND org_id = $4 AND entity_id = $2)`,
      [ns, mergedId, at, org],
    );
    await tx.query(
      `INSERT INTO ig_case_entities (ns, org_id, case_id, entity_id)
           SELECT ns, org_id, case_id, $2 FROM ig_case_entities WHERE ns = $1 AND org_id = $4 AND entity_id = $3
           ON CONFLICT DO NOTHING`,
      [ns, survivorId, mergedId, org],
    );
    await tx.query('DELETE FROM ig_graph_entities WHERE ns = $1 AND org_id = $3 AND id = $2', [
      ns,
      mergedId,
      org,
    ]);
    const entity = mergeGraphEntities(survivor, merged, at);
    await tx.query(
      `UPDATE ig_graph_entities SET aliases = $3, properties = $4, merged_from = $5, updated_at = $6
           WHERE ns = $1 AND org_id = $7 AND id = $2`,
      [
        ns,
        survivorId,
        JSON.stringify(entity.aliases),
        JSON.stringify(entity.properties),
        JSON.stringify(entity.mergedFrom),
        at,
        org,
      ],
    );
    await writeWords(ctx, tx, [{ id: survivorId, words: graphEntityWords(entity.name, entity.aliases) }]);
    return { entity, relationshipsMoved: moved, relationshipsDropped: total - moved, rows: 2 + total };
  });
}
