import { type Actor, createManualClock, sequentialIds } from '@intelgraph/core';
import { generatePublisherKeyPair, publicKeyPem, signPluginPackage } from '@intelgraph/marketplace';
import { afterEach, describe, expect, it } from 'vitest';
import { createExtensionHost, type ExtensionHost } from './host.js';

const alice: Actor = { userId: 'alice', orgId: 'acme', roles: ['analyst', 'admin'] };
const bob: Actor = { userId: 'bob', orgId: 'acme', roles: ['steward'] };
const ann: Actor = { userId: 'ann', orgId: 'acme', roles: ['analyst'] };
const platform: Actor = { userId: 'platform', orgId: 'intelgraph', roles: ['marketplace-admin'] };
const key = generatePublisherKeyPair();
const T0 = Date.UTC(2026, 3, 1);

export const personV1 = {
  type: 'object',
  required: ['id', 'name'],
  properties: { id: { type: 'string' }, name: { type: 'string' }, dob: { type: 'string', format: 'date' } },
  additionalProperties: false,
};
export const personV2 = {
  type: 'object',
  required: ['id', 'name'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    birthDate: { type: 'string', format: 'date' },
  },
  additionalProperties: false,
};
export const personV3 = {
  type: 'object',
  required: ['id', 'name', 'country'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    birthDate: { type: 'string', format: 'date' },
    country: { type: 'string' },
  },
  additionalProperties: false,
};

const hosts: ExtensionHost[] = [];
async function newHost(): Promise<ExtensionHost> {
  const host = await createExtensionHost({
    database: 'memory',
    clock: createManualClock(T0),
    ids: sequentialIds(),
    sandbox: { poolSize: 1 },
  });
  hosts.push(host);
  await host.internals.marketplace.trustKey(platform, 'acme-labs', publicKeyPem(key.privateKeyPem));
  await host.contracts.register(alice, {
    subject: 'person',
    format: 'json',
    schema: personV1,
    compatibility: 'NONE',
  });
  await host.contracts.register(alice, { subject: 'person', format: 'json', schema: personV2 });
  return host;
}
afterEach(async () => {
  while (hosts.length) await hosts.pop()?.close();
});

async function approveRule(
  host: ExtensionHost,
  input: Parameters<ExtensionHost['contracts']['registerMigrationRule']>[1],
) {
  const r = await host.contracts.registerMigrationRule(alice, input);
  expect(r.status).toBe('pending_review');
  return host.governance.approve(bob, r.reviewTask.id);
}

