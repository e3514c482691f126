// Writes of the SQL case store: create, update (under the case row lock, version-checked) and
// appending notes.
import {
  type CaseCreateInput,
  type CaseNoteInput,
  type CaseRecord,
  type CaseUpdateInput,
  caseNotFound,
  checkCaseNote,
  checkCaseUpdate,
  compareCodePoints,
  IntelGraphError,
  parseCaseCreate,
  parseCaseNote,
  parseCaseUpdate,
} from '@intelgraph/core';
import { member } from '../../narrow.js';
import { entityGone, sqlState } from '../graph-rows.js';
import { link, type PgCaseContext, readCase, readRecord, requireEntities } from './context.js';
import { CASE_STATUS, toSummary } from './rows.js';

/** Creates a case linked to existing entities of its org. */
export async function createCase(ctx: PgCaseContext, input: CaseCreateInput): Promise<CaseRecord> {
  const { db, ns, ids, now } = ctx;
  const c = parseCaseCreate(input);
  const entityIds = [...new Set(c.entityIds ?? [])].sort(compareCodePoints);
  const at = now();
  const id = ids.next('case'); // drawn before validation, as the other stores do
  try {
    return await db.transaction(async (tx) => {
      await requireEntities(ctx, tx, c.orgId, entityIds);
      await tx.query(
        `INSERT INTO ig_cases (ns, id, org_id, title, description, status, created_by, created_at, updated_at, version)
             VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $7, 1)`,
        [ns, id, c.orgId, c.title, JSON.stringify(c.description ?? ''), c.createdBy, at],
      );
      await link(ctx, tx, c.orgId, id, entityIds);
      return readRecord(ctx, tx, c.orgId, id);
    });
  } catch (err) {
    if (sqlState(err) === '23505') throw new IntelGraphError('CONFLICT', `case "${id}" already exists`);
    throw entityGone(err, entityIds);
  }
}

/** Updates a case and its links; `CONFLICT` when `expectedVersion` is stale. */
export async function updateCase(ctx: PgCaseContext, input: CaseUpdateInput): Promise<CaseRecord> {
  const { db, ns, now } = ctx;
  const u = parseCaseUpdate(input);
  const at = now();
  try {
    return await db.transaction(async (tx) => {
      const row = await readCase(ctx, tx, u.orgId, u.id, true);
      if (!row) throw caseNotFound(u.orgId, u.id);
      checkCaseUpdate(toSummary(row), u);
      await requireEntities(ctx, tx, u.orgId, u.linkEntityIds ?? []);
      await tx.query(
        `UPDATE ig_cases SET title = coalesce($3, title), description = coalesce($4, description),
               status = coalesce($5, status), version = version + 1, updated_at = $6
             WHERE ns = $1 AND id = $2`,
        [
          ns,
          u.id,
          u.title ?? null,
          u.description === undefined ? null : JSON.stringify(u.description),
          u.status ?? null,
          at,
        ],
      );
      await link(ctx, tx, u.orgId, u.id, u.linkEntityIds ?? []);
      if ((u.unlinkEntityIds ?? []).length > 0) {
        await tx.query(
          'DELETE FROM ig_case_entities WHERE ns = $1 AND case_id = $2 AND entity_id = ANY($3::text[])',
          [ns, u.id, u.unlinkEntityIds],
        );
      }
      return readRecord(ctx, tx, u.orgId, u.id);
    });
  } catch (err) {
    throw entityGone(err, u.linkEntityIds ?? []);
  }
}

/** Appends a note to an open case. */
export async function appendCaseNote(ctx: PgCaseContext, input: CaseNoteInput): Promise<CaseRecord> {
  const { db, ns, ids, now } = ctx;
  const n = parseCaseNote(input);
  const at = now();
  const noteId = ids.next('note');
  return db.transaction(async (tx) => {
    const row = await readCase(ctx, tx, n.orgId, n.id, true);
    if (!row) throw caseNotFound(n.orgId, n.id);
    const noteCount = Number(row.note_count);
    checkCaseNote({ id: n.id, status: member(CASE_STATUS, row.status, 'case status'), noteCount });
    await tx.query(
      `INSERT INTO ig_case_notes (ns, case_id, seq, id, author, body, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [ns, n.id, noteCount + 1, noteId, n.author, JSON.stringify(n.text), at],
    );
    await tx.query(
      `UPDATE ig_cases SET note_count = note_count + 1, version = version + 1, updated_at = $3
           WHERE ns = $1 AND id = $2`,
      [ns, n.id, at],
    );
    return readRecord(ctx, tx, n.orgId, n.id);
  });
}
