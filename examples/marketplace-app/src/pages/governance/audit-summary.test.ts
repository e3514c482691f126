import { describe, expect, it } from 'vitest';
import { describeAuditEvent } from './audit-summary.js';

describe('describeAuditEvent', () => {
  it('turns an event into a sentence with its note or reason', () => {
    expect(describeAuditEvent('review.denied', 'bob', { taskId: 'rt-1', reason: 'No evidence' })).toBe(
      'Denied by bob: “No evidence”',
    );
    expect(describeAuditEvent('review.auto_approved', null, { taskId: 'rt-1' })).toBe(
      'Approved by the policy',
    );
    expect(describeAuditEvent('custom.thing_done', 'x', null)).toBe('custom thing done by x');
  });
});