describe('governed migration rules', () => {
  it('registers a rule exactly once on approval, after its contract test, and audits it', async () => {
    const host = await newHost();
    const r = await host.contracts.registerMigrationRule(alice, {
      subject: 'person',
      from: 1,
      to: 2,
      operations: [{ op: 'move', from: '/dob', path: '/birthDate' }],
      description: 'dob is now birthDate',
      samples: [{ id: 'p1', name: 'Ada', dob: '1815-12-10' }],
      reason: 'v2 renames dob',
    });
    expect(r.status).toBe('pending_review');
    expect(r.reviewTask.kind).toBe('contract_migration_rule');
    expect(await host.internals.migrations.list('person')).toEqual([]);
    const approved = await host.governance.approve(bob, r.reviewTask.id);
    expect(approved.state).toBe('applied');
    expect(await host.internals.migrations.list('person')).toMatchObject([
      { from: 1, to: 2, direction: 'upgrade', description: 'dob is now birthDate' },
    ]);
    const events = await host.internals.audit.list({ type: 'contract.migration_rule.registered' });
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toMatchObject({ subject: 'person', from: 1, to: 2, reviewId: r.reviewTask.id });
  });

  it('refuses a rule that breaks a golden sample before any review, hostile input and non-stewards', async () => {
    const host = await newHost();
    await expect(
      host.contracts.registerMigrationRule(alice, {
        subject: 'person',
        from: 1,
        to: 2,
        operations: [],
        samples: [{ id: 'p1', name: 'Ada', dob: '1815-12-10' }],
        reason: 'forgot the rename',
      }),
    ).rejects.toMatchObject({ code: 'SCHEMA_INCOMPATIBLE', details: { failures: [{ index: 0 }] } });
    await expect(
      host.contracts.registerMigrationRule(ann, {
        subject: 'person',
        from: 1,
        to: 2,
        operations: [],
        samples: [],
        reason: 'r',
      }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    for (const bad of [
      { subject: 'person', from: 1, to: 3, operations: [], samples: [], reason: 'r' },
      {
        subject: 'person',
        from: 1,
        to: 2,
        operations: [{ op: 'test', path: '/a', value: 1 }],
        samples: [],
        reason: 'r',
      },
      { subject: '__proto__', from: 1, to: 2, operations: [], samples: [], reason: 'r' },
      { subject: 'person', from: 1, to: 2, operations: [], samples: [], reason: '', extra: 1 },
    ])
      await expect(
        host.contracts.registerMigrationRule(
          alice,
          bad as Parameters<ExtensionHost['contracts']['registerMigrationRule']>[1],
        ),
      ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect((await host.governance.queue(alice, { scope: 'org', states: ['pending'] })).items).toEqual([]);
  });

  it('re-runs the contract test at apply time: a rule a newer reverse rule breaks is not applied', async () => {
    const host = await newHost();
    const sample = { id: 'p1', name: 'Ada', dob: '1815-12-10' };
    const pending = await host.contracts.registerMigrationRule(alice, {
      subject: 'person',
      from: 2,
      to: 1,
      operations: [{ op: 'replace', path: '/name', value: 'anonymous' }],
      samples: [{ id: 'p1', name: 'Ada' }],
      reason: 'downgrade anonymises',
    });
    // Meanwhile the upgrade is registered: the pending downgrade no longer round-trips.
    await approveRule(host, {
      subject: 'person',
      from: 1,
      to: 2,
      operations: [{ op: 'move', from: '/dob', path: '/birthDate' }],
      samples: [sample],
      reason: 'rename',
    });
    await host.governance.approve(bob, pending.reviewTask.id).catch(() => undefined);
    expect((await host.internals.migrations.list('person')).map((r) => `${r.from}>${r.to}`)).toEqual(['1>2']);
    expect((await host.governance.get(alice, pending.reviewTask.id)).state).not.toBe('applied');
  });
});

async function publish(
  host: ExtensionHost,
  name: string,
  extra: Record<string, unknown>,
  code: string,
  version = '1.0.0',
) {
  const pkg = await signPluginPackage(
    {
      manifest: { name, version, entry: 'index.js', publisher: 'acme-labs', ...extra },
      files: { 'index.js': code },
    },
    key.privateKeyPem,
  );
  await host.plugins.publish(null, pkg);
}

const ECHO = 'module.exports.run = async (input) => input;';

describe('contract version negotiation at install', () => {
  it('picks the newest accepted version a path reaches and stores it; refuses a missing step by name', async () => {
    const host = await newHost();
    await publish(host, 'pinned', { inputSchema: { subject: 'person', version: 1 } }, ECHO);
    await publish(host, 'ranged', { inputSchema: { subject: 'person', range: '>=1 <3' } }, ECHO);
    // v2 → v1 needs a rule (v1 does not read birthDate): nothing bridges it yet.
    await expect(host.plugins.install(alice, { pluginId: 'pinned' })).rejects.toMatchObject({
      code: 'SCHEMA_INCOMPATIBLE',
      message: expect.stringContaining('no migration from version 2 to 1'),
      details: { reason: 'no_migration_path', edge: 'input', missing: { from: 2, to: 1 } },
    });
    expect((await host.plugins.status(alice, 'pinned')).status).toBe('not_installed');
    const ranged = await host.plugins.install(alice, { pluginId: 'ranged' });
    expect(ranged.status === 'installed' && ranged.installation.contracts).toEqual([
      { edge: 'input', subject: 'person', version: 2, negotiatedAt: 2 },
    ]);
    await approveRule(host, {
      subject: 'person',
      from: 2,
      to: 1,
      operations: [{ op: 'move', from: '/birthDate', path: '/dob' }],
      samples: [{ id: 'p1', name: 'Ada', birthDate: '1815-12-10' }],
      reason: 'serve v1 readers',
    });
    const pinned = await host.plugins.install(alice, { pluginId: 'pinned' });
    expect(pinned.status === 'installed' && pinned.installation.contracts).toEqual([
      { edge: 'input', subject: 'person', version: 1, negotiatedAt: 2 },
    ]);
  });

  it('an update renegotiates for the new manifest; one that cannot be served is disabled, not run on stale versions', async () => {
    const host = await newHost();
    await publish(host, 'moving', { inputSchema: { subject: 'person', version: 2 } }, ECHO);
    await host.plugins.install(alice, { pluginId: 'moving', version: '^1.0.0' });
    // 1.1.0 reads v1 only: with no v2 → v1 rule it cannot be served, so the update leaves it disabled.
    await publish(host, 'moving', { inputSchema: { subject: 'person', version: 1 } }, ECHO, '1.1.0');
    await expect(host.internals.marketplace.update(alice, 'moving')).rejects.toMatchObject({
      code: 'SCHEMA_INCOMPATIBLE',
      details: { reason: 'no_migration_path' },
    });
    const stuck = await host.internals.marketplace.installations('acme');
    expect(stuck.find((i) => i.pluginId === 'moving')).toMatchObject({
      version: '1.1.0',
      status: 'disabled',
      disabledReason: 'contract_unnegotiable',
      contracts: [],
    });
    expect(await host.plugins.run(alice, 'moving', { id: 'p1', name: 'Ada' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    // Once a path exists, updating again negotiates v1 and the plugin runs, served v1 records.
    await approveRule(host, {
      subject: 'person',
      from: 2,
      to: 1,
      operations: [{ op: 'move', from: '/birthDate', path: '/dob' }],
      samples: [{ id: 'p1', name: 'Ada', birthDate: '1815-12-10' }],
      reason: 'serve v1 readers',
    });
    await publish(host, 'moving', { inputSchema: { subject: 'person', version: 1 } }, ECHO, '1.2.0');
    const moved = await host.internals.marketplace.update(alice, 'moving');
    expect(moved).toMatchObject({
      version: '1.2.0',
      contracts: [{ edge: 'input', subject: 'person', version: 1 }],
    });
  });

  it('a version deprecated past its window stops negotiating, naming the window', async () => {
    const host = await newHost();
    await approveRule(host, {
      subject: 'person',
      from: 2,
      to: 1,
      operations: [{ op: 'move', from: '/birthDate', path: '/dob' }],
      samples: [],
      reason: 'serve v1 readers',
    });
    await publish(host, 'pinned', { inputSchema: { subject: 'person', versions: [1] } }, ECHO);
    await host.contracts.deprecateVersion(bob, {
      subject: 'person',
      version: 1,
      until: '2026-03-31T00:00:00Z',
      reason: 'v2 is out',
    });
    await expect(host.plugins.install(alice, { pluginId: 'pinned' })).rejects.toMatchObject({
      code: 'SCHEMA_INCOMPATIBLE',
      message: expect.stringContaining('2026-03-31T00:00:00.000Z'),
      details: { reason: 'deprecation_window_ended', version: 1, until: '2026-03-31T00:00:00.000Z' },
    });
    await host.contracts.deprecateVersion(bob, {
      subject: 'person',
      version: 1,
      until: '2026-06-01T00:00:00Z',
      reason: 'extended',
    });
    expect((await host.plugins.install(alice, { pluginId: 'pinned' })).status).toBe('installed');
    await expect(
      host.contracts.deprecateVersion(ann, { subject: 'person', version: 1, until: null, reason: 'r' }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      host.contracts.deprecateVersion(bob, { subject: 'person', version: 1, until: 'soon', reason: 'r' }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

/** person v1 → v2 → v3 with rules both ways, all approved. */
export async function withPersonRules(host: ExtensionHost): Promise<void> {
  await host.contracts.register(alice, { subject: 'person', format: 'json', schema: personV3 });
  const rule = (from: number, to: number, operations: unknown[], samples: unknown[]) =>
    approveRule(host, {
      subject: 'person',
      from,
      to,
      operations: operations as never,
      samples: samples as never,
      reason: `${from} to ${to}`,
    });
  await rule(
    1,
    2,
    [{ op: 'move', from: '/dob', path: '/birthDate' }],
    [{ id: 'p', name: 'A', dob: '2000-01-01' }],
  );
  await rule(
    2,
    1,
    [{ op: 'move', from: '/birthDate', path: '/dob' }],
    [{ id: 'p', name: 'A', birthDate: '2000-01-01' }],
  );
  await rule(2, 3, [{ op: 'add', path: '/country', value: 'unknown' }], [{ id: 'p', name: 'A' }]);
  await rule(3, 2, [{ op: 'remove', path: '/country' }], [{ id: 'p', name: 'A', country: 'UK' }]);
}

describe('contract versions at run time', () => {
  it('a plugin pinned to v1 keeps working while producers write v3: input down, output up, provenance, metric', async () => {
    const host = await newHost();
    await withPersonRules(host);
    await publish(
      host,
      'v1-reader',
      { inputSchema: { subject: 'person', version: 1 }, outputSchema: { subject: 'person', version: 1 } },
      'module.exports.run = async (input) => ({ id: input.id, name: input.name.toUpperCase(), dob: input.dob });',
    );
    const installed = await host.plugins.install(alice, { pluginId: 'v1-reader' });
    expect(installed.status === 'installed' && installed.installation.contracts).toEqual([
      { edge: 'input', subject: 'person', version: 1, negotiatedAt: 3 },
      { edge: 'output', subject: 'person', version: 1, negotiatedAt: 3 },
    ]);
    const r = await host.plugins.run(alice, 'v1-reader', {
      id: 'p1',
      name: 'Ada',
      birthDate: '1815-12-10',
      country: 'UK',
    });
    expect(r.ok, JSON.stringify(r.error)).toBe(true);
    // The plugin saw v1 (dob) and wrote v1; the caller gets v3 back (country filled by the 2→3 rule).
    expect(r.value).toEqual({ id: 'p1', name: 'ADA', birthDate: '1815-12-10', country: 'unknown' });
    expect(r.provenance?.contractVersions).toEqual({
      input: { subject: 'person', from: 3, to: 1, rules: ['3>2', '2>1'] },
      output: { subject: 'person', from: 1, to: 3, rules: ['1>2', '2>3'] },
    });
    const [event] = await host.internals.audit.list({ type: 'plugin.run' });
    expect(event?.data).toMatchObject({ contractVersions: { input: { from: 3, to: 1 } } });
    const metrics = await host.metrics.getSingleMetricAsString('intelgraph_contract_migrations_total');
    expect(metrics).toContain('intelgraph_contract_migrations_total{subject="person",from="3",to="1"} 1');
    expect(metrics).toContain('intelgraph_contract_migrations_total{subject="person",from="1",to="3"} 1');
    // An input that cannot reach v1 is refused as a contract violation, not passed through.
    const bad = await host.plugins.run(alice, 'v1-reader', { id: 'p2', country: 'UK' });
    expect(bad.ok).toBe(false);
    expect(bad.error?.code).toBe('CONTRACT_VIOLATION');
  });
});

describe('ingest and export at a version', () => {
  it('ingest migrates a v1 batch up to v3 before the gate; export delivers v2 after the gate', async () => {
    const delivered: unknown[][] = [];
    const host = await createExtensionHost({
      database: 'memory',
      clock: createManualClock(T0),
      ids: sequentialIds(),
      sandbox: { poolSize: 1 },
      exportSink: ({ records }) => {
        delivered.push(records);
      },
    });
    hosts.push(host);
    await host.contracts.register(alice, {
      subject: 'person',
      format: 'json',
      schema: personV1,
      compatibility: 'NONE',
    });
    await host.contracts.register(alice, { subject: 'person', format: 'json', schema: personV2 });
    await withPersonRules(host);
    const ingested = await host.contracts.ingest(
      alice,
      'person',
      [{ id: 'p1', name: 'Ada', dob: '1815-12-10' }],
      {
        version: 1,
      },
    );
    expect(ingested).toMatchObject({ status: 'accepted', version: 3, accepted: 1 });
    const entity = await host.internals.graph.forOrg(alice.orgId).getEntity('p1');
    expect(entity?.properties).toEqual({ birthDate: '1815-12-10', country: 'unknown' });
    const exported = await host.contracts.export(
      alice,
      'person',
      [{ id: 'p1', name: 'Ada', birthDate: '1815-12-10', country: 'UK' }],
      { version: 2 },
    );
    expect(exported.status).toBe('accepted');
    expect(delivered).toEqual([[{ id: 'p1', name: 'Ada', birthDate: '1815-12-10' }]]);
    await expect(
      host.contracts.ingest(alice, 'person', [{ id: 'p2', name: 'Bob' }], { version: 9 }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      host.contracts.ingest(alice, 'person', [{ id: 'p2', name: 'Bob' }], { version: -1 }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(
      host.contracts.ingest(alice, 'person', [{ id: 'p2', name: 7 }], { version: 1 }),
    ).rejects.toMatchObject({ code: 'CONTRACT_VIOLATION' });
  });
});
