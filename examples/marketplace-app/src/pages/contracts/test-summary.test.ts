import { describe, expect, it } from 'vitest';
import type { RecordResult } from '../../api/types.js';
import { summarizeTest } from './test-summary.js';

const failing: RecordResult = {
  index: 1,
  ok: false,
  errors: [{ code: 'required', path: '/id', message: 'is required' }],
  warnings: [],
  patch: [],
  patched: null,
  patchValid: null,
};
const warned: RecordResult = {
  ...failing,
  index: 2,
  ok: true,
  errors: [],
  warnings: [{ code: 'deprecated', path: '/dob', message: 'uses a deprecated field' }],
};

describe('summarizeTest', () => {
  it('counts against the submitted sample, not the records the API listed', () => {
    const s = summarizeTest(3, [failing, warned], 'person', 2);
    expect(s.passing).toBe(2);
    expect(s.failing).toEqual([failing]);
    expect(s.line).toBe('2 of 3 records match person v2.');
    expect(s.warned).toEqual([{ index: 2, warnings: warned.warnings }]);
  });

  it('says all pass when the API lists nothing', () => {
    expect(summarizeTest(1, [], 'person', 1).line).toBe('1 of 1 record matches person v1.');
  });
});
