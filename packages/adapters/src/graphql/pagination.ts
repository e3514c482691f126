import { IntelGraphError } from '@intelgraph/core';

/** The largest page any list field of the GraphQL API answers (`first` or `limit`). */
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
