// Reads of the SQL case store: one case (a consistent snapshot of it and its notes) and a page of an
// org's cases newest first.
import {
  type CaseListQuery,
  type CasePage,
  type CaseRecord,
  type CaseRef,
  decodeGraphCursor,
  nextGraphCursor,
  parseCaseList,
  parseCaseRef,
} from '@intelgraph/core';
import { type PgCaseContext, readCase, readNotes } from './context.js';
import { CASE_COLUMNS, toSummary } from './rows.js';

/** The org's case with its notes, or `null`. */
export async function getCase(ctx: PgCaseContext, ref: CaseRef): Promise<CaseRecord | null> {
  const { orgId, id } = parseCaseRef(ref);
  return ctx.db.transaction(
    async (tx) => {
      const row = await readCase(ctx, tx, orgId, id);
      return row ? { ...toSummary(row), notes: await readNotes(ctx, tx, id) } : null;
    },
    { isolation: 'repeatable read' },
  );
}

/** A page of the org's cases, newest first, optionally by status or linked entity. */
export async function listCases({ db, ns }: PgCaseContext, query: CaseListQuery): Promise<CasePage> {
  const q = parseCaseList(query);
  const offset = decodeGraphCursor(q.cursor);
  const limit = q.limit ?? 20;
  const { rows } = await db.query(
    `SELECT ${CASE_COLUMNS} FROM ig_cases c
         WHERE c.ns = $1 AND c.org_id = $2
           AND ($3::text IS NULL OR c.status = $3::text)
           AND ($4::text IS NULL OR EXISTS (
             SELECT 1 FROM ig_case_entities l
             WHERE l.ns = c.ns AND l.org_id = c.org_id AND l.case_id = c.id AND l.entity_id = $4::text))
         ORDER BY c.created_at DESC, c.id DESC
         OFFSET $5 LIMIT $6`,
    [ns, q.orgId, q.status ?? null, q.entityId ?? null, offset, limit + 1],
  );
  const page = rows.slice(0, limit).map((row) => ({ ...toSummary(row), noteCount: Number(row.note_count) }));
  return {
    items: page,
    nextCursor: nextGraphCursor(offset, limit, rows.length > limit),
    rows: page.length,
  };
}
