import { createRequire } from 'node:module';
import { type Actor, createManualClock } from '@intelgraph/core';
import { createExtensionHost, type ExtensionHost } from '@intelgraph/host';
import { generatePublisherKeyPair, publicKeyPem, signPluginPackage } from '@intelgraph/marketplace';
import { createGraphQLSchema } from '@intelgraph/server/graphql';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqlBackends } from '../../support/sql.js';

// Contract negotiation on PostgreSQL: person v1 → v2 → v3 with governed rules, a plugin pinned to v1 keeps
// working while producers write v3, an export consumer asks for v2, a rule that breaks a golden sample is
// refused, and a deprecated version past its window stops negotiating with a typed error naming it.

// The schema is built by @graphql-tools, which Node loads with graphql's CommonJS build: execute with it.
const { graphql } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

const alice: Actor = { userId: 'alice', orgId: 'acme', roles: ['analyst', 'admin'] };
const bob: Actor = { userId: 'bob', orgId: 'acme', roles: ['steward'] };
const platform: Actor = { userId: 'platform', orgId: 'intelgraph', roles: ['marketplace-admin'] };
const key = generatePublisherKeyPair();
const T0 = Date.UTC(2026, 3, 1);

const id = { type: 'string' };
const name = { type: 'string' };
const date = { type: 'string', format: 'date' };
const v1 = {
  type: 'object',
  required: ['id', 'name'],
  properties: { id, name, dob: date },
  additionalProperties: false,
};
const v2 = {
  type: 'object',
  required: ['id', 'name'],
  properties: { id, name, birthDate: date },
  additionalProperties: false,
};
const v3 = {
  type: 'object',
  required: ['id', 'name', 'country'],
  properties: { id, name, birthDate: date, country: { type: 'string' } },
  additionalProperties: false,
};

const RULES = [
  {
    from: 1,
    to: 2,
    operations: [{ op: 'move', from: '/dob', path: '/birthDate' }],
    samples: [
      { id: 'g1', name: 'Ada', dob: '1815-12-10' },
      { id: 'g2', name: 'Alan' },
    ],
  },
  {
    from: 2,
    to: 1,
    operations: [{ op: 'move', from: '/birthDate', path: '/dob' }],
    samples: [{ id: 'g1', name: 'Ada', birthDate: '1815-12-10' }],
  },
  {
    from: 2,
    to: 3,
    operations: [{ op: 'add', path: '/country', value: 'unknown' }],
    samples: [{ id: 'g1', name: 'Ada', birthDate: '1815-12-10' }],
  },
  {
    from: 3,
    to: 2,
    operations: [{ op: 'remove', path: '/country' }],
    samples: [{ id: 'g1', name: 'Ada', country: 'UK' }],
  },
] as const;

const postgres = sqlBackends().filter((b) => b.name === 'postgres');

