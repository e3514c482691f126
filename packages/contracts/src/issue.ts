/**
 * One problem found by the contracts package: a stable machine `code`, a JSON pointer (RFC 6901) to
 * where it is (into the payload for validation issues, into the schema for compatibility issues), and
 * a plain sentence.
 */
export interface ContractIssue {
  code: string;
  path: string;
  message: string;
  /** For compatibility issues found by a transitive check: the registered version it conflicts with. */
  version?: number;
}

/** The result shape of every validator in this package. */
export type ContractResult<T> = { ok: true; value: T } | { ok: false; issues: ContractIssue[] };

/**
 * Builds a JSON pointer from path segments, escaping `~` and `/` as RFC 6901 requires.
 *
 * @example
 * ```ts
 * import { toJsonPointer } from '@intelgraph/contracts';
 * toJsonPointer(['properties', 'a/b', 0]); // '/properties/a~1b/0'
 * ```
 */
export function toJsonPointer(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) out = childPointer(out, typeof s === 'number' ? s : String(s));
  return out;
}

/** Appends one segment to a pointer. */
export function childPointer(pointer: string, segment: string | number): string {
  if (typeof segment === 'number') return `${pointer}/${segment}`;
  if (segment.indexOf('~') < 0 && segment.indexOf('/') < 0) return `${pointer}/${segment}`;
  return `${pointer}/${segment.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}
