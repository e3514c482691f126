import { describe, expect, it } from 'vitest';
import { describePluginEvent, pluginEventKind, replayableRun } from './audit-events.js';

describe("a plugin's audit events as sentences", () => {
  it('tells a run with its outcome, version, host calls and cost', () => {
    expect(
      describePluginEvent('plugin.run', 'alice', {
        runId: 'run-1',
        version: '1.2.0',
        outcome: 'ok',
        hostCalls: 2,
        cost: 1500,
        currency: 'usd_micros',
        replayable: true,
      }),
    ).toBe('Run run-1 by alice succeeded · v1.2.0 · 2 host calls · $0.001500');
  });

  it('tells a failed run by its code and says when it cannot be replayed', () => {
    expect(
      describePluginEvent('plugin.run', 'bob', {
        runId: 'run-2',
        outcome: 'BUDGET_EXCEEDED',
        replayable: false,
      }),
    ).toBe('Run run-2 by bob failed (BUDGET_EXCEEDED) · not replayable');
  });

  it('tells a refused run with its code and reason', () => {
    expect(
      describePluginEvent('plugin.run.denied', 'alice', {
        runId: 'run-3',
        code: 'KILL_SWITCH',
        message: 'switched off',
      }),
    ).toBe('Run run-3 by alice refused (KILL_SWITCH: switched off)');
  });

  it('tells a replay: identical, diverged with where, or not recorded', () => {
    expect(
      describePluginEvent('plugin.replay', 'carol', { runId: 'run-1', replayable: true, identical: true }),
    ).toBe('Run run-1 replayed identically by carol');
    expect(
      describePluginEvent('plugin.replay', 'carol', {
        runId: 'run-1',
        replayable: true,
        identical: false,
        divergence: { kind: 'call', reason: 'arguments' },
      }),
    ).toBe('Run run-1 replayed and diverged (call: arguments) by carol');
    expect(describePluginEvent('plugin.replay', null, { runId: 'run-1', replayable: false })).toBe(
      'Run run-1 could not be replayed (not recorded whole)',
    );
  });

  it('tells lifecycle events with their version, and others as the governance log does', () => {
    expect(describePluginEvent('plugin.installed', 'alice', { version: '1.0.0' })).toBe(
      'Installed by alice · v1.0.0',
    );
    expect(describePluginEvent('plugin.updated', 'alice', { from: '1.0.0', to: '1.1.0' })).toBe(
      'Updated by alice · v1.1.0',
    );
    expect(describePluginEvent('moderation.resolved', 'dave', { version: '1.0.0' })).toBe(
      'Abuse reports resolved by dave · v1.0.0',
    );
    expect(
      describePluginEvent('grant.added', 'alice', { kind: 'required', scopes: ['graph:read', 'cases:read'] }),
    ).toBe('Scopes granted by alice · graph:read, cases:read');
    expect(describePluginEvent('grant.revoked', 'alice', { scope: 'graph:read' })).toBe(
      'Scopes revoked by alice · graph:read',
    );
    expect(describePluginEvent('plugin.key_revoked', 'alice', { reason: 'leaked' })).toBe(
      'plugin key revoked by alice: “leaked”',
    );
  });

  it('survives data that is not an object', () => {
    expect(describePluginEvent('plugin.run', null, null)).toBe('Run unknown run failed (unknown)');
    expect(describePluginEvent('plugin.run', null, ['x'])).toBe('Run unknown run failed (unknown)');
  });
});

describe('which events offer Replay', () => {
  it('a plugin.run recorded whole, and says why another cannot be replayed', () => {
    expect(replayableRun({ type: 'plugin.run', data: { runId: 'r1', replayable: true } })).toEqual({
      runId: 'r1',
      replayable: true,
      why: null,
    });
    const partial = replayableRun({ type: 'plugin.run', data: { runId: 'r1', replayable: false } });
    expect(partial?.replayable).toBe(false);
    expect(partial?.why).toContain('not recorded whole');
    const none = replayableRun({ type: 'plugin.run', data: { runId: 'r1', outcome: 'CONTRACT_VIOLATION' } });
    expect(none?.replayable).toBe(false);
    expect(none?.why).toContain('not recorded for replay');
  });

  it('never a refused run, a replay, a lifecycle event or a run without an id', () => {
    expect(replayableRun({ type: 'plugin.run.denied', data: { runId: 'r1' } })).toBeNull();
    expect(replayableRun({ type: 'plugin.replay', data: { runId: 'r1' } })).toBeNull();
    expect(replayableRun({ type: 'plugin.installed', data: { version: '1' } })).toBeNull();
    expect(replayableRun({ type: 'plugin.run', data: { runId: 5 } })).toBeNull();
  });

  it('sorts events into runs, replays and the lifecycle', () => {
    expect(pluginEventKind('plugin.run')).toBe('run');
    expect(pluginEventKind('plugin.run.denied')).toBe('run');
    expect(pluginEventKind('plugin.replay')).toBe('replay');
    expect(pluginEventKind('plugin.installed')).toBe('lifecycle');
  });
});
