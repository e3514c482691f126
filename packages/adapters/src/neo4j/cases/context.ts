// What every concern of the Neo4j case store shares: the connection, its namespace, ids, the clock and
// the reads and locks inside a transaction that the writes build on.
import {
  type CaseRecord,
  caseNotFound,
  compareCodePoints,
  type IdSource,
  IntelGraphError,
} from '@intelgraph/core';
import { stringArrayOrEmpty } from '../../narrow.js';
import type { Neo4jConnection, Neo4jTx } from '../connection.js';
import { LABELS } from '../schema.js';
import { CASE_MAP, LINKED, toCase } from './rows.js';

/** The state the case store's concerns share. */
export interface Neo4jCaseContext {
  readonly connection: Neo4jConnection;
  readonly ns: string;
  readonly ids: IdSource;
  /** The current time as ISO-8601. */
  readonly now: () => string;
}

/** `NOT_FOUND` unless every entity exists in the org. */
export async function requireEntities(
  { ns }: Neo4jCaseContext,
  tx: Neo4jTx,
  orgId: string,
  entityIds: readonly string[],
): Promise<void> {
  if (entityIds.length === 0) return;
  const [row] = await tx.run(
    `UNWIND $ids AS id
       OPTIONAL MATCH (e:${LABELS.entity} {ns: $ns, org: $orgId, id: id})
       WITH id, e WHERE e IS NULL
       RETURN collect(id) AS missing`,
    { ns, orgId, ids: entityIds },
  );
  const missing = [...stringArrayOrEmpty(row?.missing, 'missing entity ids')]
    .sort(compareCodePoints)
    .slice(0, 20);
  if (missing.length > 0) {
    throw new IntelGraphError('NOT_FOUND', `no entities ${missing.join(', ')}`, {
      details: { ids: missing },
    });
  }
}

/** The org's case with `id`, read in `tx`, or `null`. */
export async function readCase(
  { ns }: Neo4jCaseContext,
  tx: Neo4jTx,
  orgId: string,
  id: string,
): Promise<CaseRecord | null> {
  const [row] = await tx.run(
    `MATCH (c:${LABELS.case} {ns: $ns, id: $id}) WHERE c.orgId = $orgId
       RETURN ${CASE_MAP} AS record, ${LINKED} AS entityIds`,
    { ns, orgId, id },
  );
  return row ? toCase(row.record, row.entityIds) : null;
}

/**
 * Takes the node's write lock with a blind write before reading anything: a read-then-write
 * (`SET c.version = c.version + 1` alone) takes a shared lock first, and concurrent writers upgrading
 * their shared locks deadlock. Then bumps the version under the lock.
 */
export async function lockCase(
  { ns }: Neo4jCaseContext,
  tx: Neo4jTx,
  orgId: string,
  id: string,
): Promise<CaseRecord> {
  const [row] = await tx.run(
    `MATCH (c:${LABELS.case} {ns: $ns, id: $id}) WHERE c.orgId = $orgId
       SET c.igLock = true
       SET c.version = c.version + 1
       REMOVE c.igLock
       RETURN ${CASE_MAP} AS record, ${LINKED} AS entityIds`,
    { ns, orgId, id },
  );
  if (!row) throw caseNotFound(orgId, id);
  const locked = toCase(row.record, row.entityIds);
  return { ...locked, version: locked.version - 1 };
}
