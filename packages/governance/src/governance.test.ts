import {
  type Actor,
  type AuditEvent,
  type AuditStore,
  createAuditTrail,
  createAuthorizer,
  createManualClock,
  createMemoryAuditStore,
  type ErrorCode,
  isIntelGraphError,
  type ReviewStore,
  sequentialIds,
  sha256Hex,
} from '@intelgraph/core';
import { describe, expect, it } from 'vitest';
import {
  type Applier,
  createGovernance,
  createGovernanceOwner,
  type GovernanceOptions,
} from './governance.js';
import { createMemoryNotifier } from './memory-notifier.js';
import { createMemoryReviewStore } from './memory-review-store.js';
import { definePolicy } from './policy.js';
import type { ReviewTaskView } from './task-view.js';

const HOUR = 3_600_000;
const MIN = 60_000;

const actor = (userId: string, roles: string[] = [], orgId = 'acme'): Actor => ({ userId, orgId, roles });
const alice = actor('alice', ['analyst']);
const sam = actor('sam', ['steward']);
const sue = actor('sue', ['steward']);
const stan = actor('stan', ['steward']);
const lea = actor('lea', ['legal']);
const larry = actor('larry', ['legal']);
const cora = actor('cora', ['ciso']);
const gail = actor('gail', ['gov-admin']);
const auditor = actor('audrey', ['auditor']);

const exportPolicy = definePolicy({
  kind: 'export',
  approvals: [
    { count: 2, role: 'steward' },
    { count: 1, role: 'legal' },
  ],
  sla: {
    dueAfterMs: HOUR,
    warnBeforeMs: 10 * MIN,
    escalation: [
      { afterMs: 0, to: [{ role: 'ciso' }] },
      { afterMs: 30 * MIN, to: [{ userId: 'cto' }] },
    ],
  },
  expiresAfterMs: 4 * HOUR,
  params: { maxRows: 100 },
  autoApprove: { when: { path: 'rows', op: 'lte', param: 'maxRows' } },
});

async function expectCode(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!isIntelGraphError(e)) throw e;
    expect(e.code).toBe(code);
    return;
  }
  expect.unreachable(`expected ${code}`);
}

function setup(over: Partial<GovernanceOptions> = {}) {
  const clock = createManualClock(Date.UTC(2026, 3, 1));
  const ids = sequentialIds();
  const notifier = createMemoryNotifier();
  const auditStore = createMemoryAuditStore();
  const audit = createAuditTrail({ store: auditStore, clock, ids });
  const applied: { taskId: string; key: string; attempt: number }[] = [];
  let failNext = 0;
  const record: Applier = async (task, ctx) => {
    applied.push({ taskId: task.id, key: ctx.idempotencyKey, attempt: ctx.attempt });
    if (failNext > 0) {
      failNext -= 1;
      throw new Error('downstream unavailable');
    }
    return { done: task.id };
  };
  const gov = createGovernance({
    policies: [
      exportPolicy,
      {
        kind: 'merge',
        approvals: [{ count: 1, role: 'steward' }],
        requireReason: { request: false, approve: true },
      },
      { kind: 'policy_change', approvals: [{ count: 1, role: 'gov-admin' }] },
      { kind: 'install', approvals: [{ count: 1, group: 'platform' }], evidenceRequired: true },
    ],
    appliers: { export: record, merge: record, install: record },
    clock,
    ids,
    notifier,
    audit,
    groups: (a) => (a.userId === 'pat' ? ['platform'] : []),
    ...over,
  });
  return {
    gov,
    clock,
    notifier,
    audit,
    auditStore,
    applied,
    failApplier(n = 1) {
      failNext = n;
    },
  };
}

const bigExport = { kind: 'export', payload: { dataset: 'cases', rows: 5000 }, reason: 'court order 17' };

async function approveAll(
  gov: ReturnType<typeof setup>['gov'],
  id: string,
  who: Actor[],
): Promise<ReviewTaskView> {
  let last: ReviewTaskView | undefined;
  for (const a of who) last = await gov.approve(a, id, { note: `ok by ${a.userId}` });
  if (!last) throw new Error('nobody approved');
  return last;
}

