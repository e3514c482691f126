import { IntelGraphError } from '@intelgraph/core';

/**
 * The `IntelGraphError` that `f` throws, for tests that check its code, message and details together;
 * fails when `f` returns or throws anything else.
 *
 * @example
 * ```ts
 * expect(refusal(() => compileContract('json', { pattern: '(?=x)' })).code).toBe('INVALID_INPUT');
 * ```
 */
export function refusal(f: () => unknown): IntelGraphError {
  try {
    f();
  } catch (e) {
    if (e instanceof IntelGraphError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}
