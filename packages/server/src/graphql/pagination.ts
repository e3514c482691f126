import { IntelGraphError } from '@intelgraph/core';

/**
 * The largest page most list fields of the GraphQL API answer (`first` or `limit`); `auditTrail` takes up
 * to 1000 and `reviewQueue` up to 200.
 *
 * @example
 * ```ts
 * import { MAX_PAGE_SIZE } from '@intelgraph/server/graphql';
 * const variables = { first: MAX_PAGE_SIZE }; // query($first: Int) { catalog(first: $first) { id } }
 * ```
 */
export const MAX_PAGE_SIZE = 100;

/**
 * The page size a list field was asked for: its `first`/`limit` argument (the SDL carries the default),
 * an integer from 1 to `max`. Anything else is `INVALID_INPUT`, never silently clamped.
 */
export function pageSizeOf(value: unknown, fallback: number, max = MAX_PAGE_SIZE, name = 'first'): number {
  const n = value == null ? fallback : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > max)
    throw new IntelGraphError('INVALID_INPUT', `${name} must be an integer from 1 to ${max}`, {
      details: { issues: [{ code: 'too_big', path: [name], message: `${name} must be from 1 to ${max}` }] },
    });
  return n;
}
