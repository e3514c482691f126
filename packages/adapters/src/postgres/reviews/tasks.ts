// Review tasks as snapshots (the task, its decisions and its apply record): create, read, and update
// under the task row lock with what the domain decided.
import {
  IntelGraphError,
  type ReviewApplyRecord,
  type ReviewDecisionRecord,
  type ReviewSnapshot,
  type ReviewStore,
  type ReviewTaskRecord,
} from '@intelgraph/core';
import type { SqlExecutor } from '../sql.js';
import { conflict, dueKey, parseDoc, type ReviewContext } from './context.js';

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

/** The task methods of the PostgreSQL review store. */
export function taskMethods({ db }: ReviewContext): Pick<ReviewStore, 'create' | 'get' | 'update'> {
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
  };
}
