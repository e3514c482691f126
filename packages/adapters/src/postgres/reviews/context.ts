// What every concern of the PostgreSQL review store shares: the database, and the row helpers they all use.
import { IntelGraphError, REVIEW_NO_DUE_KEY, type ReviewTaskRecord } from '@intelgraph/core';
import { errorCode } from '../../narrow.js';
import type { SqlDatabase } from '../sql.js';

/** The state the review store's concerns share. */
export interface ReviewContext {
  readonly db: SqlDatabase;
}

/** A row as the driver hands it over. */
export type Row = Record<string, unknown>;

function isUniqueViolation(err: unknown): boolean {
  return errorCode(err) === '23505';
}

/** `CONFLICT` for a unique violation on `what`; any other error as it is. */
export function conflict(err: unknown, what: string): unknown {
  return isUniqueViolation(err)
    ? new IntelGraphError('CONFLICT', `${what} already exists`, { cause: err })
    : err;
}

/** The record stored in a row's `doc` column. */
export const parseDoc = <T>(r: Row): T => JSON.parse(String(r.doc)) as T;
/** The sort key of a task's due time (tasks without one sort last). */
export const dueKey = (t: ReviewTaskRecord): number => t.dueAt ?? REVIEW_NO_DUE_KEY;
