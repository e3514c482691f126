import type { ReviewDecisionRecord } from '@intelgraph/core';
import { describe, expect, it } from 'vitest';
import { definePolicy } from './policy.js';
import { tallyQuorum } from './quorum.js';

const policy = definePolicy({
  kind: 'export',
  approvals: [
    { count: 2, role: 'data-steward' },
    { count: 1, role: 'legal' },
  ],
  denyThreshold: 2,
  sla: { dueAfterMs: 1000, escalation: [{ afterMs: 0, to: [{ role: 'ciso' }] }] },
});

function approval(
  userId: string,
  matched: string[],
  outcome: 'approve' | 'deny' = 'approve',
): ReviewDecisionRecord {
  return {
    id: `d-${userId}`,
    taskId: 't',
    outcome,
    actor: { userId, roles: [] },
    at: 0,
    note: null,
    evidence: [],
    matched,
  };
}

describe('tallyQuorum', () => {
  it('needs every rule (2 of data-steward AND 1 of legal)', () => {
    const two = [approval('a', ['role:data-steward']), approval('b', ['role:data-steward'])];
    expect(tallyQuorum(policy, two).met).toBe(false);
    const t = tallyQuorum(policy, [...two, approval('c', ['role:legal'])]);
    expect(t.met).toBe(true);
    expect(t.rules.map((r) => r.filled)).toEqual([2, 1]);
  });

  it('counts a reviewer holding both roles once', () => {
    const both = approval('a', ['role:data-steward', 'role:legal']);
    expect(tallyQuorum(policy, [both, approval('b', ['role:data-steward'])]).met).toBe(false);
    // …but the matching still finds the assignment that works, whatever the order of arrival.
    expect(
      tallyQuorum(policy, [both, approval('b', ['role:data-steward']), approval('c', ['role:data-steward'])])
        .met,
    ).toBe(true);
    expect(
      tallyQuorum(policy, [approval('c', ['role:data-steward']), both, approval('d', ['role:legal'])]).met,
    ).toBe(true);
  });

  it('lets backup approvers stand in for any rule', () => {
    const t = tallyQuorum(policy, [
      approval('a', ['role:data-steward']),
      approval('b', ['role:ciso']),
      approval('c', ['role:ciso']),
    ]);
    expect(t.met).toBe(true);
  });

  it('counts denials against the threshold', () => {
    const one = tallyQuorum(policy, [approval('a', ['role:legal'], 'deny')]);
    expect([one.denials, one.denied]).toEqual([1, false]);
    expect(
      tallyQuorum(policy, [approval('a', ['role:legal'], 'deny'), approval('b', ['role:legal'], 'deny')])
        .denied,
    ).toBe(true);
  });
});
