// The review-task list cursor, shared by every ReviewStore (governance's memory store, the PostgreSQL adapter).
import { IntelGraphError } from '../errors.js';

/** The position a task list page ends at: the sort key of the last item and its id. */
export interface ReviewCursor {
  /** `due` or `created`: which order the cursor belongs to. */
  order: 'due' | 'created';
  key: number;
  id: string;
}

/**
 * The sort key of a task without a due time in the `due` order (after every real one), the same in every
 * ReviewStore so cursors agree.
 *
 * @example
 * ```ts
 * import { REVIEW_NO_DUE_KEY } from '@intelgraph/core';
 * const dueKey = (task: { dueAt: number | null }) => task.dueAt ?? REVIEW_NO_DUE_KEY;
 * ```
 */
export const REVIEW_NO_DUE_KEY = 8_640_000_000_000_000;

/**
 * Encodes a cursor as an opaque URL-safe string. Every {@link ReviewStore} implementation in this
 * repository shares this format, so a cursor survives a change of backend.
 *
 * @example
 * ```ts
 * import { decodeReviewCursor, encodeReviewCursor } from '@intelgraph/core';
 * decodeReviewCursor(encodeReviewCursor({ order: 'due', key: 1, id: 'task_1' })).id; // 'task_1'
 * ```
 */
export function encodeReviewCursor(cursor: ReviewCursor): string {
  return Buffer.from(JSON.stringify([cursor.order, cursor.key, cursor.id]), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor made by {@link encodeReviewCursor}; anything else is `INVALID_INPUT`.
 *
 * @example
 * ```ts
 * import { decodeReviewCursor } from '@intelgraph/core';
 * decodeReviewCursor('bm9wZQ'); // throws INVALID_INPUT
 * ```
 */
export function decodeReviewCursor(cursor: string): ReviewCursor {
  const bad = () =>
    new IntelGraphError('INVALID_INPUT', 'invalid cursor', {
      details: {
        issues: [{ code: 'invalid_cursor', path: ['cursor'], message: 'not a cursor from this API' }],
      },
    });
  if (cursor.length > 500 || !/^[\w-]+$/u.test(cursor)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    (parsed[0] !== 'due' && parsed[0] !== 'created') ||
    !Number.isSafeInteger(parsed[1]) ||
    typeof parsed[2] !== 'string'
  )
    throw bad();
  return { order: parsed[0], key: parsed[1] as number, id: parsed[2] };
}
