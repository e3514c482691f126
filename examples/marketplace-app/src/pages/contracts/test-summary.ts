import type { ContractIssue, RecordResult } from '../../api/types.js';
import { plural } from '../../format/plural.js';

/** What the contract test runner says about a tested sample. */
export interface TestSummary {
  total: number;
  passing: number;
  failing: RecordResult[];
  /** Records with warnings (passing or not), with their warnings. */
  warned: { index: number; warnings: ContractIssue[] }[];
  /** `2 of 3 records match person v2.` */
  line: string;
}

/**
 * Counts a contract test against the sample that was submitted: the API answers only the records that
 * failed or were warned about, so every record it does not list passed.
 */
export function summarizeTest(
  submitted: number,
  results: readonly RecordResult[],
  subject: string,
  version: number,
): TestSummary {
  const failing = results.filter((r) => !r.ok);
  const warned = results
    .filter((r) => r.warnings.length > 0)
    .map((r) => ({ index: r.index, warnings: r.warnings }));
  const passing = Math.max(0, submitted - failing.length);
  const matches = passing === 1 && submitted === 1 ? 'matches' : 'match';
  return {
    total: submitted,
    passing,
    failing,
    warned,
    line: `${passing} of ${plural(submitted, 'record')} ${matches} ${subject} v${version}.`,
  };
}
