// Writes of the Neo4j case store: create, update (under the case's write lock, version-checked) and
// appending notes.
import {
  type CaseCreateInput,
  type CaseNote,
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
import { LABELS } from '../schema.js';
import { lockCase, type Neo4jCaseContext, readCase, requireEntities } from './context.js';

/** Creates a case linked to existing entities of its org. */
export async function createCase(ctx: Neo4jCaseContext, input: CaseCreateInput): Promise<CaseRecord> {
  const { connection, ns, ids, now } = ctx;
  const c = parseCaseCreate(input);
  const entityIds = [...new Set(c.entityIds ?? [])].sort(compareCodePoints);
  const at = now();
  const id = ids.next('case');
  return connection.write(async (tx) => {
    await requireEntities(ctx, tx, c.orgId, entityIds);
    await tx.run(
      `CREATE (c:${LABELS.case} {ns: $ns, id: $id, orgId: $orgId, title: $title, description: $description,
                   status: 'open', createdBy: $createdBy, createdAt: $now, updatedAt: $now, version: 1, notes: []})
           WITH c
           UNWIND $entityIds AS eid
           MATCH (e:${LABELS.entity} {ns: $ns, org: $orgId, id: eid})
           MERGE (c)-[:${LABELS.caseLink}]->(e)`,
      {
        ns,
        id,
        orgId: c.orgId,
        title: c.title,
        description: c.description ?? '',
        createdBy: c.createdBy,
        now: at,
        entityIds,
      },
    );
    const created = await readCase(ctx, tx, c.orgId, id);
    if (!created) throw new IntelGraphError('INTERNAL', `case "${id}" vanished while being created`);
    return created;
  });
}

/** Updates a case and its links; `CONFLICT` when `expectedVersion` is stale. */
export async function updateCase(ctx: Neo4jCaseContext, input: CaseUpdateInput): Promise<CaseRecord> {
  const { connection, ns, now } = ctx;
  const u = parseCaseUpdate(input);
  const at = now();
  return connection.write(async (tx) => {
    const current = await lockCase(ctx, tx, u.orgId, u.id);
    checkCaseUpdate(current, u);
    await requireEntities(ctx, tx, u.orgId, u.linkEntityIds ?? []);
    await tx.run(
      `MATCH (c:${LABELS.case} {ns: $ns, id: $id})
           SET c.title = coalesce($title, c.title), c.description = coalesce($description, c.description),
               c.status = coalesce($status, c.status), c.updatedAt = $now
           WITH c
           UNWIND $link AS eid
           MATCH (e:${LABELS.entity} {ns: $ns, org: $orgId, id: eid})
           MERGE (c)-[:${LABELS.caseLink}]->(e)`,
      {
        ns,
        orgId: u.orgId,
        id: u.id,
        title: u.title ?? null,
        description: u.description ?? null,
        status: u.status ?? null,
        now: at,
        link: u.linkEntityIds ?? [],
      },
    );
    if ((u.unlinkEntityIds ?? []).length > 0) {
      await tx.run(
        `MATCH (c:${LABELS.case} {ns: $ns, id: $id})-[l:${LABELS.caseLink}]->(e:${LABELS.entity})
             WHERE e.id IN $unlink
             DELETE l`,
        { ns, id: u.id, unlink: u.unlinkEntityIds },
      );
    }
    const updated = await readCase(ctx, tx, u.orgId, u.id);
    if (!updated) throw caseNotFound(u.orgId, u.id);
    return updated;
  });
}

/** Appends a note to an open case. */
export async function appendCaseNote(ctx: Neo4jCaseContext, input: CaseNoteInput): Promise<CaseRecord> {
  const { connection, ns, ids, now } = ctx;
  const n = parseCaseNote(input);
  const at = now();
  const note: CaseNote = { id: ids.next('note'), author: n.author, text: n.text, at };
  return connection.write(async (tx) => {
    const current = await lockCase(ctx, tx, n.orgId, n.id);
    checkCaseNote({ id: current.id, status: current.status, noteCount: current.notes.length });
    await tx.run(
      `MATCH (c:${LABELS.case} {ns: $ns, id: $id})
           SET c.notes = c.notes + $note, c.updatedAt = $now`,
      { ns, id: n.id, note: JSON.stringify(note), now: at },
    );
    const updated = await readCase(ctx, tx, n.orgId, n.id);
    if (!updated) throw caseNotFound(n.orgId, n.id);
    return updated;
  });
}