describe('request', () => {
  it('opens a pending task under the policy, notifies the reviewers and audits it', async () => {
    const { gov, notifier, clock } = setup();
    const t = await gov.request(alice, bigExport);
    expect(t).toMatchObject({
      state: 'pending',
      kind: 'export',
      requester: { userId: 'alice' },
      reason: 'court order 17',
      reviewers: ['role:steward', 'role:legal'],
      excluded: ['alice'],
      policyVersion: 1,
      dueAt: new Date(clock.now() + HOUR).toISOString(),
      expiresAt: new Date(clock.now() + 4 * HOUR).toISOString(),
      overdue: false,
      autoApproved: false,
      quorum: { met: false, approvals: 0, denials: 0 },
    });
    expect(notifier.sent).toMatchObject([
      { type: 'task.created', taskId: t.id, to: { selectors: ['role:steward', 'role:legal'] } },
    ]);
    const trail = await gov.auditTrail(t.id);
    expect(trail.events.map((e) => e.type)).toEqual(['review.requested']);
    expect(trail.verified).toBe(true);
  });

  it('decides and audits a request that needs no review, applying it once (never silently skipped)', async () => {
    const { gov, applied, notifier } = setup();
    const t = await gov.request(alice, {
      kind: 'export',
      payload: { dataset: 'cases', rows: 10 },
      reason: 'small',
    });
    expect(t.state).toBe('applied');
    expect(t.autoApproved).toBe(true);
    expect(t.decisions).toMatchObject([
      { outcome: 'approve', actor: null, note: 'no review needed by policy' },
    ]);
    expect(applied).toEqual([{ taskId: t.id, key: `review:${t.id}:apply`, attempt: 1 }]);
    const trail = await gov.auditTrail(t.id);
    expect(trail.events.map((e) => e.type)).toEqual([
      'review.requested',
      'review.auto_approved',
      'review.apply_started',
      'review.applied',
    ]);
    expect(trail.events[1]?.data).toMatchObject({ params: { maxRows: 100 } });
    expect(notifier.sent.map((n) => n.type)).toEqual(['task.decided', 'task.applied']);
  });

  it('validates input at the boundary', async () => {
    const { gov } = setup();
    await expectCode(gov.request(alice, { kind: 'nope', payload: {}, reason: 'x' }), 'INVALID_INPUT');
    await expectCode(gov.request(alice, { kind: 'export', payload: { rows: 1000 } }), 'INVALID_INPUT');
    await expectCode(gov.request({ userId: 'a b', orgId: 'acme', roles: [] }, bigExport), 'INVALID_INPUT');
    await expectCode(
      gov.request(alice, {
        ...bigExport,
        payload: JSON.parse('{"rows":1000,"x":{"__proto__":{"admin":true}}}'),
      }),
      'INVALID_INPUT',
    );
    await expectCode(
      gov.request(alice, { ...bigExport, payload: { blob: 'x'.repeat(300_000) } }),
      'PAYLOAD_TOO_LARGE',
    );
    await expectCode(gov.request(alice, { ...bigExport, extra: 1 } as never), 'INVALID_INPUT');
    await expectCode(
      gov.request(alice, { kind: 'install', payload: { plugin: 'p' }, reason: 'r' }),
      'INVALID_INPUT',
    );
    await expectCode(gov.approve(sam, '../etc', {}), 'INVALID_INPUT');
  });

  it('reads the payload once: a getter cannot pass the key check clean and hand zod a __proto__ key (hostile review)', async () => {
    const { gov } = setup();
    let reads = 0;
    const shifty = {
      ...bigExport,
      get payload() {
        reads += 1;
        return reads === 1 ? { rows: 1000 } : JSON.parse('{"rows":1000,"__proto__":{"admin":true}}');
      },
    };
    const t = await gov.request(alice, shifty);
    expect(reads).toBe(1);
    expect(t.payload).toEqual({ rows: 1000 });
    let nested = 0;
    const deep = {
      ...bigExport,
      payload: {
        rows: 1000,
        get x() {
          nested += 1;
          return nested === 1 ? {} : JSON.parse('{"__proto__":{"admin":true}}');
        },
      },
    };
    const d = await gov.request(alice, deep);
    expect(nested).toBe(1);
    expect(d.payload).toEqual({ rows: 1000, x: {} });
    // A Proxy payload is not plain data.
    await expectCode(
      gov.request(alice, { ...bigExport, payload: new Proxy({ rows: 1000 }, {}) }),
      'INVALID_INPUT',
    );
  });
});

describe('quorum and separation of duties', () => {
  it('applies exactly once when every rule is met (2 stewards AND 1 legal)', async () => {
    const { gov, applied, notifier } = setup();
    const t = await gov.request(alice, bigExport);
    const afterTwo = await approveAll(gov, t.id, [sam, sue]);
    expect(afterTwo.state).toBe('pending');
    expect(afterTwo.quorum.rules.map((r) => r.filled)).toEqual([2, 0]);
    const done = await gov.approve(lea, t.id, { note: 'legal ok' });
    expect(done.state).toBe('applied');
    expect(done.apply).toMatchObject({ status: 'succeeded', attempts: 1, result: { done: t.id } });
    expect(done.decisions.map((d) => [d.actor?.userId, d.outcome, d.note])).toEqual([
      ['sam', 'approve', 'ok by sam'],
      ['sue', 'approve', 'ok by sue'],
      ['lea', 'approve', 'legal ok'],
    ]);
    expect(applied).toHaveLength(1);
    expect(notifier.sent.filter((n) => n.type === 'task.decided')).toMatchObject([
      { to: { userIds: ['alice'] } },
    ]);
    const types = (await gov.auditTrail(t.id)).events.map((e) => e.type);
    expect(types).toEqual([
      'review.requested',
      'review.approval_recorded',
      'review.approval_recorded',
      'review.approval_recorded',
      'review.approved',
      'review.apply_started',
      'review.applied',
    ]);
  });

  it('never lets a requester decide their own request', async () => {
    const { gov } = setup();
    const t = await gov.request(sam, bigExport);
    await expectCode(gov.approve(sam, t.id), 'FORBIDDEN');
    await expectCode(gov.deny(sam, t.id, { reason: 'hmm' }), 'FORBIDDEN');
    // Another session of the same user id, with other roles, is the same person.
    await expectCode(gov.approve(actor('sam', ['legal', 'steward']), t.id), 'FORBIDDEN');
    expect((await gov.get(sam, t.id)).decisions).toEqual([]);
  });

  it('counts one reviewer once and rejects a second decision', async () => {
    const { gov } = setup();
    const t = await gov.request(alice, bigExport);
    const both = actor('bo', ['steward', 'legal']);
    await gov.approve(both, t.id);
    await expectCode(gov.approve(both, t.id), 'CONFLICT');
    await expectCode(gov.deny(both, t.id, { reason: 'changed my mind' }), 'CONFLICT');
    const v = await gov.approve(sam, t.id);
    expect(v.state).toBe('pending'); // bo fills one slot only: still 1 legal or 1 steward missing
    expect((await gov.approve(lea, t.id)).state).toBe('applied');
  });

  it("forbids ineligible reviewers; another org's task is NOT_FOUND, like a missing one", async () => {
    const { gov } = setup();
    const t = await gov.request(alice, bigExport);
    await expectCode(gov.approve(actor('ann', ['analyst']), t.id), 'FORBIDDEN');
    await expectCode(gov.approve(actor('sam', ['steward'], 'globex'), t.id), 'NOT_FOUND');
    await expectCode(gov.get(actor('sam', ['auditor'], 'globex'), t.id), 'NOT_FOUND');
    await expectCode(gov.get(actor('ann', ['analyst']), t.id), 'FORBIDDEN');
    await expectCode(gov.auditTrail(t.id, actor('x', ['auditor'], 'globex')), 'NOT_FOUND');
    await expectCode(gov.approve(sam, 'task_999999'), 'NOT_FOUND');
    expect((await gov.get(auditor, t.id)).id).toBe(t.id);
  });

  it('resolves group rules through the injected directory', async () => {
    const { gov } = setup();
    const ev = [{ name: 'scan.txt', mediaType: 'text/plain', content: 'no findings' }];
    const t = await gov.request(alice, {
      kind: 'install',
      payload: { plugin: 'p', scopes: ['graph:write'] },
      reason: 'r',
      evidence: ev,
    });
    await expectCode(gov.approve(actor('max', ['platform']), t.id), 'FORBIDDEN'); // a role, not the group
    expect((await gov.approve(actor('pat'), t.id)).state).toBe('applied');
  });

  it('requires a denial reason, and an approval note when the policy says so', async () => {
    const { gov } = setup();
    const t = await gov.request(alice, { kind: 'merge', payload: { a: 1, b: 2 } });
    await expectCode(gov.deny(sam, t.id, { reason: '' }), 'INVALID_INPUT');
    await expectCode(gov.deny(sam, t.id, { reason: '   ' }), 'INVALID_INPUT');
    await expectCode(gov.deny(sam, t.id, {} as never), 'INVALID_INPUT');
    await expectCode(gov.approve(sam, t.id, {}), 'INVALID_INPUT');
    expect((await gov.get(sam, t.id)).decisions).toEqual([]);
    expect((await gov.approve(sam, t.id, { note: 'same entity' })).state).toBe('applied');
  });
});

