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
import { member, parseStoredJson, stringArrayOrEmpty, stringOf } from '../narrow.js';
import { entityGone, isoOf, parseNamespace, sqlState } from './graph-rows.js';
import type { SqlDatabase, SqlExecutor } from './sql.js';

/**
 * Options of {@link createPgCaseStore}.
 *
 * @example
 * ```ts
 * const cases = createPgCaseStore(db, { namespace: 'tenant_a', clock: createManualClock(), ids: sequentialIds() });
 * ```
 */
export interface PgCaseStoreOptions {
  /** The namespace of the graph whose entities cases link (default `default`). */
  namespace?: string;
  clock?: Clock;
  /** Case and note ids (default: random UUIDs). */
  ids?: IdSource;
}

type Row = Record<string, unknown>;

const CASE_STATUS: Record<CaseStatus, true> = { open: true, in_progress: true, closed: true };

const CASE_COLUMNS = `c.id, c.org_id, c.title, c.description, c.status, c.created_by, c.created_at,
  c.updated_at, c.version, c.note_count,
  ARRAY(SELECT l.entity_id FROM ig_case_entities l
        WHERE l.ns = c.ns AND l.org_id = c.org_id AND l.case_id = c.id ORDER BY l.entity_id) AS entity_ids`;

/**
 * The {@link CaseStore} on SQL (PGlite or PostgreSQL), beside the SQL graph store of the same
 * namespace ({@link createPgGraphStore}): cases are rows of `ig_cases`, their links rows of
 * `ig_case_entities` with a foreign key to the entity of the case's org (so linking checks the entity
 * exists in that org, even against a concurrent merge; another org's entity is `NOT_FOUND`), and notes rows of `ig_case_notes`. Changes lock the case row, so
 * concurrent notes all land and only one of two updates with the same `expectedVersion` wins; a graph
 * merge re-points links to the survivor in its own transaction. Cases are isolated per org.
 *
 * @example
 * ```ts
 * import { createPGliteDatabase, createPgCaseStore, createPgGraphStore, migrate } from '@intelgraph/adapters/postgres';
 * const db = await createPGliteDatabase({ dataDir: './.intelgraph/pg' });
 * await migrate(db);
 * const graph = createPgGraphStore(db).forOrg('acme');
 * const cases = createPgCaseStore(db);
 * await graph.upsert({ entities: [{ id: 'p1', type: 'Person', name: 'Alice' }] });
 * const c = await cases.create({ orgId: 'acme', title: 'Fraud ring', createdBy: 'alice', entityIds: ['p1'] });
 * await cases.appendNote({ orgId: 'acme', id: c.id, author: 'alice', text: 'Opened from alert 42' });
 * ```
 */
