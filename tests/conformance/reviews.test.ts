// One conformance suite for the ReviewStore port: the in-memory store, PGlite and the real PostgreSQL
// run the same test bodies, including 50 concurrent approvers racing to a quorum.
import { createPgReviewStore } from '@intelgraph/adapters/postgres';
import {
  type Actor,
  createManualClock,
  type ErrorCode,
  isIntelGraphError,
  type ReviewApplyRecord,
  type ReviewDecisionRecord,
  type ReviewSnapshot,
  type ReviewStore,
  type ReviewTaskRecord,
  sequentialIds,
} from '@intelgraph/core';
import { createGovernance, createMemoryReviewStore, definePolicy } from '@intelgraph/governance';
import { describe, expect, it } from 'vitest';
import { openEachTest, storeBackends } from '../support/backends.js';

const backends = storeBackends<ReviewStore>({
  memory: () => createMemoryReviewStore(),
  sql: (db) => createPgReviewStore(db),
  poolSize: 12,
});

const T0 = Date.UTC(2026, 3, 1);
const policy = definePolicy({ kind: 'export', approvals: [{ count: 1, role: 'steward' }] });

function task(id: string, over: Partial<ReviewTaskRecord> = {}): ReviewTaskRecord {
  return {
    id,
    orgId: 'acme',
    kind: 'export',
    state: 'pending',
    payload: {
      dataset: 'cases',
      note: 'ünïcode \u0000 nul, "quotes" and \\ backslash',
      n: [1, 2.5, null, true],
    },
    reason: 'court order\u0000 17',
    requester: { userId: 'alice', roles: ['analyst'] },
    evidence: [{ sha256: 'a'.repeat(64), name: 'ticket.txt', mediaType: 'text/plain', size: 12 }],
    policy: policy as unknown as ReviewTaskRecord['policy'],
    policyVersion: 1,
    reviewerSelectors: ['role:steward'],
    excludedUserIds: ['alice'],
    createdAt: T0,
    updatedAt: T0,
    dueAt: null,
    expiresAt: null,
    nextDeadlineAt: null,
    escalationLevel: 0,
    slaWarnedAt: null,
    decidedAt: null,
    appealOf: null,
    appealTaskId: null,
    appealDepth: 0,
    revision: 1,
    ...over,
  };
}

function decision(taskId: string, userId: string, id = `dec-${taskId}-${userId}`): ReviewDecisionRecord {
  return {
    id,
    taskId,
    outcome: 'approve',
    actor: { userId, roles: ['steward'] },
    at: T0 + 1,
    note: 'ok \u0000',
    evidence: [],
    matched: ['role:steward'],
  };
}

function apply(taskId: string, over: Partial<ReviewApplyRecord> = {}): ReviewApplyRecord {
  return {
    taskId,
    idempotencyKey: `review:${taskId}:apply`,
    status: 'pending',
    attempts: 0,
    leaseUntil: null,
    updatedAt: T0,
    error: null,
    result: null,
    ...over,
  };
}

const snap = (t: ReviewTaskRecord, extra: Partial<ReviewSnapshot> = {}): ReviewSnapshot => ({
  task: t,
  decisions: [],
  apply: null,
  ...extra,
});

async function codeOf(p: Promise<unknown>): Promise<ErrorCode | 'ok'> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (isIntelGraphError(e)) return e.code;
    throw e;
  }
}