describe('state machine', () => {
  type Action = 'approve' | 'deny' | 'appeal' | 'withdraw' | 'retry';
  async function inState(state: string) {
    const h = setup();
    const { gov } = h;
    const t = await gov.request(alice, bigExport);
    if (state === 'approved') {
      h.failApplier();
      await approveAll(gov, t.id, [sam, sue, lea]);
    } else if (state === 'applied') await approveAll(gov, t.id, [sam, sue, lea]);
    else if (state === 'denied') await gov.deny(lea, t.id, { reason: 'no legal basis' });
    else if (state === 'appealed') {
      await gov.deny(lea, t.id, { reason: 'no legal basis' });
      await gov.appeal(alice, t.id, { reason: 'new evidence' });
    } else if (state === 'expired') {
      h.clock.advance(4 * HOUR);
      await gov.tick();
    } else if (state === 'withdrawn') await gov.withdraw(alice, t.id);
    expect((await gov.get(alice, t.id)).state).toBe(state);
    return { ...h, id: t.id };
  }
  const act = (h: Awaited<ReturnType<typeof inState>>, a: Action) => {
    if (a === 'approve') return h.gov.approve(stan, h.id);
    if (a === 'deny') return h.gov.deny(larry, h.id, { reason: 'no' });
    if (a === 'appeal') return h.gov.appeal(alice, h.id, { reason: 'please' });
    if (a === 'withdraw') return h.gov.withdraw(alice, h.id);
    return h.gov.retryApply(alice, h.id);
  };
  // [state, action, expected state of the task afterwards | error code]
  const table: [string, Action, string][] = [
    ['pending', 'approve', 'pending'],
    ['pending', 'deny', 'denied'],
    ['pending', 'appeal', 'INVALID_TRANSITION'],
    ['pending', 'withdraw', 'withdrawn'],
    ['pending', 'retry', 'INVALID_TRANSITION'],
    ['approved', 'approve', 'INVALID_TRANSITION'],
    ['approved', 'deny', 'INVALID_TRANSITION'],
    ['approved', 'appeal', 'INVALID_TRANSITION'],
    ['approved', 'withdraw', 'INVALID_TRANSITION'],
    ['approved', 'retry', 'applied'],
    ['applied', 'approve', 'INVALID_TRANSITION'],
    ['applied', 'deny', 'INVALID_TRANSITION'],
    ['applied', 'appeal', 'INVALID_TRANSITION'],
    ['applied', 'withdraw', 'INVALID_TRANSITION'],
    ['applied', 'retry', 'INVALID_TRANSITION'],
    ['denied', 'approve', 'INVALID_TRANSITION'],
    ['denied', 'deny', 'INVALID_TRANSITION'],
    ['denied', 'appeal', 'appealed'],
    ['denied', 'withdraw', 'INVALID_TRANSITION'],
    ['denied', 'retry', 'INVALID_TRANSITION'],
    ['appealed', 'approve', 'INVALID_TRANSITION'],
    ['appealed', 'deny', 'INVALID_TRANSITION'],
    ['appealed', 'appeal', 'INVALID_TRANSITION'],
    ['appealed', 'withdraw', 'INVALID_TRANSITION'],
    ['appealed', 'retry', 'INVALID_TRANSITION'],
    ['expired', 'approve', 'INVALID_TRANSITION'],
    ['expired', 'deny', 'INVALID_TRANSITION'],
    ['expired', 'appeal', 'INVALID_TRANSITION'],
    ['expired', 'withdraw', 'INVALID_TRANSITION'],
    ['expired', 'retry', 'INVALID_TRANSITION'],
    ['withdrawn', 'approve', 'INVALID_TRANSITION'],
    ['withdrawn', 'deny', 'INVALID_TRANSITION'],
    ['withdrawn', 'appeal', 'INVALID_TRANSITION'],
    ['withdrawn', 'withdraw', 'INVALID_TRANSITION'],
    ['withdrawn', 'retry', 'INVALID_TRANSITION'],
  ];
  it.each(table)('%s + %s → %s', async (state, action, expected) => {
    const h = await inState(state);
    if (expected === 'INVALID_TRANSITION') {
      await expectCode(act(h, action), 'INVALID_TRANSITION');
      expect((await h.gov.get(alice, h.id)).state).toBe(state);
    } else {
      await act(h, action);
      expect((await h.gov.get(alice, h.id)).state).toBe(expected);
    }
  });

  it('lets only the requester withdraw', async () => {
    const { gov } = setup();
    const t = await gov.request(alice, bigExport);
    await expectCode(gov.withdraw(sam, t.id), 'FORBIDDEN');
    expect((await gov.withdraw(alice, t.id, { reason: 'not needed' })).state).toBe('withdrawn');
  });
});

