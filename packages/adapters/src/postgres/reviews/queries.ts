// Task queries: an org's tasks by state, kind, requester, due time or eligibility, keyset-paged in
// created or due order, and the tasks whose next deadline has passed.
import {
  decodeReviewCursor,
  encodeReviewCursor,
  IntelGraphError,
  type ReviewStore,
  type ReviewTaskQuery,
  type ReviewTaskRecord,
} from '@intelgraph/core';
import { dueKey, parseDoc, type ReviewContext } from './context.js';

const MAX_LIMIT = 500;

/** The task queries of the PostgreSQL review store. */
export function queryMethods({ db }: ReviewContext): Pick<ReviewStore, 'listTasks' | 'listDeadlines'> {
  return {
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
  };
}
