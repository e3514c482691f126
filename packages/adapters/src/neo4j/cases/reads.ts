// Reads of the Neo4j case store: one case, and a page of an org's cases newest first.
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
import { LABELS } from '../schema.js';
import { type Neo4jCaseContext, readCase } from './context.js';
import { CASE_MAP, LINKED, toCase } from './rows.js';

/** The org's case, or `null`. */
export async function getCase(ctx: Neo4jCaseContext, ref: CaseRef): Promise<CaseRecord | null> {
  const { orgId, id } = parseCaseRef(ref);
  return ctx.connection.read((tx) => readCase(ctx, tx, orgId, id));
}

/** A page of the org's cases, newest first, optionally by status or linked entity. */
export async function listCases(
  { connection, ns }: Neo4jCaseContext,
  query: CaseListQuery,
): Promise<CasePage> {
  const q = parseCaseList(query);
  const offset = decodeGraphCursor(q.cursor);
  const limit = q.limit ?? 20;
  const rows = await connection.read((tx) =>
    tx.run(
      `MATCH (c:${LABELS.case} {ns: $ns, orgId: $orgId})
           WHERE ($status IS NULL OR c.status = $status)
             AND ($entityId IS NULL OR EXISTS { (c)-[:${LABELS.caseLink}]->(:${LABELS.entity} {ns: $ns, org: $orgId, id: $entityId}) })
           WITH c ORDER BY c.createdAt DESC, c.id DESC SKIP $skip LIMIT $limit
           RETURN ${CASE_MAP} AS record, ${LINKED} AS entityIds
           ORDER BY record.createdAt DESC, record.id DESC`,
      {
        ns,
        orgId: q.orgId,
        status: q.status ?? null,
        entityId: q.entityId ?? null,
        skip: tx.int(offset),
        limit: tx.int(limit + 1),
      },
    ),
  );
  const page = rows.slice(0, limit).map((row) => toCase(row.record, row.entityIds));
  return {
    items: page.map(({ notes, ...rest }) => ({ ...rest, noteCount: notes.length })),
    nextCursor: nextGraphCursor(offset, limit, rows.length > limit),
    rows: page.length,
  };
}
