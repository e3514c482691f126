import {
  type AuditStore,
  createAuditTrail,
  createManualClock,
  createMemoryAuditStore,
  sequentialIds,
} from '@intelgraph/core';
import { describe, expect, it } from 'vitest';
import { CapabilityBroker } from './broker.js';
import { createMemoryGrantStore } from './memory-grant-store.js';

const alice = { userId: 'alice', orgId: 'acme', roles: ['admin'] };

function setup(auditStore: AuditStore = createMemoryAuditStore()) {
  const clock = createManualClock(Date.UTC(2026, 3, 1));
  const audit = createAuditTrail({ store: auditStore, clock, ids: sequentialIds() });
  const store = createMemoryGrantStore();
  return { broker: new CapabilityBroker({ store, audit, clock }), audit, store, clock };
}

describe('CapabilityBroker', () => {
  it('denies by default, grants, checks and lists with required and optional kept apart', async () => {
    const { broker } = setup();
    expect(await broker.check('acme', 'enricher', 'graph:read')).toBe(false);
    const granted = await broker.grant(alice, {
      orgId: 'acme',
      pluginId: 'enricher',
      scopes: ['graph:read', 'use:nl2cypher', 'graph:read'],
      kind: 'required',
      reason: 'install',
    });
    expect(granted).toEqual([
      {
        orgId: 'acme',
        pluginId: 'enricher',
        scope: 'graph:read',
        kind: 'required',
        grantedBy: 'alice',
        grantedAt: '2026-04-01T00:00:00.000Z',
        reason: 'install',
      },
      expect.objectContaining({ scope: 'use:nl2cypher' }),
    ]);
    await broker.grant(alice, {
      orgId: 'acme',
      pluginId: 'enricher',
      scopes: ['cases:write'],
      kind: 'optional',
      reason: 'opt in',
    });
    expect(await broker.check('acme', 'enricher', 'graph:read')).toBe(true);
    expect(await broker.check('acme', 'enricher', 'graph:write')).toBe(false);
    expect(await broker.check('other', 'enricher', 'graph:read')).toBe(false);
    expect(await broker.check('acme', 'other', 'graph:read')).toBe(false);
    expect(await broker.scopes('acme', 'enricher')).toEqual(['cases:write', 'graph:read', 'use:nl2cypher']);
    const list = await broker.list('acme', 'enricher');
    expect(list.filter((g) => g.kind === 'optional').map((g) => g.scope)).toEqual(['cases:write']);
    expect(await broker.list('acme')).toHaveLength(3);
  });

  it('honours wildcard grants when checking', async () => {
    const { broker } = setup();
    await broker.grant(alice, {
      orgId: 'acme',
      pluginId: 'p',
      scopes: ['net:*.example.org'],
      kind: 'required',
      reason: 'r',
    });
    expect(await broker.check('acme', 'p', 'net:api.example.org')).toBe(true);
    expect(await broker.check('acme', 'p', 'net:example.org')).toBe(false);
  });

  it('revokes some or all scopes, returning what was revoked', async () => {
    const { broker } = setup();
    await broker.grant(alice, {
      orgId: 'acme',
      pluginId: 'p',
      scopes: ['graph:read', 'cases:read', 'cases:write'],
      kind: 'required',
      reason: 'r',
    });
    const some = await broker.revoke(alice, {
      orgId: 'acme',
      pluginId: 'p',
      scopes: ['cases:write', 'graph:write'],
      reason: 'least privilege',
    });
    expect(some.map((g) => g.scope)).toEqual(['cases:write']);
    const rest = await broker.revoke(alice, { orgId: 'acme', pluginId: 'p', reason: 'uninstall' });
    expect(rest.map((g) => g.scope)).toEqual(['cases:read', 'graph:read']);
    expect(await broker.revoke(alice, { orgId: 'acme', pluginId: 'p', reason: 'again' })).toEqual([]);
    expect(await broker.scopes('acme', 'p')).toEqual([]);
  });

  it('records every change as an audit event with actor and reason, and no event for a no-op', async () => {
    const { broker, audit } = setup();
    await broker.grant(alice, {
      orgId: 'acme',
      pluginId: 'p',
      scopes: ['graph:read'],
      kind: 'required',
      reason: 'install',
    });
    await broker.revoke(alice, { orgId: 'acme', pluginId: 'p', reason: 'uninstall' });
    await broker.revoke(alice, { orgId: 'acme', pluginId: 'p', reason: 'nothing left' });
    const events = await audit.list();
    expect(events.map((e) => [e.type, e.actor, e.subject, e.orgId, e.data])).toEqual([
      [
        'grant.added',
        { userId: 'alice', orgId: 'acme' },
        'plugin:p',
        'acme',
        { pluginId: 'p', scopes: ['graph:read'], kind: 'required', reason: 'install' },
      ],
      [
        'grant.revoked',
        { userId: 'alice', orgId: 'acme' },
        'plugin:p',
        'acme',
        { pluginId: 'p', scopes: ['graph:read'], reason: 'uninstall' },
      ],
    ]);
    expect((await audit.verify()).ok).toBe(true);
  });

  it('undoes the change when the audit write fails', async () => {
    const inner = createMemoryAuditStore();
    let fail = false;
    const flaky: AuditStore = {
      append: (e) => (fail ? Promise.reject(new Error('audit down')) : inner.append(e)),
      list: (q) => inner.list(q),
      head: () => inner.head(),
    };
    const { broker } = setup(flaky);
    await broker.grant(alice, {
      orgId: 'acme',
      pluginId: 'p',
      scopes: ['graph:read'],
      kind: 'optional',
      reason: 'first',
    });
    fail = true;
    await expect(
      broker.grant(alice, {
        orgId: 'acme',
        pluginId: 'p',
        scopes: ['graph:read', 'cases:write'],
        kind: 'required',
        reason: 'x',
      }),
    ).rejects.toThrow('audit down');
    expect(await broker.list('acme', 'p')).toEqual([
      expect.objectContaining({ scope: 'graph:read', kind: 'optional', reason: 'first' }),
    ]);
    await expect(broker.revoke(alice, { orgId: 'acme', pluginId: 'p', reason: 'x' })).rejects.toThrow(
      'audit down',
    );
    expect(await broker.scopes('acme', 'p')).toEqual(['graph:read']);
  });

  it('rejects hostile or malformed input with INVALID_INPUT and writes nothing', async () => {
    const { broker, audit } = setup();
    const bad = [
      () =>
        broker.grant(alice, {
          orgId: 'acme',
          pluginId: 'p',
          scopes: ['not a scope'],
          kind: 'required',
          reason: 'r',
        }),
      () => broker.grant(alice, { orgId: 'acme', pluginId: 'p', scopes: [], kind: 'required', reason: 'r' }),
      () =>
        broker.grant(alice, {
          orgId: 'acme',
          pluginId: 'p',
          scopes: ['graph:read'],
          kind: 'required',
          reason: '  ',
        }),
      () =>
        broker.grant(
          { ...alice, userId: '' },
          { orgId: 'acme', pluginId: 'p', scopes: ['graph:read'], kind: 'required', reason: 'r' },
        ),
      () =>
        broker.grant(
          alice,
          JSON.parse(
            '{"orgId":"acme","pluginId":"p","scopes":["graph:read"],"kind":"required","reason":"r","__proto__":{"x":1}}',
          ),
        ),
      () =>
        broker.grant(alice, {
          orgId: 'a'.repeat(500),
          pluginId: 'p',
          scopes: ['graph:read'],
          kind: 'required',
          reason: 'r',
        }),
      () => broker.check('acme', 'p', 'graph'),
      () => broker.list('acme\n'),
    ];
    for (const call of bad) await expect(call()).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await broker.list('acme')).toEqual([]);
    expect(await audit.list()).toEqual([]);
  });

  it('works with defaults (in-memory store and audit)', async () => {
    const broker = new CapabilityBroker();
    await broker.grant(alice, {
      orgId: 'acme',
      pluginId: 'p',
      scopes: ['graph:read'],
      kind: 'required',
      reason: 'r',
    });
    expect(await broker.check('acme', 'p', 'graph:read')).toBe(true);
  });
});

describe('CapabilityBroker: change notifications', () => {
  it('tells the listener after each committed grant and revocation, and ignores a throwing listener', async () => {
    const changes: unknown[] = [];
    const broker = new CapabilityBroker({
      onChange: (c) => {
        changes.push(c);
        throw new Error('listener bug');
      },
    });
    const admin = { userId: 'alice', orgId: 'acme', roles: ['admin'] };
    await broker.grant(admin, {
      orgId: 'acme',
      pluginId: 'p',
      scopes: ['graph:read'],
      kind: 'required',
      reason: 'r',
    });
    await broker.revoke(admin, { orgId: 'acme', pluginId: 'p', reason: 'uninstall' });
    await broker.revoke(admin, { orgId: 'acme', pluginId: 'p', reason: 'nothing left' });
    expect(changes).toEqual([
      { action: 'grant', orgId: 'acme', pluginId: 'p', scopes: ['graph:read'] },
      { action: 'revoke', orgId: 'acme', pluginId: 'p', scopes: ['graph:read'] },
    ]);
    expect(await broker.scopes('acme', 'p')).toEqual([]);
  });
});