describe('exactly-once apply', () => {
  it('applies once when many reviewers race to the quorum', async () => {
    const h = setup({
      policies: [{ kind: 'export', approvals: [{ count: 3, role: 'steward' }] }],
    });
    const t = await h.gov.request(alice, bigExport);
    const reviewers = Array.from({ length: 50 }, (_, i) => actor(`rev${i}`, ['steward']));
    const results = await Promise.allSettled(reviewers.map((r) => h.gov.approve(r, t.id)));
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const rejected = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(ok).toBe(3);
    expect(rejected.every((e) => isIntelGraphError(e, 'INVALID_TRANSITION'))).toBe(true);
    expect(h.applied).toHaveLength(1);
    const v = await h.gov.get(alice, t.id);
    expect(v.state).toBe('applied');
    expect(v.decisions).toHaveLength(3);
  });

  it('leaves a task approved with the error when the applier fails; a retry is safe', async () => {
    const h = setup();
    const t = await h.gov.request(alice, bigExport);
    h.failApplier();
    const v = await approveAll(h.gov, t.id, [sam, sue, lea]);
    expect(v.state).toBe('approved');
    expect(v.apply).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'INTERNAL', message: 'downstream unavailable' },
    });
    expect(h.notifier.sent.at(-1)?.type).toBe('task.apply_failed');
    await expectCode(h.gov.retryApply(actor('ann', ['analyst']), t.id), 'FORBIDDEN');
    const r = await h.gov.retryApply(sam, t.id);
    expect(r.state).toBe('applied');
    expect(r.apply).toMatchObject({ status: 'succeeded', attempts: 2, error: null });
    expect(h.applied.map((a) => [a.key, a.attempt])).toEqual([
      [`review:${t.id}:apply`, 1],
      [`review:${t.id}:apply`, 2],
    ]);
    await expectCode(h.gov.retryApply(sam, t.id), 'INVALID_TRANSITION');
    expect(h.applied).toHaveLength(2);
  });

  it('recovers an apply whose starter crashed after the quorum committed', async () => {
    const clock = createManualClock(Date.UTC(2026, 3, 1));
    const inner = createMemoryReviewStore();
    let crashOnClaim = true;
    const store: ReviewStore = {
      ...inner,
      update: (id, decide, o) =>
        inner.update(
          id,
          (s) => {
            const r = decide(s);
            if (crashOnClaim && r.change?.apply?.status === 'running') throw new Error('process died');
            return r;
          },
          o,
        ),
    };
    const applied: string[] = [];
    const policies = [
      definePolicy({
        kind: 'merge',
        approvals: [{ count: 1, role: 'steward' }],
        requireReason: { request: false, approve: false },
      }),
    ];
    const appliers = { merge: async (task: ReviewTaskView) => void applied.push(task.id) };
    const gov = createGovernance({ policies, appliers, store, clock, applyGraceMs: MIN });
    const t = await gov.request(alice, { kind: 'merge', payload: {} });
    await expect(gov.approve(sam, t.id)).rejects.toThrow('process died');
    expect((await gov.get(alice, t.id)).state).toBe('approved');
    crashOnClaim = false;
    expect(await gov.tick()).toMatchObject({ examined: 0 });
    clock.advance(MIN);
    expect(await gov.tick()).toMatchObject({ examined: 1, applied: 1 });
    expect((await gov.get(alice, t.id)).state).toBe('applied');
    expect(await gov.tick()).toMatchObject({ examined: 0 });
    expect(applied).toEqual([t.id]);
  });

  it('marks an apply whose claim ran out as failed (never re-runs it by itself)', async () => {
    const clock = createManualClock(Date.UTC(2026, 3, 1));
    const store = createMemoryReviewStore();
    const policies = [
      { kind: 'merge', approvals: [{ count: 1, role: 'steward' }], requireReason: { request: false } },
    ];
    let calls = 0;
    const hang = createGovernance({
      policies,
      appliers: { merge: () => new Promise(() => void calls++) },
      store,
      clock,
      applyLeaseMs: 5 * MIN,
    });
    const t = await hang.request(alice, { kind: 'merge', payload: {} });
    void hang.approve(sam, t.id); // the process running the applier never finishes
    await new Promise((r) => setImmediate(r));
    expect(calls).toBe(1);
    const other = createGovernance({
      policies,
      appliers: { merge: () => void calls++ },
      store,
      clock,
      applyLeaseMs: 5 * MIN,
    });
    await expectCode(other.retryApply(sam, t.id), 'CONFLICT');
    clock.advance(5 * MIN);
    expect(await other.tick()).toMatchObject({ staleFailed: 1, applied: 0 });
    const v = await other.get(alice, t.id);
    expect(v).toMatchObject({
      state: 'approved',
      apply: { status: 'failed', error: { code: 'UNAVAILABLE' } },
    });
    expect(calls).toBe(1);
    expect((await other.retryApply(sam, t.id)).state).toBe('applied');
    expect(calls).toBe(2);
  });
});

