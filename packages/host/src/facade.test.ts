import { type Actor, createManualClock, IntelGraphError, sequentialIds } from '@intelgraph/core';
import { generatePublisherKeyPair, publicKeyPem, signPluginPackage } from '@intelgraph/marketplace';
import { afterEach, describe, expect, it } from 'vitest';
import { createExtensionHost, type ExtensionHost } from './host.js';

// The facade's own checks: every method that changes something for someone refuses an actor without the
// permission (FORBIDDEN), reads never reach another org (NOT_FOUND or absent), and the `authorization`
// option changes who may do what in one place.

const admin: Actor = { userId: 'alice', orgId: 'acme', roles: ['admin'] };
const analyst: Actor = { userId: 'dave', orgId: 'acme', roles: ['analyst'] };
const globexAdmin: Actor = { userId: 'erin', orgId: 'globex', roles: ['admin'] };
const platform: Actor = { userId: 'ops', orgId: 'intelgraph', roles: ['marketplace-admin', 'moderator'] };

const key = generatePublisherKeyPair();
const SCHEMA = { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } };

const hosts: ExtensionHost[] = [];
async function newHost(options: Parameters<typeof createExtensionHost>[0] = {}): Promise<ExtensionHost> {
  const host = await createExtensionHost({
    database: 'memory',
    clock: createManualClock(Date.UTC(2026, 3, 1)),
    ids: sequentialIds(),
    sandbox: { poolSize: 1 },
    ...options,
  });
  hosts.push(host);
  await host.internals.marketplace.trustKey(platform, 'acme-labs', publicKeyPem(key.privateKeyPem));
  const pkg = await signPluginPackage(
    {
      manifest: {
        name: 'reader',
        version: '1.0.0',
        entry: 'index.js',
        publisher: 'acme-labs',
        capabilities: { graph: ['read'] },
      },
      files: { 'index.js': 'module.exports.run = async () => 1;' },
    },
    key.privateKeyPem,
  );
  await host.plugins.publish(null, pkg);
  return host;
}

afterEach(async () => {
  while (hosts.length) await hosts.pop()?.close();
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    if (err instanceof IntelGraphError) return err.code;
    throw err;
  }
}

describe('host facade: a low-privilege actor is refused every change', () => {
  it('plugins, contracts, finops and replay answer FORBIDDEN to an analyst, and change nothing', async () => {
    const host = await newHost({ replay: { enabled: true } });
    await host.plugins.install(admin, { pluginId: 'reader' });
    const refused: [string, () => Promise<unknown>][] = [
      ['plugins.install', () => host.plugins.install(analyst, { pluginId: 'reader' })],
      ['plugins.uninstall', () => host.plugins.uninstall(analyst, 'reader')],
      ['plugins.setOptionalScopes', () => host.plugins.setOptionalScopes(analyst, 'reader', [])],
      ['plugins.update', () => host.plugins.update(analyst, 'reader')],
      ['plugins.consent', () => host.plugins.consent(analyst, 'reader')],
      ['plugins.trustKey', () => host.plugins.trustKey(analyst, 'x', publicKeyPem(key.privateKeyPem))],
      ['plugins.revokeKey', () => host.plugins.revokeKey(analyst, 'key-1', 'compromised')],
      ['plugins.moderation.queue', () => host.plugins.moderation.queue(analyst)],
      [
        'plugins.moderation.setHidden',
        () =>
          host.plugins.moderation.setHidden(analyst, {
            pluginId: 'reader',
            version: '1.0.0',
            hidden: true,
            reason: 'spam',
          }),
      ],
      ['plugins.replay', () => host.plugins.replay(analyst, 'run-1')],
      [
        'contracts.register',
        () => host.contracts.register(analyst, { subject: 'person', format: 'json', schema: SCHEMA }),
      ],
      [
        'contracts.setEnforcement',
        () =>
          host.contracts.setEnforcement(analyst, {
            subject: 'person',
            edge: 'ingest',
            mode: 'off',
            reason: 'x',
          }),
      ],
      [
        'contracts.deprecateVersion',
        () =>
          host.contracts.deprecateVersion(analyst, {
            subject: 'person',
            version: 1,
            until: null,
            reason: 'x',
          }),
      ],
      [
        'finops.killSwitch',
        () => host.finops.killSwitch(analyst, { scope: 'org', on: true, reason: 'incident' }),
      ],
      [
        'finops.killSwitch global (an org admin)',
        () => host.finops.killSwitch(admin, { scope: 'global', on: true, reason: 'incident' }),
      ],
      [
        'finops.setQuota',
        () => host.finops.setQuota(analyst, { resource: 'calls', limit: 1, window: 'day' }),
      ],
    ];
    for (const [name, call] of refused) expect([name, await codeOf(call())]).toEqual([name, 'FORBIDDEN']);
    // Nothing changed: still installed, no switch, no quota, no contract.
    expect((await host.plugins.status(admin, 'reader')).status).toBe('installed');
    expect(await host.finops.killSwitches(admin)).toEqual([]);
    expect(await host.finops.quotas(admin)).toEqual([]);
    expect(await host.contracts.list(admin)).toEqual([]);
  });

  it('refuses a malformed actor with INVALID_INPUT before anything else', async () => {
    const host = await newHost();
    const bad = JSON.parse('{"userId":"","orgId":"acme","roles":["admin"]}');
    expect(await codeOf(host.plugins.installations(bad))).toBe('INVALID_INPUT');
    expect(await codeOf(host.finops.dashboard(bad))).toBe('INVALID_INPUT');
    expect(await codeOf(host.graph.search(bad, { q: 'x' }))).toBe('INVALID_INPUT');
  });
});

