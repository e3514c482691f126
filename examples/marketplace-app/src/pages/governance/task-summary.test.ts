import { describe, expect, it } from 'vitest';
import type { ReviewTask } from '../../api/types.js';
import { describeTask } from './task-summary.js';

const task = (kind: string, payload: ReviewTask['payload']): ReviewTask => ({
  id: 'rt-1',
  kind,
  status: 'pending',
  createdAt: '2026-04-01T10:00:00.000Z',
  dueAt: null,
  overdue: false,
  requester: { id: 'alice' },
  approvers: [],
  reason: null,
  payload,
  reviewers: [],
  escalationLevel: 0,
  quorum: { met: false, approvals: 0, denials: 0, denyThreshold: 1, rules: [] },
  decisions: [],
  apply: null,
  appealOf: null,
  appealTask: null,
});

describe('describeTask', () => {
  it('reads an install request as a sentence with the scopes it grants', () => {
    const s = describeTask(
      task('plugin_install', {
        action: 'install',
        pluginId: 'case-exporter',
        version: '1.0.0',
        scopes: ['cases:read', 'cases:export'],
        adding: ['cases:read', 'cases:export'],
        actor: { userId: 'alice', orgId: 'acme', roles: ['admin'] },
      }),
    );
    expect(s.title).toBe('Install case-exporter@1.0.0');
    expect(s.summary).toBe(
      'alice asks to install case-exporter@1.0.0, which adds 2 scopes (cases:read, cases:export); high risk: cases:export.',
    );
    expect(s.scopes).toEqual(['cases:read', 'cases:export']);
    expect(s.highRiskScopes).toEqual(['cases:export']);
  });

  it('reads a policy change and an unknown kind without JSON', () => {
    expect(describeTask(task('policy_change', { kind: 'export', params: { maxRecords: 250 } })).summary).toBe(
      'alice asks to set maxRecords → 250 in the export policy.',
    );
    const other = describeTask(task('data_purge', { subject: 'person', filter: { older: 30 } }));
    expect(other.title).toBe('Data purge');
    expect(other.facts).toEqual([
      ['subject', 'person'],
      ['filter', '1 field'],
    ]);
  });
});