describe.each(backends)('ReviewStore conformance: $name', (backend) => {
  const start = openEachTest(backend);

  it('round-trips a snapshot exactly, and refuses duplicates without writing anything', async () => {
    const store = await start();
    const s = snap(task('t1'), { decisions: [decision('t1', 'sam')], apply: apply('t1') });
    await store.create(s);
    expect(await store.get('t1')).toEqual(s);
    expect(await store.get('missing')).toBeNull();
    expect(await codeOf(store.create(snap(task('t1'))))).toBe('CONFLICT');
    // Same idempotency key on another task: the whole snapshot is refused.
    expect(
      await codeOf(
        store.create(snap(task('t2'), { apply: apply('t2', { idempotencyKey: 'review:t1:apply' }) })),
      ),
    ).toBe('CONFLICT');
    expect(await store.get('t2')).toBeNull();
  });

  it('updates under a lock: decide sees the current snapshot; null and throwing decisions write nothing', async () => {
    const store = await start();
    await store.create(snap(task('t1')));
    expect(await codeOf(store.update('nope', () => ({ change: null, result: 0 })))).toBe('NOT_FOUND');
    const none = await store.update('t1', (s) => ({ change: null, result: s.task.revision }));
    expect(none?.result).toBe(1);
    const threw = store.update('t1', (s) => {
      void s;
      throw new Error('domain said no');
    });
    await expect(threw).rejects.toThrow('domain said no');
    const r = await store.update('t1', (s) => ({
      change: {
        task: { ...s.task, state: 'approved', revision: s.task.revision + 1 },
        decision: decision('t1', 'sam'),
        apply: apply('t1'),
      },
      result: 'done',
    }));
    expect(r?.result).toBe('done');
    expect(r?.snapshot.task.state).toBe('approved');
    expect(await store.get('t1')).toEqual(r?.snapshot);
    const running = await store.update('t1', (s) => ({
      change: {
        task: { ...s.task, revision: s.task.revision + 1 },
        apply: apply('t1', { status: 'running', attempts: 1, leaseUntil: T0 + 5 }),
      },
      result: null,
    }));
    expect(running?.snapshot.apply).toMatchObject({ status: 'running', attempts: 1 });
    expect((await store.get('t1'))?.decisions).toHaveLength(1);
  });

  it('refuses a second decision by the same reviewer, a reused idempotency key and a duplicate task, atomically', async () => {
    const store = await start();
    await store.create(snap(task('t1'), { apply: apply('t1') }));
    await store.create(snap(task('t2')));
    await store.update('t2', (s) => ({
      change: { task: s.task, decision: decision('t2', 'sam') },
      result: null,
    }));
    const before = await store.get('t2');
    const bump = (s: ReviewSnapshot) => ({ ...s.task, revision: s.task.revision + 1 });
    expect(
      await codeOf(
        store.update('t2', (s) => ({
          change: { task: bump(s), decision: decision('t2', 'sam', 'other-id') },
          result: null,
        })),
      ),
    ).toBe('CONFLICT');
    expect(
      await codeOf(
        store.update('t2', (s) => ({
          change: { task: bump(s), apply: apply('t2', { idempotencyKey: 'review:t1:apply' }) },
          result: null,
        })),
      ),
    ).toBe('CONFLICT');
    expect(
      await codeOf(
        store.update('t2', (s) => ({ change: { task: bump(s), create: snap(task('t1')) }, result: null })),
      ),
    ).toBe('CONFLICT');
    expect(await store.get('t2')).toEqual(before);
  });

  it('creates a linked task in the same transaction (appeals)', async () => {
    const store = await start();
    await store.create(snap(task('t1', { state: 'denied' })));
    await store.update('t1', (s) => ({
      change: {
        task: { ...s.task, state: 'appealed', appealTaskId: 't1a', revision: 2 },
        create: snap(task('t1a', { appealOf: 't1', appealDepth: 1, excludedUserIds: ['alice', 'lea'] })),
      },
      result: null,
    }));
    expect((await store.get('t1'))?.task).toMatchObject({ state: 'appealed', appealTaskId: 't1a' });
    expect((await store.get('t1a'))?.task).toMatchObject({
      state: 'pending',
      appealOf: 't1',
      excludedUserIds: ['alice', 'lea'],
    });
  });

  it('serialises concurrent updates of one task (no lost update)', async () => {
    const store = await start();
    await store.create(snap(task('t1')));
    await Promise.all(
      Array.from({ length: 50 }, () =>
        store.update('t1', (s) => ({
          change: { task: { ...s.task, revision: s.task.revision + 1 } },
          result: null,
        })),
      ),
    );
    expect((await store.get('t1'))?.task.revision).toBe(51);
    // skipLocked on a task nobody holds behaves like a normal update.
    const r = await store.update('t1', (s) => ({ change: null, result: s.task.revision }), {
      skipLocked: true,
    });
    expect(r?.result).toBe(51);
  });

  it('lists tasks by filters with stable cursor pagination', async () => {
    const store = await start();
    const dues = [T0 + 300, null, T0 + 100, T0 + 100, T0 + 200, null];
    for (const [i, due] of dues.entries())
      await store.create(
        snap(task(`t${i}`, { createdAt: T0 + 10 - i, dueAt: due, kind: i % 2 ? 'merge' : 'export' })),
      );
    await store.create(snap(task('other-org', { orgId: 'globex' })));
    await store.create(snap(task('done', { state: 'applied', dueAt: T0 + 50 })));
    await store.create(snap(task('legal', { reviewerSelectors: ['role:legal'], dueAt: T0 + 1 })));
    await store.create(snap(task('sam-excluded', { excludedUserIds: ['alice', 'sam'] })));
    await store.create(snap(task('sam-decided')));
    await store.update('sam-decided', (s) => ({
      change: { task: s.task, decision: decision('sam-decided', 'sam') },
      result: null,
    }));

    const all = async (q: Parameters<ReviewStore['listTasks']>[0]) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await store.listTasks({ ...q, limit: 2, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(2);
        ids.push(...page.items.map((t) => t.id));
        cursor = page.nextCursor;
      } while (cursor);
      return ids;
    };
    const pendingDue = await all({ orgId: 'acme', states: ['pending'], order: 'due' });
    expect(pendingDue).toEqual(['legal', 't2', 't3', 't4', 't0', 'sam-decided', 'sam-excluded', 't1', 't5']);
    expect(await all({ orgId: 'acme', kinds: ['merge'], order: 'created' })).toEqual(['t5', 't3', 't1']);
    const samKeys = ['user:sam', 'role:steward'];
    expect(
      await all({
        orgId: 'acme',
        states: ['pending'],
        eligible: { userId: 'sam', selectors: samKeys },
        order: 'due',
      }),
    ).toEqual(['t2', 't3', 't4', 't0', 't1', 't5']);
    expect(await all({ orgId: 'acme', dueBefore: T0 + 100, order: 'due' })).toEqual([
      'legal',
      'done',
      't2',
      't3',
    ]);
    expect(await all({ orgId: 'acme', overdueAt: T0 + 101, order: 'due' })).toEqual(['legal', 't2', 't3']);
    expect(await all({ orgId: 'acme', requesterId: 'bob' })).toEqual([]);
    expect(await all({ orgId: 'globex' })).toEqual(['other-org']);
    expect(await codeOf(store.listTasks({ orgId: 'acme', cursor: 'not a cursor' }))).toBe('INVALID_INPUT');
    const dueCursor = (await store.listTasks({ orgId: 'acme', order: 'due', limit: 1 })).nextCursor ?? '';
    expect(await codeOf(store.listTasks({ orgId: 'acme', order: 'created', cursor: dueCursor }))).toBe(
      'INVALID_INPUT',
    );
  });

  it('lists due deadlines, earliest first', async () => {
    const store = await start();
    await store.create(snap(task('a', { nextDeadlineAt: T0 + 30 })));
    await store.create(snap(task('b', { nextDeadlineAt: T0 + 10 })));
    await store.create(snap(task('c', { nextDeadlineAt: T0 + 20, state: 'approved' })));
    await store.create(snap(task('d', { nextDeadlineAt: null })));
    await store.create(snap(task('e', { nextDeadlineAt: T0 + 99 })));
    expect((await store.listDeadlines(T0 + 30, 10)).map((t) => t.id)).toEqual(['b', 'c', 'a']);
    expect((await store.listDeadlines(T0 + 30, 2)).map((t) => t.id)).toEqual(['b', 'c']);
    expect(await store.listDeadlines(T0, 10)).toEqual([]);
  });

  it('stores evidence bytes once per hash', async () => {
    const store = await start();
    const bytes = new Uint8Array([0, 1, 2, 255, 0]);
    const ref = { sha256: 'b'.repeat(64), name: 'x.bin', mediaType: 'application/octet-stream', size: 5 };
    await store.putEvidence(ref, bytes);
    await store.putEvidence({ ...ref, name: 'again.bin' }, bytes);
    expect(await store.getEvidence(ref.sha256)).toEqual(bytes);
    expect(await store.getEvidence('c'.repeat(64))).toBeNull();
  });

  it('keeps policy versions per org and kind, idempotent per task', async () => {
    const store = await start();
    const rec = {
      orgId: 'acme',
      kind: 'export',
      version: 2,
      definition: { params: { t: 0.9 } },
      taskId: 'pc1',
      createdAt: T0,
    };
    expect(await store.getPolicy('acme', 'export')).toBeNull();
    expect(await store.putPolicy(rec)).toEqual(rec);
    expect(await store.putPolicy({ ...rec, definition: { other: true } })).toEqual(rec);
    expect(await codeOf(store.putPolicy({ ...rec, taskId: 'pc2' }))).toBe('CONFLICT');
    await store.putPolicy({ ...rec, version: 3, taskId: 'pc3', definition: { v: 3 } });
    await store.putPolicy({ ...rec, orgId: 'globex', version: 7, taskId: 'pc4' });
    expect(await store.getPolicy('acme', 'export')).toMatchObject({ version: 3, definition: { v: 3 } });
    expect(await store.getPolicy('globex', 'export')).toMatchObject({ version: 7 });
    expect(await store.getPolicy('acme', 'merge')).toBeNull();
  });

  it('applies exactly once when 50 approvers on 5 hosts race to the quorum', async () => {
    const store = await start();
    const clock = createManualClock(T0);
    const applied: { id: string; key: string }[] = [];
    const policies = [
      definePolicy({
        kind: 'export',
        approvals: [
          { count: 3, role: 'steward' },
          { count: 1, role: 'legal' },
        ],
      }),
    ];
    const hosts = Array.from({ length: 5 }, (_, h) =>
      createGovernance({
        policies,
        appliers: { export: (t, { idempotencyKey }) => void applied.push({ id: t.id, key: idempotencyKey }) },
        store,
        clock,
        ids: sequentialIds(1_000_000 * (h + 1)),
      }),
    );
    const alice: Actor = { userId: 'alice', orgId: 'acme', roles: [] };
    const gov = hosts[0];
    if (!gov) throw new Error('no host');
    const t = await gov.request(alice, { kind: 'export', payload: { rows: 1 }, reason: 'race' });
    const approvers = Array.from(
      { length: 50 },
      (_, i): Actor => ({
        userId: `rev${i}`,
        orgId: 'acme',
        roles: i % 2 ? ['steward'] : ['steward', 'legal'],
      }),
    );
    const results = await Promise.allSettled(
      approvers.map((a, i) => hosts[i % hosts.length]?.approve(a, t.id)),
    );
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(failures.every((e) => isIntelGraphError(e, 'INVALID_TRANSITION'))).toBe(true);
    const successes = results.length - failures.length;
    expect(successes).toBeGreaterThanOrEqual(4);
    expect(applied).toEqual([{ id: t.id, key: `review:${t.id}:apply` }]);
    const v = await gov.get(alice, t.id);
    expect(v).toMatchObject({
      state: 'applied',
      apply: { status: 'succeeded', attempts: 1 },
      quorum: { met: true },
    });
    expect(v.decisions).toHaveLength(successes);
  });

  it('runs the whole workflow: deny, appeal with fresh reviewers, approve, policy change', async () => {
    const store = await start();
    const clock = createManualClock(T0);
    const applied: string[] = [];
    const gov = createGovernance({
      policies: [
        {
          kind: 'export',
          approvals: [{ count: 1, role: 'steward' }],
          params: { threshold: 0.5 },
          autoApprove: { when: { path: 'score', op: 'lt', param: 'threshold' } },
        },
        { kind: 'policy_change', approvals: [{ count: 1, role: 'gov-admin' }] },
      ],
      appliers: { export: (t) => void applied.push(t.id) },
      store,
      clock,
      ids: sequentialIds(),
    });
    const alice: Actor = { userId: 'alice', orgId: 'acme', roles: [] };
    const sam: Actor = { userId: 'sam', orgId: 'acme', roles: ['steward'] };
    const sue: Actor = { userId: 'sue', orgId: 'acme', roles: ['steward'] };
    const t = await gov.request(alice, {
      kind: 'export',
      payload: { score: 0.7 },
      reason: 'r',
      evidence: [{ name: 'e.txt', mediaType: 'text/plain', content: 'proof' }],
    });
    await gov.deny(sam, t.id, { reason: 'too risky' });
    const appeal = await gov.appeal(alice, t.id, { reason: 'reconsider' });
    expect(await codeOf(gov.approve(sam, appeal.id))).toBe('FORBIDDEN');
    expect((await gov.queue(sam)).items).toEqual([]);
    expect((await gov.queue(sue)).items.map((x) => x.id)).toEqual([appeal.id]);
    expect((await gov.approve(sue, appeal.id)).state).toBe('applied');
    expect(applied).toEqual([appeal.id]);
    expect(
      Buffer.from((await gov.evidence(alice, appeal.id, appeal.evidence[0]?.sha256 ?? '')).bytes).toString(),
    ).toBe('proof');
    const pc = await gov.request(alice, {
      kind: 'policy_change',
      payload: { kind: 'export', params: { threshold: 0.9 } },
      reason: 'tighten export',
    });
    await gov.approve({ userId: 'gail', orgId: 'acme', roles: ['gov-admin'] }, pc.id);
    expect(await gov.policy(alice, 'export')).toMatchObject({
      version: 2,
      policy: { params: { threshold: 0.9 } },
    });
    expect((await gov.request(alice, { kind: 'export', payload: { score: 0.7 }, reason: 'r' })).state).toBe(
      'applied',
    );
    expect((await gov.auditTrail(pc.id)).verified).toBe(true);
  });
});
