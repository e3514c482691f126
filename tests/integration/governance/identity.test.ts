// Identities compare normalised (RFC-033) on every review store backend, the SQL filters included: the
// store's requester and eligibility filters see the canonical user id governance records.
import { createPgReviewStore } from '@intelgraph/adapters/postgres';
import { type Actor, createManualClock, isIntelGraphError, sequentialIds } from '@intelgraph/core';
import { createGovernance, definePolicy } from '@intelgraph/governance';
import { describe, expect, it } from 'vitest';
import { sqlBackends } from '../../support/sql.js';

const who = (userId: string, roles: string[]): Actor => ({ userId, orgId: 'acme', roles });

describe.each(sqlBackends().map((b) => [b.name, b] as const))('identities on %s', (_, backend) => {
  it('queues, self-approval and quorum distinctness see one person under every spelling', async () => {
    const opened = await backend.open();
    try {
      const applied: string[] = [];
      const gov = createGovernance({
        policies: [definePolicy({ kind: 'merge', approvals: [{ count: 2, role: 'steward' }] })],
        appliers: { merge: (t) => void applied.push(t.id) },
        store: createPgReviewStore(opened.db),
        clock: createManualClock(Date.UTC(2026, 3, 1)),
        ids: sequentialIds(),
      });
      const task = await gov.request(who('Bob', ['steward']), {
        kind: 'merge',
        payload: { a: 1 },
        reason: 'r',
      });
      expect(task.requester.userId).toBe('bob');
      const mine = await gov.queue(who('BOB', []), { scope: 'requested' });
      expect(mine.items.map((t) => t.id)).toEqual([task.id]);
      // bob is not offered his own task, under any spelling, and cannot decide it.
      expect((await gov.queue(who('bOb', ['steward']))).items).toEqual([]);
      const self = await gov.approve(who('BOB', ['steward']), task.id).catch((e: unknown) => e);
      expect(isIntelGraphError(self, 'FORBIDDEN')).toBe(true);
      await gov.approve(who('sam', ['steward']), task.id);
      // sam has decided: he is no longer offered the task, and a second spelling does not count again.
      expect((await gov.queue(who('SAM', ['steward']))).items).toEqual([]);
      const twice = await gov.approve(who('Sam', ['steward']), task.id).catch((e: unknown) => e);
      expect(isIntelGraphError(twice, 'CONFLICT')).toBe(true);
      expect(applied).toEqual([]);
      expect((await gov.approve(who('sue', ['steward']), task.id)).state).toBe('applied');
      expect(applied).toEqual([task.id]);
    } finally {
      await opened.close();
    }
  });
});
