import { IntelGraphError } from './errors.js';

/** One comparator of a contract version range: `>=2`, `<3`, `=1` … */
interface Comparator {
  op: '>' | '>=' | '<' | '<=' | '=';
  version: number;
}

/** A parsed contract version range: alternatives (`||`), each a conjunction of comparators. */
export type VersionRange = readonly (readonly Comparator[])[];

const COMPARATOR = /^(>=|<=|>|<|=)?([1-9]\d{0,8})$/u;
const MAX_RANGE_CHARS = 100;

/**
 * Parses a contract version range over integer versions: comparators `>N`, `>=N`, `<N`, `<=N`, `=N` or a
 * bare `N`, separated by spaces (all must hold), with `||` between alternatives. For example `>=1 <3`
 * accepts 1 and 2, `1 || >=4` accepts 1, 4, 5 …. Throws `INVALID_INPUT` naming the bad part.
 *
 * @example
 * ```ts
 * import { parseVersionRange, versionInRange } from '@intelgraph/core';
 * const r = parseVersionRange('>=1 <3');
 * versionInRange(r, 2); // true
 * versionInRange(r, 3); // false
 * ```
 */
export function parseVersionRange(text: unknown): VersionRange {
  if (typeof text !== 'string' || text.length > MAX_RANGE_CHARS || text.trim() === '')
    throw new IntelGraphError(
      'INVALID_INPUT',
      `a version range is a non-empty string of at most ${MAX_RANGE_CHARS} characters`,
      { details: { issues: [{ code: 'invalid_range', path: [], message: 'not a version range' }] } },
    );
  return text.split('||').map((alternative) => {
    const parts = alternative.trim().split(/\s+/u);
    return parts.map((part) => {
      const m = COMPARATOR.exec(part);
      if (!m)
        throw new IntelGraphError(
          'INVALID_INPUT',
          `"${part.slice(0, 20)}" is not a version comparator (expected >N, >=N, <N, <=N, =N or N)`,
          {
            details: {
              issues: [{ code: 'invalid_range', path: [], message: `bad comparator ${part.slice(0, 20)}` }],
            },
          },
        );
      return { op: (m[1] ?? '=') as Comparator['op'], version: Number(m[2]) };
    });
  });
}

/**
 * Whether an integer version satisfies a parsed range (see {@link parseVersionRange}).
 *
 * @example
 * ```ts
 * import { parseVersionRange, versionInRange } from '@intelgraph/core';
 * versionInRange(parseVersionRange('2 || >=4'), 3); // false
 * ```
 */
export function versionInRange(range: VersionRange, version: number): boolean {
  return range.some((all) =>
    all.every((c) => {
      switch (c.op) {
        case '>':
          return version > c.version;
        case '>=':
          return version >= c.version;
        case '<':
          return version < c.version;
        case '<=':
          return version <= c.version;
        default:
          return version === c.version;
      }
    }),
  );
}

/** What a manifest's `inputSchema`/`outputSchema` says about versions. */
export interface ContractVersionSpec {
  version?: number | undefined;
  versions?: readonly number[] | undefined;
  range?: string | undefined;
}

/**
 * Whether a contract reference of a manifest accepts a version: its `version`, one of its `versions`,
 * or within its `range`; with none of them, every version.
 *
 * @example
 * ```ts
 * import { acceptsContractVersion } from '@intelgraph/core';
 * acceptsContractVersion({ versions: [1, 3] }, 2); // false
 * acceptsContractVersion({ range: '>=2' }, 2); // true
 * ```
 */
export function acceptsContractVersion(spec: ContractVersionSpec, version: number): boolean {
  if (spec.version !== undefined) return spec.version === version;
  if (spec.versions !== undefined) return spec.versions.includes(version);
  if (spec.range !== undefined) return versionInRange(parseVersionRange(spec.range), version);
  return true;
}
