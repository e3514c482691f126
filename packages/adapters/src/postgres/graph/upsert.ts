// Batch upserts into one org's SQL graph: one transaction, rows written in key order.
import {
  compareCodePoints,
  type GraphUpsertInput,
  type GraphUpsertResult,
  graphEntityWords,
  IntelGraphError,
  parseGraphUpsert,
} from '@intelgraph/core';
import { entityGone } from '../graph-rows.js';
import { type PgGraphContext, writeWords } from './context.js';

/** Creates or updates a batch of entities and relationships; every relationship end must exist. */
export async function upsert(ctx: PgGraphContext, input: GraphUpsertInput): Promise<GraphUpsertResult> {
  const { db, ns, org, now } = ctx;
  const batch = parseGraphUpsert(input);
  const at = now();
  const batchIds = new Set(batch.entities.map((e) => e.id));
  const ends = new Set<string>();
  for (const r of batch.relationships) {
    if (!batchIds.has(r.from)) ends.add(r.from);
    if (!batchIds.has(r.to)) ends.add(r.to);
  }
  // Rows are written in key order, so concurrent batches take their row locks in the same order.
  const entities = [...batch.entities].sort((a, b) => compareCodePoints(a.id, b.id));
  const relationships = [...batch.relationships].sort(
    (a, b) =>
      compareCodePoints(a.from, b.from) || compareCodePoints(a.type, b.type) || compareCodePoints(a.to, b.to),
  );
  const result: GraphUpsertResult = {
    entities: { created: 0, updated: 0 },
    relationships: { created: 0, updated: 0 },
    rows: entities.length + relationships.length,
  };
  try {
    await db.transaction(async (tx) => {
      if (ends.size > 0) {
        const { rows } = await tx.query<{ id: string }>(
          `SELECT t.id FROM unnest($2::text[]) AS t(id)
               WHERE NOT EXISTS (
                 SELECT 1 FROM ig_graph_entities e WHERE e.ns = $1 AND e.org_id = $3 AND e.id = t.id)`,
          [ns, [...ends], org],
        );
        const ids = rows
          .map((r) => r.id)
          .sort(compareCodePoints)
          .slice(0, 20);
        if (ids.length > 0) {
          throw new IntelGraphError('NOT_FOUND', `relationship ends do not exist: ${ids.join(', ')}`, {
            details: { ids },
          });
        }
      }
      if (entities.length > 0) {
        const { rows } = await tx.query<{ created: boolean }>(
          `INSERT INTO ig_graph_entities AS g
                 (ns, org_id, id, type, name, aliases, properties, merged_from, created_at, updated_at)
               SELECT $1, $8, t.id, t.type, t.name, t.aliases, t.properties, '[]', $7, $7
               FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
                 WITH ORDINALITY AS t(id, type, name, aliases, properties, n)
               ORDER BY t.n
               ON CONFLICT (ns, org_id, id) DO UPDATE SET type = excluded.type, name = excluded.name,
                 aliases = excluded.aliases, properties = excluded.properties, updated_at = excluded.updated_at
               RETURNING (xmax = 0) AS created`,
          [
            ns,
            entities.map((e) => e.id),
            entities.map((e) => e.type),
            entities.map((e) => JSON.stringify(e.name)),
            entities.map((e) => JSON.stringify(e.aliases)),
            entities.map((e) => JSON.stringify(e.properties)),
            at,
            org,
          ],
        );
        const created = rows.filter((r) => r.created).length;
        result.entities = { created, updated: entities.length - created };
        await writeWords(
          ctx,
          tx,
          entities.map((e) => ({ id: e.id, words: graphEntityWords(e.name, e.aliases) })),
        );
      }
      if (relationships.length > 0) {
        const { rows } = await tx.query<{ created: boolean }>(
          `INSERT INTO ig_graph_relationships AS g
                 (ns, org_id, from_id, type, to_id, properties, created_at, updated_at)
               SELECT $1, $7, t.from_id, t.type, t.to_id, t.properties, $6, $6
               FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])
                 WITH ORDINALITY AS t(from_id, type, to_id, properties, n)
               ORDER BY t.n
               ON CONFLICT (ns, org_id, from_id, type, to_id) DO UPDATE SET properties = excluded.properties,
                 updated_at = excluded.updated_at
               RETURNING (xmax = 0) AS created`,
          [
            ns,
            relationships.map((r) => r.from),
            relationships.map((r) => r.type),
            relationships.map((r) => r.to),
            relationships.map((r) => JSON.stringify(r.properties)),
            at,
            org,
          ],
        );
        const created = rows.filter((r) => r.created).length;
        result.relationships = { created, updated: relationships.length - created };
      }
    });
  } catch (err) {
    throw entityGone(err, [...ends].sort(compareCodePoints));
  }
  return result;
}