describe('SLA, escalation and expiry', () => {
  it('warns, flags overdue and escalates to backup approvers who can stand in', async () => {
    const { gov, clock, notifier } = setup();
    const t = await gov.request(alice, bigExport);
    await gov.approve(sam, t.id);
    await expectCode(gov.approve(cora, t.id), 'FORBIDDEN');
    clock.advance(49 * MIN);
    expect(await gov.tick()).toMatchObject({ examined: 0 });
    clock.advance(MIN);
    expect(await gov.tick()).toMatchObject({ warned: 1, escalated: 0 });
    expect(notifier.sent.at(-1)).toMatchObject({
      type: 'task.sla_warning',
      to: { selectors: ['role:steward', 'role:legal'] },
    });
    clock.advance(10 * MIN + 1);
    expect((await gov.get(alice, t.id)).overdue).toBe(true);
    expect(await gov.tick()).toMatchObject({ warned: 0, escalated: 1 });
    expect(notifier.sent.at(-1)).toMatchObject({ type: 'task.escalated', to: { selectors: ['role:ciso'] } });
    const v = await gov.get(alice, t.id);
    expect(v).toMatchObject({ escalationLevel: 1, reviewers: ['role:steward', 'role:legal', 'role:ciso'] });
    await gov.approve(cora, t.id, { note: 'as backup' }); // stands in for the missing steward
    clock.advance(30 * MIN);
    expect(await gov.tick()).toMatchObject({ escalated: 1 });
    expect((await gov.get(alice, t.id)).reviewers).toContain('user:cto');
    expect((await gov.approve(actor('cto'), t.id)).state).toBe('applied');
    const types = (await gov.auditTrail(t.id)).events.map((e) => e.type);
    expect(types.filter((x) => x === 'review.escalated')).toHaveLength(2);
    expect(types).toContain('review.sla_warning');
  });

  it('catches up on several missed deadlines in one tick', async () => {
    const { gov, clock } = setup();
    const t = await gov.request(alice, bigExport);
    clock.advance(HOUR + 30 * MIN);
    expect(await gov.tick()).toMatchObject({ examined: 1, warned: 1, escalated: 2 });
    expect((await gov.get(alice, t.id)).escalationLevel).toBe(2);
  });

  it('expires pending tasks, and refuses decisions after expiry even before the tick', async () => {
    const { gov, clock, notifier } = setup();
    const a = await gov.request(alice, bigExport);
    const b = await gov.request(alice, bigExport);
    clock.advance(4 * HOUR);
    await expectCode(gov.approve(sam, a.id), 'INVALID_TRANSITION');
    expect((await gov.get(alice, a.id)).state).toBe('expired');
    expect(await gov.tick()).toMatchObject({ expired: 1 });
    expect((await gov.get(alice, b.id)).state).toBe('expired');
    expect(notifier.sent.filter((n) => n.type === 'task.decided').map((n) => n.to.userIds)).toEqual([
      ['alice'],
      ['alice'],
    ]);
    expect(await gov.tick()).toMatchObject({ examined: 0 });
  });
});

describe('appeal', () => {
  it('opens a linked appeal task that the original deniers cannot decide', async () => {
    const { gov, notifier, applied } = setup();
    const t = await gov.request(alice, bigExport);
    await gov.approve(sam, t.id);
    const denied = await gov.deny(lea, t.id, { reason: 'no legal basis' });
    expect(denied).toMatchObject({
      state: 'denied',
      decisions: [{ outcome: 'approve' }, { outcome: 'deny', note: 'no legal basis' }],
    });
    await expectCode(gov.appeal(sam, t.id, { reason: 'x' }), 'FORBIDDEN');
    await expectCode(gov.appeal(alice, t.id, { reason: '' }), 'INVALID_INPUT');
    const appeal = await gov.appeal(alice, t.id, {
      reason: 'court order attached',
      evidence: [{ name: 'order.pdf', mediaType: 'application/pdf', content: 'PDF-1.7…' }],
    });
    expect(appeal).toMatchObject({
      state: 'pending',
      appealOf: t.id,
      appealDepth: 1,
      excluded: ['alice', 'lea'],
      decisions: [],
    });
    expect(appeal.evidence.map((e) => e.name)).toEqual(['order.pdf']);
    expect(await gov.get(alice, t.id)).toMatchObject({ state: 'appealed', appealTaskId: appeal.id });
    expect(notifier.sent.at(-1)).toMatchObject({ type: 'task.appealed', taskId: appeal.id });
    await expectCode(gov.approve(lea, appeal.id), 'FORBIDDEN');
    await expectCode(gov.deny(lea, appeal.id, { reason: 'still no' }), 'FORBIDDEN');
    const done = await approveAll(gov, appeal.id, [sam, sue, larry]);
    expect(done.state).toBe('applied');
    expect(applied.map((a) => a.taskId)).toEqual([appeal.id]);
    await expectCode(gov.appeal(alice, t.id, { reason: 'again' }), 'INVALID_TRANSITION');
    const parentTrail = (await gov.auditTrail(t.id)).events.map((e) => e.type);
    expect(parentTrail).toEqual([
      'review.requested',
      'review.approval_recorded',
      'review.denial_recorded',
      'review.denied',
      'review.appealed',
    ]);
    expect((await gov.auditTrail(appeal.id)).events[0]).toMatchObject({
      type: 'review.appeal_opened',
      data: { appealOf: t.id },
    });
  });

  it('limits the depth of appeals and honours the appeal window and quorum', async () => {
    const { gov, clock } = setup({
      policies: [
        {
          kind: 'export',
          approvals: [{ count: 1, role: 'steward' }],
          appeal: { windowMs: HOUR, approvals: [{ count: 1, role: 'legal' }] },
        },
      ],
    });
    const t = await gov.request(alice, bigExport);
    await gov.deny(sam, t.id, { reason: 'no' });
    const appeal = await gov.appeal(alice, t.id, { reason: 'please' });
    expect(appeal.reviewers).toEqual(['role:legal']);
    await expectCode(gov.approve(sue, appeal.id), 'FORBIDDEN');
    await gov.deny(lea, appeal.id, { reason: 'no again' });
    await expectCode(gov.appeal(alice, appeal.id, { reason: 'once more' }), 'INVALID_TRANSITION');

    const late = await gov.request(alice, bigExport);
    await gov.deny(sam, late.id, { reason: 'no' });
    clock.advance(HOUR + 1);
    await expectCode(gov.appeal(alice, late.id, { reason: 'late' }), 'INVALID_TRANSITION');
  });
});