export function createPgCaseStore(db: SqlDatabase, options: PgCaseStoreOptions = {}): CaseStore {
  const ns = parseNamespace(options.namespace);
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const now = () => new Date(clock.now()).toISOString();

  const requireEntities = async (tx: SqlExecutor, orgId: string, entityIds: readonly string[]) => {
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
  };
  const readCase = async (tx: SqlExecutor, orgId: string, id: string, lock = false) => {
    const { rows } = await tx.query(
      `SELECT ${CASE_COLUMNS} FROM ig_cases c WHERE c.ns = $1 AND c.id = $2 AND c.org_id = $3${lock ? ' FOR UPDATE' : ''}`,
      [ns, id, orgId],
    );
    return rows[0] ?? null;
  };
  const readNotes = async (tx: SqlExecutor, id: string): Promise<CaseNote[]> => {
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
  };
  const readRecord = async (tx: SqlExecutor, orgId: string, id: string): Promise<CaseRecord> => {
    const row = await readCase(tx, orgId, id);
    if (!row) throw caseNotFound(orgId, id);
    return { ...toSummary(row), notes: await readNotes(tx, id) };
  };

  return {
    async get(ref) {
      const { orgId, id } = parseCaseRef(ref);
      return db.transaction(
        async (tx) => {
          const row = await readCase(tx, orgId, id);
          return row ? { ...toSummary(row), notes: await readNotes(tx, id) } : null;
        },
        { isolation: 'repeatable read' },
      );
    },

    async list(query): Promise<CasePage> {
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
      const page = rows
        .slice(0, limit)
        .map((row) => ({ ...toSummary(row), noteCount: Number(row.note_count) }));
      return {
        items: page,
        nextCursor: nextGraphCursor(offset, limit, rows.length > limit),
        rows: page.length,
      };
    },

    async create(input) {
      const c = parseCaseCreate(input);
      const entityIds = [...new Set(c.entityIds ?? [])].sort(compareCodePoints);
      const at = now();
      const id = ids.next('case'); // drawn before validation, as the other stores do
      try {
        return await db.transaction(async (tx) => {
          await requireEntities(tx, c.orgId, entityIds);
          await tx.query(
            `INSERT INTO ig_cases (ns, id, org_id, title, description, status, created_by, created_at, updated_at, version)
             VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $7, 1)`,
            [ns, id, c.orgId, c.title, JSON.stringify(c.description ?? ''), c.createdBy, at],
          );
          await link(tx, c.orgId, id, entityIds);
          return readRecord(tx, c.orgId, id);
        });
      } catch (err) {
        if (sqlState(err) === '23505') throw new IntelGraphError('CONFLICT', `case "${id}" already exists`);
        throw entityGone(err, entityIds);
      }
    },

    async update(input) {
      const u = parseCaseUpdate(input);
      const at = now();
      try {
        return await db.transaction(async (tx) => {
          const row = await readCase(tx, u.orgId, u.id, true);
          if (!row) throw caseNotFound(u.orgId, u.id);
          checkCaseUpdate(toSummary(row), u);
          await requireEntities(tx, u.orgId, u.linkEntityIds ?? []);
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
          await link(tx, u.orgId, u.id, u.linkEntityIds ?? []);
          if ((u.unlinkEntityIds ?? []).length > 0) {
            await tx.query(
              'DELETE FROM ig_case_entities WHERE ns = $1 AND case_id = $2 AND entity_id = ANY($3::text[])',
              [ns, u.id, u.unlinkEntityIds],
            );
          }
          return readRecord(tx, u.orgId, u.id);
        });
      } catch (err) {
        throw entityGone(err, u.linkEntityIds ?? []);
      }
    },

    async appendNote(input) {
      const n = parseCaseNote(input);
      const at = now();
      const noteId = ids.next('note');
      return db.transaction(async (tx) => {
        const row = await readCase(tx, n.orgId, n.id, true);
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
        return readRecord(tx, n.orgId, n.id);
      });
    },
  };

  // A link carries the case's org, so its foreign key points at that org's entity and nothing else.
  async function link(tx: SqlExecutor, orgId: string, caseId: string, entityIds: readonly string[]) {
    if (entityIds.length === 0) return;
    await tx.query(
      `INSERT INTO ig_case_entities (ns, org_id, case_id, entity_id)
       SELECT $1, $4, $2, t.id FROM unnest($3::text[]) AS t(id)
       ON CONFLICT (ns, case_id, entity_id) DO UPDATE SET org_id = excluded.org_id`,
      [ns, caseId, entityIds, orgId],
    );
  }
}

function toSummary(r: Row): Omit<CaseRecord, 'notes'> {
  return {
    id: String(r.id),
    orgId: String(r.org_id),
    title: String(r.title),
    description: stringOf(parseStoredJson(r.description), 'case description'),
    status: member(CASE_STATUS, r.status, 'case status'),
    entityIds: [...stringArrayOrEmpty(r.entity_ids, 'case entity ids')].sort(compareCodePoints),
    createdBy: String(r.created_by),
    createdAt: isoOf(r.created_at),
    updatedAt: isoOf(r.updated_at),
    version: Number(r.version),
  };
}
