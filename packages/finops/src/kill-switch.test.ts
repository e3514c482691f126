import {
  createAuditTrail,
  createManualClock,
  createMemoryAuditStore,
  isIntelGraphError,
  sequentialIds,
} from '@intelgraph/core';
import { describe, expect, it } from 'vitest';
import { createFinOps } from './finops.js';

const sre = { userId: 'sre', orgId: 'ops' };

const setup = () => {
  const clock = createManualClock(Date.UTC(2026, 0, 1));
  const audit = createAuditTrail({ store: createMemoryAuditStore(), clock, ids: sequentialIds() });
  const finops = createFinOps({ clock, audit, ids: sequentialIds() });
  const blockedBy = async (org: string, plugin: string) => {
    const err = await finops.killSwitch.check({ org, plugin }).then(
      () => null,
      (e: unknown) => e,
    );
    if (err === null) return null;
    if (!isIntelGraphError(err, 'KILL_SWITCH')) throw err;
    return err.details.switch;
  };
  return { finops, audit, blockedBy };
};

describe('kill switch', () => {
  it('applies precedence: global, then org, then plugin, then plugin in org', async () => {
    const { finops, blockedBy } = setup();
    await finops.killSwitch.engage({ target: { org: 'acme', plugin: 'p' }, reason: 'loop', actor: sre });
    expect(await blockedBy('acme', 'p')).toBe('org:acme/plugin:p');
    expect(await blockedBy('other', 'p')).toBeNull();
    await finops.killSwitch.engage({ target: { plugin: 'p' }, reason: 'bad release', actor: sre });
    expect(await blockedBy('other', 'p')).toBe('plugin:p');
    expect(await blockedBy('acme', 'p')).toBe('plugin:p');
    await finops.killSwitch.engage({ target: { org: 'acme' }, reason: 'unpaid', actor: sre });
    expect(await blockedBy('acme', 'p')).toBe('org:acme');
    expect(await blockedBy('acme', 'q')).toBe('org:acme');
    await finops.killSwitch.engage({ target: {}, reason: 'incident', actor: sre });
    expect(await blockedBy('zeta', 'q')).toBe('global');
    expect(await blockedBy('acme', 'p')).toBe('global');
    await finops.killSwitch.release({ target: {}, reason: 'resolved', actor: sre });
    expect(await blockedBy('acme', 'p')).toBe('org:acme');
    expect(await blockedBy('zeta', 'q')).toBeNull();
  });

  it('stops beginRun before any quota is reserved, and names the switch', async () => {
    const { finops } = setup();
    await finops.quotas.set({ scope: { org: 'acme' }, resource: 'calls', limit: 5, window: 'day' });
    await finops.killSwitch.engage({ target: { plugin: 'p' }, reason: 'runaway cost', actor: sre });
    await expect(finops.beginRun({ org: 'acme', plugin: 'p', runId: 'run_1' })).rejects.toMatchObject({
      code: 'KILL_SWITCH',
      details: { switch: 'plugin:p', level: 'plugin', reason: 'runaway cost', engagedBy: 'sre' },
    });
    const [u] = await finops.quotas.usage({ org: 'acme' });
    expect(u?.used).toBe(0);
  });

  it('audits every change with actor and reason, and requires a reason', async () => {
    const { finops, audit } = setup();
    await finops.killSwitch.engage({ target: { org: 'acme' }, reason: 'cost spike', actor: sre });
    expect(await finops.killSwitch.release({ target: { org: 'acme' }, reason: 'capped', actor: sre })).toBe(
      true,
    );
    expect(await finops.killSwitch.release({ target: { org: 'acme' }, reason: 'again', actor: sre })).toBe(
      false,
    );
    const events = await audit.list({ subject: 'kill_switch:org:acme' });
    expect(events.map((e) => [e.type, e.actor?.userId, (e.data as { reason: string }).reason])).toEqual([
      ['finops.kill_switch.engaged', 'sre', 'cost spike'],
      ['finops.kill_switch.released', 'sre', 'capped'],
    ]);
    expect((await audit.verify()).ok).toBe(true);
    await expect(
      finops.killSwitch.engage({ target: { org: 'acme' }, reason: '', actor: sre }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(
      finops.killSwitch.engage({ target: { org: '__proto__{x}' }, reason: 'hostile', actor: sre }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