describe('notifications', () => {
  it('never loses a decision when delivery fails, and audits the failure', async () => {
    const { gov } = setup({
      notifier: {
        async notify() {
          throw new Error('smtp down');
        },
      },
    });
    const t = await gov.request(alice, { kind: 'merge', payload: { a: 1 } });
    const v = await gov.approve(sam, t.id, { note: 'fine' });
    expect(v.state).toBe('applied');
    const events = (await gov.auditTrail(t.id)).events;
    const failures = events.filter((e) => e.type === 'review.notification_failed');
    expect(failures.map((e) => (e.data as { notification: string }).notification)).toEqual([
      'task.created',
      'task.decided',
      'task.applied',
    ]);
    expect(failures[0]?.data).toMatchObject({ error: { code: 'UNAVAILABLE', message: 'smtp down' } });
  });
});

describe('evidence', () => {
  it('is content-addressed, size-limited, and its hashes are in the audit trail', async () => {
    const { gov } = setup({ evidenceMaxBytes: 1024 });
    const content = 'ticket INC-42: approved by the data owner';
    const t = await gov.request(alice, {
      ...bigExport,
      evidence: [
        { name: 'ticket.txt', mediaType: 'text/plain', content },
        {
          name: 'same.txt',
          mediaType: 'Text/Plain',
          content: Buffer.from(content).toString('base64'),
          encoding: 'base64',
        },
      ],
    });
    const sha = sha256Hex(content);
    expect(t.evidence).toEqual([
      { sha256: sha, name: 'ticket.txt', mediaType: 'text/plain', size: content.length },
      { sha256: sha, name: 'same.txt', mediaType: 'text/plain', size: content.length },
    ]);
    const got = await gov.evidence(sam, t.id, sha);
    expect(Buffer.from(got.bytes).toString('utf8')).toBe(content);
    await expectCode(gov.evidence(actor('ann', ['analyst']), t.id, sha), 'FORBIDDEN');
    await expectCode(gov.evidence(sam, t.id, 'a'.repeat(64)), 'NOT_FOUND');
    const trail = await gov.auditTrail(t.id);
    expect(trail.events[0]?.data).toMatchObject({ evidence: [{ sha256: sha }, { sha256: sha }] });
    const note = await gov.approve(sam, t.id, {
      evidence: [{ name: 'check.json', mediaType: 'application/json', content: '{"ok":true}' }],
    });
    expect(note.decisions[0]?.evidence[0]?.sha256).toBe(sha256Hex('{"ok":true}'));
    await expectCode(
      gov.request(alice, {
        ...bigExport,
        evidence: [{ name: 'big.bin', mediaType: 'application/octet-stream', content: new Uint8Array(1025) }],
      }),
      'PAYLOAD_TOO_LARGE',
    );
    await expectCode(
      gov.request(alice, {
        ...bigExport,
        evidence: [{ name: '../x', mediaType: 'text/plain', content: 'x' }],
      }),
      'INVALID_INPUT',
    );
    await expectCode(
      gov.request(alice, { ...bigExport, evidence: [{ name: 'x', mediaType: 'nonsense', content: 'x' }] }),
      'INVALID_INPUT',
    );
  });
});

describe('queues', () => {
  it('lists by eligibility, kind, state and due date, with cursor pagination and an overdue flag', async () => {
    const { gov, clock } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await gov.request(alice, bigExport)).id);
      clock.advance(MIN);
    }
    const merge = await gov.request(sam, { kind: 'merge', payload: { a: 1 } });
    await gov.approve(sue, ids[0] ?? '');
    // sue already decided ids[0]; sam requested the merge himself.
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await gov.queue(sue, { limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((x) => x.id));
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor);
    expect(seen).toEqual([...ids.slice(1), merge.id]);
    expect(pages).toBe(3);
    expect((await gov.queue(sam)).items.map((x) => x.id)).toEqual(ids);
    expect((await gov.queue(sam, { kinds: ['merge'] })).items).toEqual([]);
    expect((await gov.queue(lea, { kinds: ['merge'] })).items).toEqual([]);
    expect((await gov.queue(alice)).items).toEqual([]);
    expect((await gov.queue(alice, { scope: 'requested' })).items.map((x) => x.id)).toEqual(ids);
    await expectCode(gov.queue(alice, { scope: 'org' }), 'FORBIDDEN');
    expect((await gov.queue(auditor, { scope: 'org' })).items).toHaveLength(6);
    const due = new Date(Date.UTC(2026, 3, 1) + HOUR + MIN).toISOString();
    expect((await gov.queue(sam, { dueBefore: due })).items.map((x) => x.id)).toEqual(ids.slice(0, 2));
    clock.set(Date.UTC(2026, 3, 1) + HOUR + 2 * MIN + 1);
    const overdue = await gov.queue(sam, { overdue: true });
    expect(overdue.items.map((x) => [x.id, x.overdue])).toEqual([
      [ids[0], true],
      [ids[1], true],
      [ids[2], true],
    ]);
    await expectCode(gov.queue(sam, { cursor: 'garbage!' }), 'INVALID_INPUT');
    await expectCode(gov.queue(sam, { limit: 10_000 }), 'INVALID_INPUT');
  });
});

describe('audit trail', () => {
  it('detects tampering with the chain', async () => {
    const inner = createMemoryAuditStore();
    const tampered: AuditStore = {
      ...inner,
      async list(q) {
        const events = await inner.list(q);
        return events.map((e: AuditEvent) =>
          e.type === 'review.denied' ? { ...e, data: { reason: 'edited later' } } : e,
        );
      },
    };
    const { gov } = setup({ audit: createAuditTrail({ store: tampered }) });
    const t = await gov.request(alice, bigExport);
    expect((await gov.auditTrail(t.id)).verified).toBe(true);
    await gov.deny(lea, t.id, { reason: 'no' });
    const trail = await gov.auditTrail(t.id);
    expect(trail.verified).toBe(false);
    expect(trail.verification).toMatchObject({ ok: false, reason: 'hash_mismatch' });
  });
});

