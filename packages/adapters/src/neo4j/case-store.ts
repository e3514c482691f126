import {
  type CaseNote,
  type CasePage,
  type CaseRecord,
  type CaseStatus,
  type CaseStore,
  type Clock,
  caseNotFound,
  checkCaseNote,
  checkCaseUpdate,
  compareCodePoints,
  decodeGraphCursor,
  type IdSource,
  IntelGraphError,
  nextGraphCursor,
  parseCaseCreate,
  parseCaseList,
  parseCaseNote,
  parseCaseRef,
  parseCaseUpdate,
  randomIds,
  systemClock,
} from '@intelgraph/core';
import { member, parseStoredJson, recordOf, stringArrayOrEmpty, stringOf } from '../narrow.js';
import type { Neo4jConnection, Neo4jTx } from './connection.js';
import { LABELS } from './schema.js';

/**
 * Options of {@link createNeo4jCaseStore}.
 *
 * @example
 * ```ts
 * const cases = createNeo4jCaseStore(neo4j, { clock: createManualClock(), ids: sequentialIds() });
 * ```
 */
export interface Neo4jCaseStoreOptions {
  clock?: Clock;
  /** Case and note ids (default: random UUIDs). */
  ids?: IdSource;
}

const CASE_MAP =
  'c { .id, .orgId, .title, .description, .status, .createdBy, .createdAt, .updatedAt, .version, .notes }';
const LINKED = `[(c)-[:${LABELS.caseLink}]->(e:${LABELS.entity}) WHERE e.org = c.orgId | e.id]`;

/**
 * The {@link CaseStore} on Neo4j, beside the graph: a case is an `:IgCase` node whose links to
 * entities of its own org are `:IG_CASE_LINK` edges, so linking checks the entity exists in that org and a graph merge moves the
 * links to the survivor in the merge's own transaction. Notes are appended atomically to the node.
 *
 * @example
 * ```ts
 * import { createNeo4jCaseStore, createNeo4jConnection } from '@intelgraph/adapters/neo4j';
 * const neo4j = await createNeo4jConnection({ url: 'bolt://127.0.0.1:7687' });
 * const cases = createNeo4jCaseStore(neo4j);
 * const c = await cases.create({ orgId: 'acme', title: 'Fraud ring', createdBy: 'alice' });
 * await cases.update({ orgId: 'acme', id: c.id, status: 'in_progress', expectedVersion: c.version });
 * await neo4j.close();
 * ```
 */
export function createNeo4jCaseStore(
  connection: Neo4jConnection,
  options: Neo4jCaseStoreOptions = {},
): CaseStore {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const ns = connection.namespace;
  const now = () => new Date(clock.now()).toISOString();

  const requireEntities = async (tx: Neo4jTx, orgId: string, entityIds: readonly string[]) => {
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
  };
  const readCase = async (tx: Neo4jTx, orgId: string, id: string): Promise<CaseRecord | null> => {
    const [row] = await tx.run(
      `MATCH (c:${LABELS.case} {ns: $ns, id: $id}) WHERE c.orgId = $orgId
       RETURN ${CASE_MAP} AS record, ${LINKED} AS entityIds`,
      { ns, orgId, id },
    );
    return row ? toCase(row.record, row.entityIds) : null;
  };
  /**
   * Takes the node's write lock with a blind write before reading anything: a read-then-write
   * (`SET c.version = c.version + 1` alone) takes a shared lock first, and concurrent writers upgrading
   * their shared locks deadlock. Then bumps the version under the lock.
   */
  const lockCase = async (tx: Neo4jTx, orgId: string, id: string): Promise<CaseRecord> => {
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
  };

  return {
    async get(ref) {
      const { orgId, id } = parseCaseRef(ref);
      return connection.read((tx) => readCase(tx, orgId, id));
    },

    async list(query): Promise<CasePage> {
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
    },

    async create(input) {
      const c = parseCaseCreate(input);
      const entityIds = [...new Set(c.entityIds ?? [])].sort(compareCodePoints);
      const at = now();
      const id = ids.next('case');
      return connection.write(async (tx) => {
        await requireEntities(tx, c.orgId, entityIds);
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
        const created = await readCase(tx, c.orgId, id);
        if (!created) throw new IntelGraphError('INTERNAL', `case "${id}" vanished while being created`);
        return created;
      });
    },

    async update(input) {
      const u = parseCaseUpdate(input);
      const at = now();
      return connection.write(async (tx) => {
        const current = await lockCase(tx, u.orgId, u.id);
        checkCaseUpdate(current, u);
        await requireEntities(tx, u.orgId, u.linkEntityIds ?? []);
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
        const updated = await readCase(tx, u.orgId, u.id);
        if (!updated) throw caseNotFound(u.orgId, u.id);
        return updated;
      });
    },

    async appendNote(input) {
      const n = parseCaseNote(input);
      const at = now();
      const note: CaseNote = { id: ids.next('note'), author: n.author, text: n.text, at };
      return connection.write(async (tx) => {
        const current = await lockCase(tx, n.orgId, n.id);
        checkCaseNote({ id: current.id, status: current.status, noteCount: current.notes.length });
        await tx.run(
          `MATCH (c:${LABELS.case} {ns: $ns, id: $id})
           SET c.notes = c.notes + $note, c.updatedAt = $now`,
          { ns, id: n.id, note: JSON.stringify(note), now: at },
        );
        const updated = await readCase(tx, n.orgId, n.id);
        if (!updated) throw caseNotFound(n.orgId, n.id);
        return updated;
      });
    },
  };
}

const CASE_STATUS: Record<CaseStatus, true> = { open: true, in_progress: true, closed: true };

function toNote(text: string): CaseNote {
  const n = recordOf(parseStoredJson(text), 'case note');
  return {
    id: stringOf(n.id, 'case note id'),
    author: stringOf(n.author, 'case note author'),
    text: stringOf(n.text, 'case note text'),
    at: stringOf(n.at, 'case note time'),
  };
}

function toCase(value: unknown, entityIds: unknown): CaseRecord {
  const c = recordOf(value, 'case');
  return {
    id: String(c.id),
    orgId: String(c.orgId),
    title: String(c.title),
    description: String(c.description ?? ''),
    status: member(CASE_STATUS, c.status, 'case status'),
    entityIds: [...new Set(stringArrayOrEmpty(entityIds, 'case entity ids'))].sort(compareCodePoints),
    notes: stringArrayOrEmpty(c.notes, 'case notes').map(toNote),
    createdBy: String(c.createdBy),
    createdAt: String(c.createdAt),
    updatedAt: String(c.updatedAt),
    version: Number(c.version),
  };
}
