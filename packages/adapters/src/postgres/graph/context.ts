// What every concern of one org's SQL graph view shares: the database, the namespace and org every
// statement is bound to, the clock, the fixed column lists and the word index writer.
import { IntelGraphError } from '@intelgraph/core';
import { entityColumns, relationshipColumns } from '../graph-rows.js';
import type { SqlDatabase, SqlExecutor } from '../sql.js';

/** One org's view of the SQL graph: every statement is bound to `(ns, org)`. */
export interface PgGraphContext {
  readonly db: SqlDatabase;
  readonly ns: string;
  readonly org: string;
  /** The current time as ISO-8601. */
  readonly now: () => string;
}

export const ENTITY = entityColumns('e');
export const REL = relationshipColumns('r');

// Each direction is a fixed statement: SQL text never contains caller data. $1 ns, $2 id, $3 types,
// $6 org. Both ends of a relationship are always of its org (foreign keys), so the join stays in it.
export const NEIGHBORS: Record<'out' | 'in' | 'both', string> = {
  out: `SELECT ${REL}, ${ENTITY} FROM ig_graph_relationships r
        JOIN ig_graph_entities e ON e.ns = r.ns AND e.org_id = r.org_id AND e.id = r.to_id
        WHERE r.ns = $1 AND r.org_id = $6 AND r.from_id = $2 AND ($3::text[] IS NULL OR r.type = ANY($3::text[]))`,
  in: `SELECT ${REL}, ${ENTITY} FROM ig_graph_relationships r
       JOIN ig_graph_entities e ON e.ns = r.ns AND e.org_id = r.org_id AND e.id = r.from_id
       WHERE r.ns = $1 AND r.org_id = $6 AND r.to_id = $2 AND ($3::text[] IS NULL OR r.type = ANY($3::text[]))`,
  both: '',
};
NEIGHBORS.both = `${NEIGHBORS.out} UNION ALL ${NEIGHBORS.in}`;

/** Replaces the word index rows of `entities` with their words. */
export async function writeWords(
  { ns, org }: PgGraphContext,
  tx: SqlExecutor,
  entities: { id: string; words: string[] }[],
): Promise<void> {
  const ids: string[] = [];
  const words: string[] = [];
  for (const e of entities) {
    for (const w of e.words) {
      ids.push(e.id);
      words.push(w);
    }
  }
  await tx.query('DELETE FROM ig_graph_words WHERE ns = $1 AND org_id = $3 AND entity_id = ANY($2::text[])', [
    ns,
    entities.map((e) => e.id),
    org,
  ]);
  if (ids.length === 0) return;
  await tx.query(
    `INSERT INTO ig_graph_words (ns, org_id, entity_id, word)
       SELECT $1, $4, t.id, t.word FROM unnest($2::text[], $3::text[]) AS t(id, word)
       ON CONFLICT DO NOTHING`,
    [ns, ids, words, org],
  );
}

/** `NOT_FOUND` for an entity id. */
export function notFound(id: string): IntelGraphError {
  return new IntelGraphError('NOT_FOUND', `no entity "${id}"`, { details: { id } });
}
