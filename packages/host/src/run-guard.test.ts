import { createManualClock, IntelGraphError } from '@intelgraph/core';
import { describe, expect, it } from 'vitest';
import { createRunGuards } from './run-guard.js';

function setup(recheckMs = 100) {
  const clock = createManualClock(0);
  const state = { reads: 0, scopes: ['graph:read'] as string[], fail: null as IntelGraphError | null };
  const guards = createRunGuards({
    clock,
    recheckMs,
    validate: async () => {
      state.reads += 1;
      if (state.fail) throw state.fail;
      return state.scopes;
    },
  });
  const begin = (plugin = 'p', org = 'acme') =>
    guards.begin({ org, plugin, scopes: ['graph:read'], generation: guards.generation() });
  return { clock, state, guards, begin };
}

describe('run guards', () => {
  it('costs no read per call while nothing changed and the view is fresh', async () => {
    const { state, begin } = setup();
    const guard = begin();
    for (let i = 0; i < 1000; i++) expect(guard.check()).toBeUndefined();
    expect(state.reads).toBe(0);
    expect(await guard.settle()).toBeNull();
    guard.end();
  });

  it('re-checks once per plugin and org after a change, shared by every run in flight', async () => {
    const { state, guards, begin } = setup();
    const runs = Array.from({ length: 10 }, () => begin());
    const other = begin('q');
    await guards.invalidate({ org: 'acme', plugin: 'p' });
    expect(state.reads).toBe(1);
    for (const r of runs) await r.check();
    expect(state.reads).toBe(1);
    // The unrelated plugin re-checks on its next call too (the generation moved), once.
    await other.check();
    await other.check();
    expect(state.reads).toBe(2);
    for (const r of [...runs, other]) expect(r.signal.aborted).toBe(false);
  });

  it('re-checks when the view is older than recheckMs (changes made by other hosts)', async () => {
    const { clock, state, begin } = setup(100);
    const guard = begin();
    clock.advance(99);
    guard.check();
    expect(state.reads).toBe(0);
    clock.advance(1);
    await guard.check();
    expect(state.reads).toBe(1);
    expect(guard.check()).toBeUndefined();
  });

  it('stops a run whose kill switch is engaged, with that error, and refuses every later call', async () => {
    const { state, guards, begin } = setup();
    const guard = begin();
    state.fail = new IntelGraphError('KILL_SWITCH', 'stopped');
    await guards.invalidate({ plugin: 'p' });
    expect(guard.signal.aborted).toBe(true);
    expect(() => guard.check()).toThrow(expect.objectContaining({ code: 'KILL_SWITCH' }));
    expect(await guard.settle()).toMatchObject({ code: 'KILL_SWITCH' });
  });

  it('stops a run whose installation is gone or whose grants no longer cover it', async () => {
    const { state, guards, begin } = setup();
    const gone = begin();
    state.fail = new IntelGraphError('NOT_FOUND', 'p is not installed in acme');
    await guards.invalidate({ org: 'acme' });
    expect(gone.signal.reason).toMatchObject({
      code: 'CAPABILITY_DENIED',
      details: { reason: 'installation_changed', cause: 'NOT_FOUND' },
    });
    state.fail = null;
    state.scopes = ['cases:read'];
    const revoked = begin();
    await guards.invalidate({ org: 'acme', plugin: 'p' });
    expect(revoked.signal.reason).toMatchObject({
      code: 'CAPABILITY_DENIED',
      details: { reason: 'grant_revoked', scopes: ['graph:read'] },
    });
  });

  it('does not touch runs of other orgs or plugins when re-checking a target', async () => {
    const { state, guards, begin } = setup();
    const mine = begin('p', 'acme');
    const theirs = begin('p', 'globex');
    state.fail = new IntelGraphError('KILL_SWITCH', 'acme only');
    await guards.invalidate({ org: 'acme' });
    expect(mine.signal.aborted).toBe(true);
    expect(theirs.signal.aborted).toBe(false);
    expect(guards.active).toBe(2);
    mine.end();
    theirs.end();
    expect(guards.active).toBe(0);
  });

  it('fails closed when the stores cannot answer, without their error text', async () => {
    const { state, guards, begin } = setup();
    const guard = begin();
    state.fail = new IntelGraphError('INTERNAL', 'connect ECONNREFUSED 10.0.0.5:5432');
    await guards.invalidate({});
    expect(guard.signal.reason).toMatchObject({ code: 'UNAVAILABLE', details: { reason: 'recheck_failed' } });
    expect((guard.signal.reason as Error).message).not.toContain('10.0.0.5');
  });
});