describe('policy changes are governed requests', () => {
  it('changes a policy only after approval, per org, without touching tasks already open', async () => {
    const { gov, audit } = setup();
    const open = await gov.request(alice, { kind: 'export', payload: { rows: 500 }, reason: 'r' });
    const change = await gov.request(alice, {
      kind: 'policy_change',
      payload: { kind: 'export', params: { maxRows: 1000 } },
      reason: 'raise the threshold',
    });
    expect(change.state).toBe('pending');
    expect((await gov.policy(alice, 'export')).policy.params.maxRows).toBe(100);
    const done = await gov.approve(gail, change.id, { note: 'agreed' });
    expect(done).toMatchObject({ state: 'applied', apply: { result: { kind: 'export', version: 2 } } });
    expect(await gov.policy(alice, 'export')).toMatchObject({
      version: 2,
      policy: { params: { maxRows: 1000 } },
    });
    expect((await gov.policy(actor('x', [], 'globex'), 'export')).version).toBe(1);
    const small = await gov.request(alice, { kind: 'export', payload: { rows: 500 }, reason: 'r' });
    expect(small).toMatchObject({ state: 'applied', policyVersion: 2 });
    expect((await gov.get(alice, open.id)).state).toBe('pending');
    const changes = await audit.list({ type: 'policy.changed' });
    expect(changes).toMatchObject([
      { subject: 'policy:export', data: { taskId: change.id, version: 2, previousVersion: 1 } },
    ]);
  });

  it('rejects an invalid change when it is requested', async () => {
    const { gov } = setup();
    const bad = (payload: unknown) => gov.request(alice, { kind: 'policy_change', payload, reason: 'r' });
    await expectCode(bad({ kind: 'export', policy: { kind: 'export', approvals: [] } }), 'INVALID_INPUT');
    await expectCode(
      bad({ kind: 'export', policy: { kind: 'merge', approvals: [{ count: 1, role: 'a' }] } }),
      'INVALID_INPUT',
    );
    await expectCode(bad({ kind: 'nope', params: { a: 1 } }), 'INVALID_INPUT');
    await expectCode(bad({ kind: 'export' }), 'INVALID_INPUT');
    const replace = await bad({
      kind: 'merge',
      policy: { kind: 'merge', approvals: [{ count: 2, role: 'steward' }] },
    });
    await gov.approve(gail, replace.id);
    expect((await gov.policy(alice, 'merge')).policy.approvals).toEqual([{ count: 2, role: 'steward' }]);
  });
});

describe('policy change params', () => {
  it('rejects unknown or mistyped params with INVALID_INPUT and writes nothing', async () => {
    const { gov, audit, notifier } = setup();
    const before = await audit.list({});
    for (const params of [{ maxRowz: 5 }, { maxRows: 5, other: 1 }, { maxRows: '5' }, { nope: null }]) {
      try {
        await gov.request(alice, { kind: 'policy_change', payload: { kind: 'export', params }, reason: 'r' });
        expect.unreachable(`accepted ${JSON.stringify(params)}`);
      } catch (e) {
        expect(isIntelGraphError(e, 'INVALID_INPUT')).toBe(true);
        if (!isIntelGraphError(e)) throw e;
        if (!('maxRows' in params && typeof params.maxRows === 'string')) {
          expect(e.message).toMatch(/has no params? (maxRowz|other|nope); allowed: maxRows$/);
          expect(e.details).toMatchObject({ allowed: ['maxRows'] });
        } else expect(e.message).toContain('param maxRows must be a number');
      }
    }
    expect(await audit.list({})).toEqual(before);
    expect(notifier.sent).toEqual([]);
    expect((await gov.queue(gail)).items).toEqual([]);
    expect((await gov.queue(alice, { scope: 'requested' })).items).toEqual([]);
  });

  it('rejects a change that became invalid before it applied (the policy lost the param)', async () => {
    const { gov } = setup();
    const change = await gov.request(alice, {
      kind: 'policy_change',
      payload: { kind: 'export', params: { maxRows: 10 } },
      reason: 'r',
    });
    const replace = await gov.request(alice, {
      kind: 'policy_change',
      payload: { kind: 'export', policy: { ...exportPolicy, params: { maxRecords: 10 } } },
      reason: 'rename the param',
    });
    expect((await gov.approve(gail, replace.id)).state).toBe('applied');
    const failed = await gov.approve(gail, change.id);
    expect(failed).toMatchObject({ state: 'approved', apply: { error: { code: 'INVALID_INPUT' } } });
    expect((await gov.policy(alice, 'export')).policy.params).toEqual({ maxRecords: 10 });
  });
});

describe('createGovernance', () => {
  it('rejects duplicate policies and kinds without an applier', () => {
    const p = { kind: 'export', approvals: [{ count: 1, role: 'a' }] };
    expect(() => createGovernance({ policies: [p, p], appliers: { export: () => null } })).toThrow(
      /two policies/,
    );
    expect(() => createGovernance({ policies: [p], appliers: {} })).toThrow(/no applier/);
    try {
      createGovernance({ policies: [{ kind: 'x', approvals: [] }], appliers: { x: () => null } });
      expect.unreachable();
    } catch (e) {
      expect(isIntelGraphError(e, 'INVALID_INPUT') && e.details.issues).toMatchObject([
        { path: ['policies', 0, 'approvals'] },
      ]);
    }
  });
});

