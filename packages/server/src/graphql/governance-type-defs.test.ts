import {
  type Actor,
  createAuditTrail,
  createManualClock,
  createMemoryAuditStore,
  sequentialIds,
  sha256Hex,
} from '@intelgraph/core';
import { createGovernance, createMemoryNotifier, definePolicy } from '@intelgraph/governance';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { governanceTypeDefs, reviewTaskToGraphQL } from './governance-type-defs.js';

const actor = (userId: string, roles: string[]): Actor => ({ userId, orgId: 'acme', roles });
const alice = actor('alice', ['analyst']);
const sam = actor('sam', ['steward']);

describe('governanceTypeDefs', () => {
  it('is valid SDL with the ReviewTask type and the review mutations', () => {
    const schema = buildSchema(`${governanceTypeDefs}`);
    expect(Object.keys(schema.getType('ReviewTask')?.toConfig() ?? {})).toContain('fields');
    const mutations = Object.keys(schema.getMutationType()?.getFields() ?? {});
    expect(mutations).toEqual(expect.arrayContaining(['requestPolicyChange', 'reviewApprove', 'reviewDeny']));
  });
});

describe('reviewTaskToGraphQL', () => {
  it('maps a view to the ReviewTask object', async () => {
    const clock = createManualClock(Date.UTC(2026, 3, 1));
    const ids = sequentialIds();
    const gov = createGovernance({
      audit: createAuditTrail({ store: createMemoryAuditStore(), clock, ids }),
      notifier: createMemoryNotifier(),
      clock,
      ids,
      policies: [definePolicy({ kind: 'export', approvals: [{ count: 2, role: 'steward' }] })],
      appliers: { export: async () => null },
    });
    const t = await gov.request(alice, {
      kind: 'export',
      payload: { dataset: 'cases', rows: 5000 },
      reason: 'court order 17',
      evidence: [{ name: 'e.txt', mediaType: 'text/plain', content: 'x' }],
    });
    await gov.approve(sam, t.id, { note: 'ok' });
    const g = reviewTaskToGraphQL(await gov.get(alice, t.id));
    expect(g).toMatchObject({
      id: t.id,
      status: 'pending',
      requester: { id: 'alice' },
      approvers: [{ id: 'sam' }],
      evidence: [sha256Hex('x')],
      decisions: [{ outcome: 'approve', actor: { id: 'sam' }, note: 'ok' }],
      apply: null,
      appealTask: null,
    });
  });
});
