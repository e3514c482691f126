import { randomUUID } from 'node:crypto';

/** Source of unique ids, injected so that tests get deterministic ones. */
export interface IdSource {
  /** A new id, prefixed (for example `run_…`, `task_…`). */
  next(prefix: string): string;
}

/**
 * Random ids (UUID v4 from `node:crypto`), the production default.
 *
 * @example
 * ```ts
 * import { randomIds } from '@intelgraph/core';
 * randomIds.next('run'); // 'run_3b1f…'
 * ```
 */
export const randomIds: IdSource = Object.freeze({ next: (prefix: string) => `${prefix}_${randomUUID()}` });

/**
 * Deterministic ids for tests: `prefix_000001`, `prefix_000002`, … (one counter shared by all prefixes).
 *
 * @example
 * ```ts
 * import { sequentialIds } from '@intelgraph/core';
 * const ids = sequentialIds();
 * ids.next('task'); // 'task_000001'
 * ids.next('run');  // 'run_000002'
 * ```
 */
export function sequentialIds(start = 1): IdSource {
  let n = start;
  return { next: (prefix: string) => `${prefix}_${String(n++).padStart(6, '0')}` };
}
