// What every concern of the SQL case store shares: the database, the namespace, ids, the clock and the
// reads, checks and links inside a transaction that the writes build on.
import {
  type CaseNote,
  type CaseRecord,
  caseNotFound,
  compareCodePoints,
  type IdSource,
  IntelGraphError,
} from '@intelgraph/core';
import { parseStoredJson, stringOf } from '../../narrow.js';
import { isoOf } from '../graph-rows.js';
import type { SqlDatabase, SqlExecutor } from '../sql.js';
import { CASE_COLUMNS, type Row, toSummary } from './rows.js';

/** The state the case store's concerns share. */
export interface PgCaseContext {
  readonly db: SqlDatabase;
  readonly ns: string;
  readonly ids: IdSource;
  /** The current time as ISO-8601. */
  readonly now: () => string;
}

/** `NOT_FOUND` unless every entity exists in the org. */
export async function requireEntities(
  { ns }: PgCaseContext,
  tx: SqlExecutor,
  orgId: string,
  entityIds: readonly string[],
): Promise<void> {
  if (entityIds.length === 0) return;
  const { rows } = await tx.query<{ id: string }>(
    `SELECT t.id FROM unnest($2::text[]) AS t(id)
       WHERE NOT EXISTS (SELECT 1 FROM ig_graph_entities e WHERE e.ns = $1 AND e.org_id = $3 AND e.id = t.id)`,
    [ns, entityIds, orgId],
  );
  const missing = [...new Set(rows.map((r) => r.id))].sort(compareCodePoints).slice(0, 20);
  if (missing.length > 0) {
    throw new IntelGraphError('NOT_FOUND', `no entities ${missing.join(', ')}`, {
      details: { ids: missing },
    });
  }
}

/** The org's case row with `id` (locked for update when `lock`), or `null`. */
export async function readCase(
  { ns }: PgCaseContext,
  tx: SqlExecutor,
  orgId: string,
  id: string,
  lock = false,
): Promise<Row | null> {
  const { rows } = await tx.query(
    `SELECT ${CASE_COLUMNS} FROM ig_cases c WHERE c.ns = $1 AND c.id = $2 AND c.org_id = $3${lock ? ' FOR UPDATE' : ''}`,
    [ns, id, orgId],
  );
  return rows[0] ?? null;
}

/** A case's notes in order. */
export async function readNotes({ ns }: PgCaseContext, tx: SqlExecutor, id: string): Promise<CaseNote[]> {
  const { rows } = await tx.query(
    'SELECT id, author, body, at FROM ig_case_notes WHERE ns = $1 AND case_id = $2 ORDER BY seq',
    [ns, id],
  );
  return rows.map((r) => ({
    id: String(r.id),
    author: String(r.author),
    text: stringOf(parseStoredJson(r.body), 'case note text'),
    at: isoOf(r.at),
  }));
}

/** The org's case with its notes; `NOT_FOUND` when it does not exist. */
export async function readRecord(
  ctx: PgCaseContext,
  tx: SqlExecutor,
  orgId: string,
  id: string,
): Promise<CaseRecord> {
  const row = await readCase(ctx, tx, orgId, id);
  if (!row) throw caseNotFound(orgId, id);
  return { ...toSummary(row), notes: await readNotes(ctx, tx, id) };
}

// A link carries the case's org, so its foreign key points at that org's entity and nothing else.
export async function link(
  { ns }: PgCaseContext,
  tx: SqlExecutor,
  orgId: string,
  caseId: string,
  entityIds: readonly string[],
): Promise<void> {
  if (entityIds.length === 0) return;
  await tx.query(
    `INSERT INTO ig_case_entities (ns, org_id, case_id, entity_id)
       SELECT $1, $4, $2, t.id FROM unnest($3::text[]) AS t(id)
       ON CONFLICT (ns, case_id, entity_id) DO UPDATE SET org_id = excluded.org_id`,
    [ns, caseId, entityIds, orgId],
  );
}