describe('the authorizer (governance.audit)', () => {
  it("an override moves the org-wide view to another role; approvers stay the policy's", async () => {
    const h = setup({ authorizer: createAuthorizer({ roles: { 'governance.audit': ['compliance'] } }) });
    const t = await h.gov.request(alice, bigExport);
    const carl = actor('carl', ['compliance']);
    // The default auditor roles no longer count.
    await expect(h.gov.queue(auditor, { scope: 'org' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { permission: 'governance.audit', roles: ['compliance'] },
    });
    await expectCode(h.gov.get(auditor, t.id), 'FORBIDDEN');
    await expectCode(h.gov.get(actor('ada', ['admin']), t.id), 'FORBIDDEN');
    await expectCode(h.gov.auditTrail(t.id, auditor), 'FORBIDDEN');
    // The new role sees every task of its org and any task's audit trail...
    expect((await h.gov.queue(carl, { scope: 'org' })).items.map((x) => x.id)).toEqual([t.id]);
    expect((await h.gov.get(carl, t.id)).id).toBe(t.id);
    expect((await h.gov.auditTrail(t.id, carl)).events.length).toBeGreaterThan(0);
    // ...but seeing is not approving: the policy chooses the approvers.
    await expectCode(h.gov.approve(carl, t.id), 'FORBIDDEN');
    // It may retry a failed apply, as the requester and the reviewers may.
    h.failApplier();
    expect((await approveAll(h.gov, t.id, [sam, sue, lea])).state).toBe('approved');
    await expectCode(h.gov.retryApply(auditor, t.id), 'FORBIDDEN');
    expect((await h.gov.retryApply(carl, t.id)).state).toBe('applied');
    // Org scoping still holds: the role in another org sees nothing of this one.
    await expectCode(h.gov.get(actor('carl', ['compliance'], 'globex'), t.id), 'NOT_FOUND');
    expect((await h.gov.queue(actor('cleo', ['compliance'], 'globex'), { scope: 'org' })).items).toEqual([]);
  });

  it("is not a platform permission: with platformOrgs set, a tenant org's auditor still sees its own org", async () => {
    const { gov } = setup({ authorizer: createAuthorizer({ platformOrgs: ['intelgraph'] }) });
    const t = await gov.request(alice, bigExport);
    expect((await gov.queue(auditor, { scope: 'org' })).items.map((x) => x.id)).toEqual([t.id]);
    expect((await gov.get(auditor, t.id)).id).toBe(t.id);
  });
});

describe('owned kinds', () => {
  it('refuses a request of an owned kind without the owner token, and writes nothing', async () => {
    const owner = createGovernanceOwner('host');
    const { gov, applied, auditStore } = setup({ ownedKinds: { kinds: ['export'], owner } });
    const before = (await auditStore.head())?.seq ?? 0;
    // Under the auto-approve threshold: without the guard this would be approved and applied at once.
    const small = { kind: 'export', payload: { rows: 1 }, reason: 'sneaky' };
    await expectCode(gov.request(alice, small), 'FORBIDDEN');
    await expectCode(gov.request(alice, small, { owner: createGovernanceOwner('host') }), 'FORBIDDEN');
    expect(applied).toEqual([]);
    expect((await auditStore.head())?.seq ?? 0).toBe(before);
    expect((await gov.queue(auditor, { scope: 'org' })).items).toEqual([]);
    const t = await gov.request(alice, small, { owner });
    expect(t.state).toBe('applied');
    // Kinds nobody owns stay open to every caller.
    expect((await gov.request(alice, { kind: 'merge', payload: { a: 1 } })).state).toBe('pending');
  });
});

describe('identities compare normalised (RFC-033)', () => {
  const mixed = (userId: string, roles: string[]) => actor(userId, roles);

  it('a requester cannot approve their own request under another spelling', async () => {
    const { gov, applied } = setup({
      policies: [definePolicy({ kind: 'merge', approvals: [{ count: 1, role: 'steward' }] })],
      appliers: { merge: async () => null },
    });
    const bob = mixed('bob', ['steward']);
    const t = await gov.request(bob, { kind: 'merge', payload: { a: 1 }, reason: 'dupes' });
    for (const spelling of ['BOB', 'Bob', 'bOB'])
      await expectCode(gov.approve(mixed(spelling, ['steward']), t.id), 'FORBIDDEN');
    expect((await gov.get(bob, t.id)).state).toBe('pending');
    expect(applied).toEqual([]);
  });

  it('one reviewer counts once towards a quorum, whatever the spelling', async () => {
    const { gov, applied } = setup();
    const t = await gov.request(alice, bigExport);
    await gov.approve(sam, t.id, { note: 'ok' });
    await expectCode(gov.approve(mixed('SAM', ['steward']), t.id, { note: 'again' }), 'CONFLICT');
    await gov.approve(lea, t.id);
    expect((await gov.get(alice, t.id)).state).toBe('pending');
    expect(applied).toEqual([]);
  });

  it('a denier cannot decide the appeal, and only the requester (any spelling) may appeal', async () => {
    const { gov } = setup();
    const t = await gov.request(alice, bigExport);
    await gov.deny(sam, t.id, { reason: 'no' });
    await expectCode(gov.appeal(mixed('sam', ['analyst']), t.id, { reason: 'mine?' }), 'FORBIDDEN');
    const appeal = await gov.appeal(mixed('ALICE', ['analyst']), t.id, { reason: 'court order attached' });
    await expectCode(gov.approve(mixed('Sam', ['steward']), appeal.id, { note: 'ok' }), 'FORBIDDEN');
    expect(appeal.requester.userId).toBe('alice');
  });

  it('named-user selectors match any spelling of the user, and count distinct users', async () => {
    const { gov } = setup({
      policies: [definePolicy({ kind: 'merge', approvals: [{ count: 1, userIds: ['Pat.Lee'] }] })],
      appliers: { merge: async () => 'merged' },
    });
    const t = await gov.request(alice, { kind: 'merge', payload: { a: 1 }, reason: 'dupes' });
    expect((await gov.approve(mixed('pat.lee', []), t.id)).state).toBe('applied');
    expect(() => definePolicy({ kind: 'merge', approvals: [{ count: 2, userIds: ['bob', 'BOB'] }] })).toThrow(
      /distinct/,
    );
  });
});