describe.each(postgres)('contract version negotiation on $name', ({ open }) => {
  let opened: Awaited<ReturnType<typeof open>>;
  const hosts: ExtensionHost[] = [];
  const delivered: unknown[][] = [];
  const clock = createManualClock(T0);
  beforeEach(async () => {
    opened = await open({ poolSize: 6 });
  });
  afterEach(async () => {
    while (hosts.length) await hosts.pop()?.close();
    await opened.close();
  });
  const newHost = async () => {
    const host = await createExtensionHost({
      database: opened.db,
      clock,
      sandbox: { poolSize: 1 },
      exportSink: ({ records }) => {
        delivered.push(records);
      },
    });
    hosts.push(host);
    return host;
  };

  it('person v1 → v2 → v3: pinned plugins, versioned exports, refused rules and ended windows', async () => {
    const host = await newHost();
    await host.internals.marketplace.trustKey(platform, 'acme-labs', publicKeyPem(key.privateKeyPem));
    await host.contracts.register(alice, {
      subject: 'person',
      format: 'json',
      schema: v1,
      compatibility: 'NONE',
    });
    await host.contracts.register(alice, { subject: 'person', format: 'json', schema: v2 });
    await host.contracts.register(alice, { subject: 'person', format: 'json', schema: v3 });

    // A rule that breaks a golden sample is refused before any review opens.
    await expect(
      host.contracts.registerMigrationRule(alice, {
        subject: 'person',
        from: 2,
        to: 3,
        operations: [],
        samples: [{ id: 'g1', name: 'Ada' }],
        reason: 'forgot the default',
      }),
    ).rejects.toMatchObject({ code: 'SCHEMA_INCOMPATIBLE', details: { failures: [{ index: 0 }] } });

    for (const rule of RULES) {
      const r = await host.contracts.registerMigrationRule(alice, {
        subject: 'person',
        ...rule,
        operations: [...rule.operations],
        samples: [...rule.samples],
        reason: `${rule.from} to ${rule.to}`,
      });
      expect(r.status).toBe('pending_review');
      expect((await host.governance.approve(bob, r.reviewTask.id)).state).toBe('applied');
    }

    const pkg = await signPluginPackage(
      {
        manifest: {
          name: 'v1-reader',
          version: '1.0.0',
          entry: 'index.js',
          publisher: 'acme-labs',
          inputSchema: { subject: 'person', range: '<2' },
          outputSchema: { subject: 'person', versions: [1] },
        },
        files: {
          'index.js':
            'module.exports.run = async (p) => ({ id: p.id, name: p.name.toUpperCase(), dob: p.dob });',
        },
      },
      key.privateKeyPem,
    );
    await host.plugins.publish(null, pkg);
    const installed = await host.plugins.install(alice, { pluginId: 'v1-reader' });
    expect(installed.status === 'installed' && installed.installation.contracts).toEqual([
      { edge: 'input', subject: 'person', version: 1, negotiatedAt: 3 },
      { edge: 'output', subject: 'person', version: 1, negotiatedAt: 3 },
    ]);

    // Producers write v3; the v1 plugin keeps working (served v1, its output migrated back up to v3).
    const v3Record = { id: 'p1', name: 'Ada', birthDate: '1815-12-10', country: 'UK' };
    expect(await host.contracts.ingest(alice, 'person', [v3Record])).toMatchObject({
      status: 'accepted',
      version: 3,
    });
    const run = await host.plugins.run(alice, 'v1-reader', v3Record);
    expect(run.ok, JSON.stringify(run.error)).toBe(true);
    expect(run.value).toEqual({ id: 'p1', name: 'ADA', birthDate: '1815-12-10', country: 'unknown' });
    expect(run.provenance?.contractVersions).toEqual({
      input: { subject: 'person', from: 3, to: 1, rules: ['3>2', '2>1'] },
      output: { subject: 'person', from: 1, to: 3, rules: ['1>2', '2>3'] },
    });

    // An export consumer asks for v2.
    const exported = await host.contracts.export(alice, 'person', [v3Record], { version: 2 });
    expect(exported.status).toBe('accepted');
    expect(delivered.at(-1)).toEqual([{ id: 'p1', name: 'Ada', birthDate: '1815-12-10' }]);

    // Rules, deprecations and negotiated versions are durable: a second host over the database reads them.
    await expect(
      host.contracts.deprecateVersion(bob, {
        subject: 'person',
        version: 1,
        until: '2026-03-15',
        reason: 'r',
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await host.contracts.deprecateVersion(bob, {
      subject: 'person',
      version: 1,
      until: '2026-03-15T00:00:00Z',
      reason: 'v3 is out',
    });
    // What the web app reads: the version graph with its rules, deprecations, negotiated versions.
    const schema = createGraphQLSchema(host);
    const read = await graphql({
      schema,
      source: `{
        contract(subject: "person") {
          migrationRules { from to direction description operations }
          versions { version deprecatedUntil }
        }
        installations { pluginId contracts { edge subject version currentVersion deprecatedUntil windowClosing } }
      }`,
      contextValue: { actor: alice },
    });
    expect(read.errors).toBeUndefined();
    const data = read.data as {
      contract: { migrationRules: { from: number; to: number; direction: string }[]; versions: unknown[] };
      installations: { contracts: unknown[] }[];
    };
    expect(data.contract.migrationRules.map((r) => `${r.from}>${r.to} ${r.direction}`)).toEqual([
      '1>2 upgrade',
      '2>1 downgrade',
      '2>3 upgrade',
      '3>2 downgrade',
    ]);
    expect(data.contract.versions).toEqual([
      { version: 1, deprecatedUntil: '2026-03-15T00:00:00.000Z' },
      { version: 2, deprecatedUntil: null },
      { version: 3, deprecatedUntil: null },
    ]);
    expect(data.installations[0]?.contracts).toEqual([
      {
        edge: 'input',
        subject: 'person',
        version: 1,
        currentVersion: 3,
        deprecatedUntil: '2026-03-15T00:00:00.000Z',
        windowClosing: true,
      },
      {
        edge: 'output',
        subject: 'person',
        version: 1,
        currentVersion: 3,
        deprecatedUntil: '2026-03-15T00:00:00.000Z',
        windowClosing: true,
      },
    ]);
    const governed = await graphql({
      schema,
      source: `mutation ($ops: [JSON!]!, $samples: [JSON!]!) {
        contractRegisterMigrationRule(subject: "person", from: 3, to: 2, operations: $ops, samples: $samples, reason: "keep country as a note") {
          status reviewTask { kind }
        }
      }`,
      variableValues: {
        ops: [{ op: 'remove', path: '/country' }],
        samples: [{ id: 'g1', name: 'Ada', country: 'UK' }],
      },
      contextValue: { actor: alice },
    });
    expect(governed.errors).toBeUndefined();
    expect(governed.data).toEqual({
      contractRegisterMigrationRule: {
        status: 'pending_review',
        reviewTask: { kind: 'contract_migration_rule' },
      },
    });

    const second = await newHost();
    expect((await second.internals.migrations.list('person')).map((r) => `${r.from}>${r.to}`)).toEqual([
      '1>2',
      '2>1',
      '2>3',
      '3>2',
    ]);
    expect((await second.plugins.status(alice, 'v1-reader')).installation?.contracts).toHaveLength(2);

    // The deprecated version past its window stops negotiating, with the window named.
    await second.plugins.uninstall(alice, 'v1-reader');
    await expect(second.plugins.install(alice, { pluginId: 'v1-reader' })).rejects.toMatchObject({
      code: 'SCHEMA_INCOMPATIBLE',
      message: expect.stringContaining('window that ended 2026-03-15T00:00:00.000Z'),
      details: {
        reason: 'deprecation_window_ended',
        subject: 'person',
        version: 1,
        until: '2026-03-15T00:00:00.000Z',
      },
    });
    expect((await second.plugins.status(alice, 'v1-reader')).status).toBe('not_installed');
  });
});