describe("host facade: another org's data is not there", () => {
  it('installations, reviews, graph entities and cases of acme are NOT_FOUND or absent for globex', async () => {
    const host = await newHost();
    await host.plugins.install(admin, { pluginId: 'reader' });
    expect((await host.plugins.installation(admin, 'reader')).pluginId).toBe('reader');
    expect(await codeOf(host.plugins.installation(globexAdmin, 'reader'))).toBe('NOT_FOUND');
    expect(await host.plugins.installations(globexAdmin)).toEqual([]);
    expect((await host.plugins.status(globexAdmin, 'reader')).status).toBe('not_installed');

    const task = await host.governance.request(analyst, {
      kind: 'policy_change',
      reason: 'tighten exports',
      payload: { kind: 'export', params: { maxRecords: 5 } },
    });
    expect((await host.governance.get(admin, task.id)).id).toBe(task.id);
    expect(await codeOf(host.governance.get(globexAdmin, task.id))).toBe('NOT_FOUND');
    expect(await codeOf(host.governance.auditTrail(globexAdmin, task.id))).toBe('NOT_FOUND');

    await host.internals.graph
      .forOrg('acme')
      .upsert({ entities: [{ id: 'p-1', type: 'Person', name: 'Ada' }] });
    const made = await host.internals.cases.create({
      orgId: 'acme',
      title: 'fraud ring',
      createdBy: 'alice',
    });
    expect((await host.graph.entity(analyst, 'p-1'))?.name).toBe('Ada');
    expect(await host.graph.entity(globexAdmin, 'p-1')).toBeNull();
    expect((await host.graph.search(globexAdmin, { q: 'Ada', limit: 5 })).items).toEqual([]);
    expect((await host.graph.case(analyst, made.id))?.title).toBe('fraud ring');
    expect(await host.graph.case(globexAdmin, made.id)).toBeNull();
    expect((await host.graph.cases(globexAdmin)).items).toEqual([]);

    await host.finops.killSwitch(admin, { scope: 'org', on: true, reason: 'incident 1' });
    expect(await host.finops.killSwitches(globexAdmin)).toEqual([]);
    expect(await host.audit.trail(globexAdmin, 'plugin:reader', 10)).toMatchObject({ events: [] });
  });
});

describe('host option authorization', () => {
  it('role overrides move a permission to other roles, for the facade and the marketplace alike', async () => {
    const finance: Actor = { userId: 'fay', orgId: 'acme', roles: ['finance'] };
    const installer: Actor = { userId: 'ian', orgId: 'acme', roles: ['installer'] };
    const host = await newHost({
      authorization: { roles: { 'finops.quotas': ['finance'], 'plugins.install': ['installer'] } },
    });
    expect(host.authorizer.rule('finops.quotas').roles).toEqual(['finance']);
    expect(host.authorizer.allows(finance, 'finops.quotas')).toBe(true);
    expect(host.authorizer.allows(admin, 'finops.quotas')).toBe(false);
    await host.finops.setQuota(finance, { resource: 'calls', limit: 10, window: 'day' });
    expect(await codeOf(host.finops.setQuota(admin, { resource: 'calls', limit: 1, window: 'day' }))).toBe(
      'FORBIDDEN',
    );
    expect((await host.finops.quotas(admin)).map((q) => q.limit)).toEqual([10]);
    // The other rows keep their defaults.
    expect(host.authorizer.allows(admin, 'finops.killSwitch')).toBe(true);
    expect(await codeOf(host.plugins.install(admin, { pluginId: 'reader' }))).toBe('FORBIDDEN');
    expect((await host.plugins.install(installer, { pluginId: 'reader' })).status).toBe('installed');
  });

  it('platformOrgs: a platform role held in a tenant org counts for nothing', async () => {
    const host = await newHost({ authorization: { platformOrgs: ['intelgraph'] } });
    const tenantModerator: Actor = { userId: 'tom', orgId: 'globex', roles: ['moderator', 'steward'] };
    expect(await codeOf(host.plugins.moderation.queue(tenantModerator))).toBe('FORBIDDEN');
    expect(await host.plugins.moderation.queue(platform)).toMatchObject({ items: [] });
    expect(
      await codeOf(
        host.contracts.register(tenantModerator, { subject: 'person', format: 'json', schema: SCHEMA }),
      ),
    ).toBe('FORBIDDEN');
    const steward: Actor = { userId: 'sam', orgId: 'intelgraph', roles: ['steward'] };
    expect(await codeOf(host.contracts.schema(tenantModerator, 'person'))).toBe('NOT_FOUND');
    expect(
      (await host.contracts.register(steward, { subject: 'person', format: 'json', schema: SCHEMA })).version,
    ).toBe(1);
    // Reads of the shared catalog and contracts are open to every signed-in actor.
    expect((await host.contracts.versions(tenantModerator, 'person')).map((v) => v.version)).toEqual([1]);
    expect((await host.plugins.versions(tenantModerator, 'reader')).map((v) => v.version)).toEqual(['1.0.0']);
  });

  it('refuses malformed authorization options and the removed replay.roles with INVALID_INPUT', async () => {
    const unknownPermission = JSON.parse('{"roles":{"everything":["admin"]}}');
    await expect(
      createExtensionHost({ database: 'memory', authorization: unknownPermission }),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    const oldReplay = JSON.parse('{"enabled":true,"roles":["auditor"]}');
    await expect(createExtensionHost({ database: 'memory', replay: oldReplay })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});
