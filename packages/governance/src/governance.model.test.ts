// Model-based test: random sequences of request, approve, deny, appeal, withdraw, retry, time passing and
// ticks by random actors, checked step by step against a deliberately simple reference model.
import { type Actor, createManualClock, isIntelGraphError, sequentialIds } from '@intelgraph/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createGovernance } from './governance.js';

const HOUR = 3_600_000;
const ROLES: string[][] = [['steward'], ['steward'], ['legal'], ['steward', 'legal'], [], ['steward']];
const ACTORS: Actor[] = ROLES.map((roles, i) => ({ userId: `u${i}`, orgId: 'acme', roles }));

type Op =
  | { op: 'request'; who: number }
  | { op: 'approve' | 'deny' | 'appeal' | 'withdraw'; who: number; task: number; fails: boolean }
  | { op: 'retry'; who: number; task: number; fails: boolean }
  | { op: 'advance'; ms: number }
  | { op: 'tick' };

interface ModelTask {
  id: string;
  requester: number;
  state: string;
  approvals: number[];
  denials: number[];
  excluded: Set<number>;
  depth: number;
  expiresAt: number;
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant('request' as const), who: fc.nat(5) }) },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constantFrom('approve' as const, 'deny' as const, 'appeal' as const, 'withdraw' as const),
      who: fc.nat(5),
      task: fc.nat(20),
      fails: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('retry' as const),
      who: fc.nat(5),
      task: fc.nat(20),
      fails: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: HOUR }) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('tick' as const) }) },
);

function quorumMet(approvers: number[]): boolean {
  const roles = approvers.map((a) => ROLES[a] ?? []);
  const both = roles.filter((r) => r.includes('steward') && r.includes('legal')).length;
  const s = roles.filter((r) => r.includes('steward') && !r.includes('legal')).length;
  const l = roles.filter((r) => r.includes('legal') && !r.includes('steward')).length;
  return s + both >= 2 && l + both >= 1 && Math.min(s, 2) + Math.min(l, 1) + both >= 3;
}

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (isIntelGraphError(e)) return e.code;
    throw e;
  }
}

describe('governance model', () => {
  it('matches the reference model; nothing applies twice or without quorum', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops) => {
        const clock = createManualClock(Date.UTC(2026, 3, 1));
        const calls = new Map<string, { attempts: number; successes: number }>();
        let failNext = false;
        const gov = createGovernance({
          policies: [
            {
              kind: 'export',
              approvals: [
                { count: 2, role: 'steward' },
                { count: 1, role: 'legal' },
              ],
              denyThreshold: 2,
              expiresAfterMs: HOUR,
              requireReason: { request: false },
            },
          ],
          appliers: {
            export: (task) => {
              const c = calls.get(task.id) ?? { attempts: 0, successes: 0 };
              c.attempts += 1;
              calls.set(task.id, c);
              if (failNext) throw new Error('applier failed');
              c.successes += 1;
            },
          },
          clock,
          ids: sequentialIds(),
        });
        const model: ModelTask[] = [];
        const expireIfDue = (t: ModelTask) => {
          if (t.state === 'pending' && clock.now() >= t.expiresAt) t.state = 'expired';
        };
        const decided = (t: ModelTask, who: number) => t.approvals.includes(who) || t.denials.includes(who);

        for (const op of ops) {
          if (op.op === 'advance') {
            clock.advance(op.ms);
            continue;
          }
          if (op.op === 'tick') {
            await gov.tick();
            for (const t of model) expireIfDue(t);
            continue;
          }
          const actor = ACTORS[op.who] as Actor;
          if (op.op === 'request') {
            const v = await gov.request(actor, { kind: 'export', payload: { n: model.length } });
            model.push({
              id: v.id,
              requester: op.who,
              state: 'pending',
              approvals: [],
              denials: [],
              excluded: new Set([op.who]),
              depth: 0,
              expiresAt: clock.now() + HOUR,
            });
            continue;
          }
          const t = model[op.task % Math.max(model.length, 1)];
          if (!t) continue;
          failNext = op.fails;
          let expected: string;
          if (op.op === 'approve' || op.op === 'deny') {
            expireIfDue(t);
            const eligible = (ROLES[op.who] ?? []).some((r) => r === 'steward' || r === 'legal');
            if (t.state !== 'pending') expected = 'INVALID_TRANSITION';
            else if (op.who === t.requester || t.excluded.has(op.who) || !eligible) expected = 'FORBIDDEN';
            else if (decided(t, op.who)) expected = 'CONFLICT';
            else {
              expected = 'ok';
              if (op.op === 'approve') {
                t.approvals.push(op.who);
                if (quorumMet(t.approvals)) t.state = op.fails ? 'approved' : 'applied';
              } else {
                t.denials.push(op.who);
                if (t.denials.length >= 2) t.state = 'denied';
              }
            }
            const got = await outcome(
              op.op === 'approve' ? gov.approve(actor, t.id) : gov.deny(actor, t.id, { reason: 'no' }),
            );
            expect(got).toBe(expected);
          } else if (op.op === 'withdraw') {
            if (op.who !== t.requester) expected = 'FORBIDDEN';
            else {
              expireIfDue(t);
              expected = t.state === 'pending' ? 'ok' : 'INVALID_TRANSITION';
              if (expected === 'ok') t.state = 'withdrawn';
            }
            expect(await outcome(gov.withdraw(actor, t.id))).toBe(expected);
          } else if (op.op === 'appeal') {
            if (op.who !== t.requester) expected = 'FORBIDDEN';
            else if (t.state !== 'denied' || t.depth >= 1) expected = 'INVALID_TRANSITION';
            else expected = 'ok';
            const r = gov.appeal(actor, t.id, { reason: 'please' });
            expect(await outcome(r)).toBe(expected);
            if (expected === 'ok') {
              t.state = 'appealed';
              const v = await r;
              model.push({
                id: v.id,
                requester: t.requester,
                state: 'pending',
                approvals: [],
                denials: [],
                excluded: new Set([...t.excluded, ...t.denials]),
                depth: t.depth + 1,
                expiresAt: clock.now() + HOUR,
              });
            }
          } else {
            if (op.who !== t.requester && !decided(t, op.who)) expected = 'FORBIDDEN';
            else if (t.state !== 'approved') expected = 'INVALID_TRANSITION';
            else {
              expected = 'ok';
              if (!op.fails) t.state = 'applied';
            }
            expect(await outcome(gov.retryApply(actor, t.id))).toBe(expected);
          }
          for (const m of model) {
            const real = await gov.get(ACTORS[m.requester] as Actor, m.id);
            expect(real.state).toBe(m.state);
          }
        }
        for (const m of model) {
          const c = calls.get(m.id);
          // Never applied twice, never applied (nor even attempted) without quorum.
          expect(c?.successes ?? 0).toBe(m.state === 'applied' ? 1 : 0);
          if (c) expect(quorumMet(m.approvals)).toBe(true);
        }
        for (const id of calls.keys()) expect(model.some((m) => m.id === id)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
