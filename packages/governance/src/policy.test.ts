import { isIntelGraphError } from '@intelgraph/core';
import { describe, expect, it } from 'vitest';
import { definePolicy, escalationKeys, primaryKeys, selectorKeys, validatePolicy } from './policy.js';

describe('definePolicy', () => {
  it('fills the defaults', () => {
    const p = definePolicy({ kind: 'export', approvals: [{ count: 2, role: 'steward' }] });
    expect(p).toMatchObject({
      kind: 'export',
      denyThreshold: 1,
      requireReason: { request: true, approve: false },
      evidenceRequired: false,
      appeal: { allowed: true, maxDepth: 1 },
      params: {},
    });
    // Normalised policies are fixed points, so they survive storage and policy changes unchanged.
    expect(definePolicy(p)).toEqual(p);
  });

  it('accepts several rules, groups, named users, an SLA with escalation and auto-approval', () => {
    const p = definePolicy({
      kind: 'merge',
      approvals: [
        { count: 2, role: 'data-steward' },
        { count: 1, group: 'legal' },
        { count: 1, userIds: ['ciso'] },
      ],
      sla: {
        dueAfterMs: 3_600_000,
        warnBeforeMs: 600_000,
        escalation: [{ afterMs: 0, to: [{ role: 'manager' }] }],
      },
      expiresAfterMs: 86_400_000,
      params: { maxRows: 10 },
      autoApprove: { when: { path: 'rows', op: 'lte', param: 'maxRows' } },
    });
    expect(primaryKeys(p)).toEqual(['role:data-steward', 'group:legal', 'user:ciso']);
    expect(escalationKeys(p)).toEqual(['role:manager']);
    expect(p.autoApprove?.note).toBe('no review needed by policy');
  });

  it('rejects invalid policies with INVALID_INPUT and paths', () => {
    const cases: [unknown, (string | number)[]][] = [
      [{ kind: 'export', approvals: [] }, ['approvals']],
      [{ kind: 'Export', approvals: [{ count: 1, role: 'a' }] }, ['kind']],
      [{ kind: 'x', approvals: [{ count: 0, role: 'a' }] }, ['approvals', 0]],
      [{ kind: 'x', approvals: [{ count: 1, role: 'a', group: 'b' }] }, ['approvals', 0]],
      [{ kind: 'x', approvals: [{ count: 3, userIds: ['a', 'b'] }] }, ['approvals', 0]],
      [
        { kind: 'x', approvals: [{ count: 1, role: 'a' }], sla: { dueAfterMs: 10, warnBeforeMs: 10 } },
        ['sla', 'warnBeforeMs'],
      ],
      [
        {
          kind: 'x',
          approvals: [{ count: 1, role: 'a' }],
          sla: {
            dueAfterMs: 10,
            escalation: [
              { afterMs: 5, to: [{ role: 'b' }] },
              { afterMs: 5, to: [{ role: 'c' }] },
            ],
          },
        },
        ['sla', 'escalation', 1, 'afterMs'],
      ],
      [{ kind: 'x', approvals: [{ count: 1, role: 'a' }], surprise: true }, []],
    ];
    for (const [input, path] of cases) {
      const r = validatePolicy(input);
      expect(r.ok, JSON.stringify(input)).toBe(false);
      if (!r.ok) expect(r.issues[0]?.path.slice(0, path.length)).toEqual(path);
      try {
        definePolicy(input as never);
        expect.unreachable();
      } catch (e) {
        expect(isIntelGraphError(e, 'INVALID_INPUT')).toBe(true);
      }
    }
  });

  it('rejects prototype keys in params', () => {
    const r = validatePolicy(
      JSON.parse('{"kind":"x","approvals":[{"count":1,"role":"a"}],"params":{"__proto__":{"p":1}}}'),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]?.code).toBe('dangerous_key');
  });

  it('maps selectors to keys', () => {
    expect(selectorKeys({ role: 'r' })).toEqual(['role:r']);
    expect(selectorKeys({ group: 'g' })).toEqual(['group:g']);
    expect(selectorKeys({ userId: 'u' })).toEqual(['user:u']);
    expect(selectorKeys({ count: 1, userIds: ['a', 'b'] })).toEqual(['user:a', 'user:b']);
  });
});
