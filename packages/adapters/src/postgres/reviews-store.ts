import {
  decodeReviewCursor,
  encodeReviewCursor,
  IntelGraphError,
  REVIEW_NO_DUE_KEY,
  type ReviewApplyRecord,
  type ReviewDecisionRecord,
  type ReviewPolicyRecord,
  type ReviewSnapshot,
  type ReviewStore,
  type ReviewTaskQuery,
  type ReviewTaskRecord,
} from '@intelgraph/core';
import { errorCode, parseStoredJson } from '../narrow.js';
import type { SqlDatabase, SqlExecutor } from './sql.js';

const MAX_LIMIT = 500;

type Row = Record<string, unknown>;

function isUniqueViolation(err: unknown): boolean {
  return errorCode(err) === '23505';
}

function conflict(err: unknown, what: string): unknown {
  return isUniqueViolation(err)
    ? new IntelGraphError('CONFLICT', `${what} already exists`, { cause: err })
    : err;
}

const parseDoc = <T>(r: Row): T => JSON.parse(String(r.doc)) as T;
const dueKey = (t: ReviewTaskRecord): number => t.dueAt ?? REVIEW_NO_DUE_KEY;

async function insertTask(tx: SqlExecutor, t: ReviewTaskRecord): Promise<void> {
  await tx.query(
    `INSERT INTO ig_governance_tasks (id, org_id, kind, state, requester_id, created_at, due_at, due_key,
       next_deadline_at, reviewer_selectors, excluded_user_ids, revision, doc)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      t.id,
      t.orgId,
      t.kind,
      t.state,
      t.requester.userId,
      t.createdAt,
      t.dueAt,
      dueKey(t),
      t.nextDeadlineAt,
      t.reviewerSelectors,
      t.excludedUserIds,
      t.revision,
      JSON.stringify(t),
    ],
  );
}

async function insertDecision(tx: SqlExecutor, d: ReviewDecisionRecord, seq: number): Promise<void> {
  await tx.query(
    'INSERT INTO ig_governance_decisions (id, task_id, seq, user_id, doc) VALUES ($1, $2, $3, $4, $5)',
    [d.id, d.taskId, seq, d.actor?.userId ?? null, JSON.stringify(d)],
  );
}

async function upsertApply(tx: SqlExecutor, a: ReviewApplyRecord): Promise<void> {
  // The task id is the key: a task has one apply record, and its idempotency key is unique across tasks.
  const { rows } = await tx.query<{ idempotency_key: string }>(
    `INSERT INTO ig_governance_applies (task_id, idempotency_key, status, doc) VALUES ($1, $2, $3, $4)
     ON CONFLICT (task_id) DO UPDATE SET status = EXCLUDED.status, doc = EXCLUDED.doc
     RETURNING idempotency_key`,
    [a.taskId, a.idempotencyKey, a.status, JSON.stringify(a)],
  );
  if (rows[0]?.idempotency_key !== a.idempotencyKey)
    throw new IntelGraphError('CONFLICT', 'a task has exactly one apply record');
}

async function insertSnapshot(tx: SqlExecutor, s: ReviewSnapshot): Promise<void> {
  await insertTask(tx, s.task);
  for (const [i, d] of s.decisions.entries()) await insertDecision(tx, d, i);
  if (s.apply) await upsertApply(tx, s.apply);
}

async function readRest(tx: SqlExecutor, task: ReviewTaskRecord): Promise<ReviewSnapshot> {
  const decisions = await tx.query(
    'SELECT doc FROM ig_governance_decisions WHERE task_id = $1 ORDER BY seq',
    [task.id],
  );
  const apply = await tx.query('SELECT doc FROM ig_governance_applies WHERE task_id = $1', [task.id]);
  return {
    task,
    decisions: decisions.rows.map((r) => parseDoc<ReviewDecisionRecord>(r)),
    apply: apply.rows[0] ? parseDoc<ReviewApplyRecord>(apply.rows[0]) : null,
  };
}

const toPolicy = (r: Row): ReviewPolicyRecord => ({
  orgId: String(r.org_id),
  kind: String(r.kind),
  version: Number(r.version),
  definition: parseStoredJson(r.definition),
  taskId: String(r.task_id),
  createdAt: Number(r.created_at),
});

/**
 * {@link ReviewStore} on PostgreSQL or PGlite. Updates lock the task row (`SELECT … FOR UPDATE`, or
 * `SKIP LOCKED` for the deadline processor), read its decisions and apply record, and write what the
 * domain decided in the same transaction; the apply record's idempotency key is `UNIQUE`, and so is a
 * reviewer's decision on a task. Run `migrate(db)` first.
 *
 * @example
 * ```ts
 * import { createPgDatabase, createPgReviewStore, migrate } from '@intelgraph/adapters/postgres';
 * import { createGovernance } from '@intelgraph/governance';
 * const db = await createPgDatabase({ connectionString: process.env.DATABASE_URL });
 * await migrate(db);
 * const gov = createGovernance({ policies, appliers, store: createPgReviewStore(db) });
 * ```
 */
export function createPgReviewStore(db: SqlDatabase): ReviewStore {
  return {
    async create(snapshot) {
      try {
        // A new task alone is one statement (atomic without BEGIN/COMMIT); anything more takes a transaction.
        if (snapshot.decisions.length === 0 && !snapshot.apply) await insertTask(db, snapshot.task);
        else await db.transaction((tx) => insertSnapshot(tx, snapshot));
      } catch (err) {
        throw conflict(err, `task ${snapshot.task.id} or its idempotency key`);
      }
    },

    async get(taskId) {
      const { rows } = await db.query('SELECT doc FROM ig_governance_tasks WHERE id = $1', [taskId]);
      if (!rows[0]) return null;
      return readRest(db, parseDoc<ReviewTaskRecord>(rows[0]));
    },

    async update(taskId, decide, options = {}) {
      try {
        return await db.transaction(async (tx) => {
          const lock = options.skipLocked ? 'FOR UPDATE SKIP LOCKED' : 'FOR UPDATE';
          const { rows } = await tx.query(`SELECT doc FROM ig_governance_tasks WHERE id = $1 ${lock}`, [
            taskId,
          ]);
          if (!rows[0]) {
            if (options.skipLocked) {
              const exists = await tx.query('SELECT 1 FROM ig_governance_tasks WHERE id = $1', [taskId]);
              if (exists.rows.length > 0) return null;
            }
            throw new IntelGraphError('NOT_FOUND', `no review task ${taskId}`);
          }
          const current = await readRest(tx, parseDoc<ReviewTaskRecord>(rows[0]));
          const { change, result } = decide(structuredClone(current));
          if (!change) return { snapshot: current, result };
          const t = change.task;
          if (t.id !== taskId) throw new IntelGraphError('INTERNAL', 'an update may not change the task id');
          await tx.query(
            `UPDATE ig_governance_tasks SET state = $2, due_at = $3, due_key = $4, next_deadline_at = $5,
               reviewer_selectors = $6, excluded_user_ids = $7, revision = $8, doc = $9 WHERE id = $1`,
            [
              taskId,
              t.state,
              t.dueAt,
              dueKey(t),
              t.nextDeadlineAt,
              t.reviewerSelectors,
              t.excludedUserIds,
              t.revision,
              JSON.stringify(t),
            ],
          );
          if (change.decision) await insertDecision(tx, change.decision, current.decisions.length);
          if (change.apply) await upsertApply(tx, change.apply);
          if (change.create) await insertSnapshot(tx, change.create);
          return {
            snapshot: {
              task: t,
              decisions: change.decision ? [...current.decisions, change.decision] : current.decisions,
              apply: change.apply ?? current.apply,
            },
            result,
          };
        });
      } catch (err) {
        throw conflict(err, 'a decision, task or idempotency key');
      }
    },

    async listTasks(query: ReviewTaskQuery) {
      const order = query.order ?? 'created';
      const limit = Math.max(1, Math.min(query.limit ?? 50, MAX_LIMIT));
      const params: unknown[] = [query.orgId];
      const where = ['t.org_id = $1'];
      const p = (v: unknown): string => {
        params.push(v);
        return `$${params.length}`;
      };
      if (query.states) where.push(`t.state = ANY(${p([...query.states])}::text[])`);
      if (query.kinds) where.push(`t.kind = ANY(${p([...query.kinds])}::text[])`);
      if (query.requesterId !== undefined) where.push(`t.requester_id = ${p(query.requesterId)}`);
      if (query.dueBefore !== undefined) where.push(`t.due_at <= ${p(query.dueBefore)}`);
      if (query.overdueAt !== undefined)
        where.push(`t.state = 'pending' AND t.due_at < ${p(query.overdueAt)}`);
      if (query.eligible) {
        const user = p(query.eligible.userId);
        where.push(
          `t.reviewer_selectors && ${p([...query.eligible.selectors])}::text[]`,
          `NOT (${user} = ANY(t.excluded_user_ids))`,
          `NOT EXISTS (SELECT 1 FROM ig_governance_decisions d WHERE d.task_id = t.id AND d.user_id = ${user})`,
        );
      }
      const keyCol = order === 'due' ? 't.due_key' : 't.created_at';
      if (query.cursor !== undefined) {
        const c = decodeReviewCursor(query.cursor);
        if (c.order !== order)
          throw new IntelGraphError('INVALID_INPUT', 'the cursor belongs to another order');
        const k = p(c.key);
        where.push(`(${keyCol} > ${k} OR (${keyCol} = ${k} AND t.id COLLATE "C" > ${p(c.id)}))`);
      }
      const { rows } = await db.query(
        `SELECT t.doc FROM ig_governance_tasks t WHERE ${where.join(' AND ')}
         ORDER BY ${keyCol}, t.id COLLATE "C" LIMIT ${p(limit + 1)}`,
        params,
      );
      const items = rows.slice(0, limit).map((r) => parseDoc<ReviewTaskRecord>(r));
      const last = items.at(-1);
      return {
        items,
        nextCursor:
          rows.length > limit && last
            ? encodeReviewCursor({ order, key: order === 'due' ? dueKey(last) : last.createdAt, id: last.id })
            : null,
      };
    },

    async listDeadlines(now, limit) {
      const { rows } = await db.query(
        `SELECT doc FROM ig_governance_tasks WHERE next_deadline_at <= $1
         ORDER BY next_deadline_at, id COLLATE "C" LIMIT $2`,
        [now, Math.max(0, limit)],
      );
      return rows.map((r) => parseDoc<ReviewTaskRecord>(r));
    },

    async putEvidence(ref, bytes) {
      await db.query(
        'INSERT INTO ig_governance_evidence (sha256, size, bytes) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING',
        [ref.sha256, bytes.byteLength, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)],
      );
    },

    async getEvidence(sha256) {
      const { rows } = await db.query<{ bytes: Uint8Array }>(
        'SELECT bytes FROM ig_governance_evidence WHERE sha256 = $1',
        [sha256],
      );
      return rows[0] ? new Uint8Array(rows[0].bytes) : null;
    },

    async putPolicy(record) {
      try {
        const inserted = await db.query(
          `INSERT INTO ig_governance_policies (org_id, kind, version, task_id, definition, created_at)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (task_id) DO NOTHING RETURNING *`,
          [
            record.orgId,
            record.kind,
            record.version,
            record.taskId,
            JSON.stringify(record.definition),
            record.createdAt,
          ],
        );
        if (inserted.rows[0]) return toPolicy(inserted.rows[0]);
      } catch (err) {
        throw conflict(err, `policy ${record.kind} version ${record.version}`);
      }
      const { rows } = await db.query('SELECT * FROM ig_governance_policies WHERE task_id = $1', [
        record.taskId,
      ]);
      if (!rows[0])
        throw new IntelGraphError('CONFLICT', `policy change ${record.taskId} could not be stored`);
      return toPolicy(rows[0]);
    },

    async getPolicy(orgId, kind) {
      const { rows } = await db.query(
        'SELECT * FROM ig_governance_policies WHERE org_id = $1 AND kind = $2 ORDER BY version DESC LIMIT 1',
        [orgId, kind],
      );
      return rows[0] ? toPolicy(rows[0]) : null;
    },
  };
}
