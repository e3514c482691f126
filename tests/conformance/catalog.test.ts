import { createPgCatalogStore } from '@intelgraph/adapters/postgres';
import { CapabilityBroker } from '@intelgraph/capabilities';
import {
  type AbuseReportRecord,
  createAuditTrail,
  createMemoryAuditStore,
  type InstallationRecord,
  isIntelGraphError,
  type MarketplaceStore,
  type PluginVersionRecord,
} from '@intelgraph/core';
import {
  createMarketplace,
  createMemoryMarketplaceStore,
  generatePublisherKeyPair,
  signPluginPackage,
} from '@intelgraph/marketplace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqlBackends } from '../support/sql.js';

interface Opened {
  store: MarketplaceStore;
  close(): Promise<void>;
}

const backends: { name: string; open(): Promise<Opened> }[] = [
  { name: 'memory', open: async () => ({ store: createMemoryMarketplaceStore(), close: async () => {} }) },
  ...sqlBackends().map((b) => ({
    name: b.name,
    async open(): Promise<Opened> {
      const { db, close } = await b.open({ poolSize: 8 });
      return { store: createPgCatalogStore(db), close };
    },
  })),
];

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:00:01.000Z';

function version(pluginId: string, v: string, extra: Partial<PluginVersionRecord> = {}): PluginVersionRecord {
  return {
    pluginId,
    version: v,
    publisherId: 'acme',
    keyId: 'k1',
    manifest: {
      name: pluginId,
      version: v,
      entry: 'index.js',
      description: 'ünïcode \u0000 nul and "quotes"',
    },
    package: { manifest: { name: pluginId }, files: { 'index.js': 'AA==' } },
    packageDigest: 'd'.repeat(64),
    codeSha256: 'c'.repeat(64),
    requiredScopes: ['graph:read'],
    optionalScopes: ['cases:write'],
    risk: 'high',
    publishedAt: T0,
    yanked: false,
    yankReason: null,
    hidden: false,
    hiddenReason: null,
    keyRevoked: false,
    ...extra,
  };
}

function installation(
  orgId: string,
  pluginId: string,
  extra: Partial<InstallationRecord> = {},
): InstallationRecord {
  return {
    orgId,
    pluginId,
    version: '1.0.0',
    requested: '^1.0.0',
    pinned: false,
    status: 'enabled',
    disabledReason: null,
    pendingScopes: [],
    optionalScopes: ['cases:write'],
    packageDigest: 'd'.repeat(64),
    codeSha256: 'c'.repeat(64),
    warnings: [],
    approvalRef: null,
    installedBy: 'alice',
    installedAt: T0,
    updatedAt: T0,
    revision: 0,
    ...extra,
  };
}

function report(id: string, reporterId: string, extra: Partial<AbuseReportRecord> = {}): AbuseReportRecord {
  return {
    id,
    pluginId: 'p',
    version: '1.0.0',
    category: 'malware',
    details: 'sends data away',
    reporterId,
    orgId: 'org-x',
    status: 'open',
    createdAt: T0,
    resolvedAt: null,
    resolvedBy: null,
    ...extra,
  };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (isIntelGraphError(e)) return e.code;
    throw e;
  }
}

describe.each(backends)('marketplace store on $name', ({ open }) => {
  let opened: Opened;
  let store: MarketplaceStore;
  beforeEach(async () => {
    opened = await open();
    store = opened.store;
  });
  afterEach(async () => {
    await opened.close();
  });

  it('publishers: ensurePublisher is idempotent and keeps the first record', async () => {
    expect(await store.getPublisher('acme')).toBeNull();
    await store.ensurePublisher({ id: 'acme', displayName: 'Acme', createdAt: T0 });
    const again = await store.ensurePublisher({ id: 'acme', displayName: 'Other', createdAt: T1 });
    expect(again).toEqual({ id: 'acme', displayName: 'Acme', createdAt: T0 });
  });

  it('keys: insert, conflict on duplicates, list in order, update status, NOT_FOUND', async () => {
    const key = {
      keyId: 'a'.repeat(32),
      publisherId: 'acme',
      publicKeyPem: '-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----\n',
      status: 'active' as const,
      addedAt: T0,
      retiredAt: null,
      revokedAt: null,
      reason: null,
    };
    await store.insertKey(key);
    expect(await codeOf(store.insertKey(key))).toBe('CONFLICT');
    await store.insertKey({ ...key, keyId: 'b'.repeat(32), publisherId: 'other', addedAt: T1 });
    expect((await store.listKeys()).map((k) => k.keyId)).toEqual(['a'.repeat(32), 'b'.repeat(32)]);
    expect(await store.listKeys('acme')).toEqual([key]);
    const revoked = await store.updateKey(key.keyId, { status: 'revoked', revokedAt: T1, reason: 'leaked' });
    expect(revoked).toEqual({ ...key, status: 'revoked', revokedAt: T1, reason: 'leaked' });
    expect(await store.getKey(key.keyId)).toEqual(revoked);
    expect(await store.getKey('nope')).toBeNull();
    expect(await codeOf(store.updateKey('nope', { status: 'retired' }))).toBe('NOT_FOUND');
  });

  it('versions: publish round-trips exactly; duplicates and foreign publishers conflict and write nothing', async () => {
    const v1 = version('p', '1.0.0');
    await store.publishVersion({ id: 'p', publisherId: 'acme', createdAt: T0 }, v1);
    expect(await store.getVersion('p', '1.0.0')).toEqual(v1);
    expect(await codeOf(store.publishVersion({ id: 'p', publisherId: 'acme', createdAt: T0 }, v1))).toBe(
      'CONFLICT',
    );
    const foreign = { ...version('p', '2.0.0'), publisherId: 'evil' };
    expect(await codeOf(store.publishVersion({ id: 'p', publisherId: 'evil', createdAt: T1 }, foreign))).toBe(
      'CONFLICT',
    );
    expect(await store.getVersion('p', '2.0.0')).toBeNull();
    await store.publishVersion(
      { id: 'p', publisherId: 'acme', createdAt: T1 },
      version('p', '0.9.0', { keyId: 'k2' }),
    );
    await store.publishVersion({ id: 'a', publisherId: 'acme', createdAt: T1 }, version('a', '1.0.0'));
    expect(await store.getPlugin('p')).toEqual({ id: 'p', publisherId: 'acme', createdAt: T0 });
    expect((await store.listPlugins()).map((p) => p.id)).toEqual(['a', 'p']);
    expect((await store.listVersions('p')).map((v) => v.version)).toEqual(['1.0.0', '0.9.0']);
    expect((await store.listVersionsByKey('k2')).map((v) => `${v.pluginId}@${v.version}`)).toEqual([
      'p@0.9.0',
    ]);
    const yanked = await store.updateVersion('p', '1.0.0', { yanked: true, yankReason: 'bug', hidden: true });
    expect(yanked).toEqual({ ...v1, yanked: true, yankReason: 'bug', hidden: true });
    expect(await codeOf(store.updateVersion('p', '9.9.9', { hidden: true }))).toBe('NOT_FOUND');
  });

  it('installations: create, get, list in order, optimistic update, delete', async () => {
    await store.createInstallation(installation('org-b', 'p'));
    await store.createInstallation(installation('org-a', 'p'));
    await store.createInstallation(installation('org-a', 'b'));
    expect(await codeOf(store.createInstallation(installation('org-a', 'p', { version: '2.0.0' })))).toBe(
      'CONFLICT',
    );
    expect((await store.getInstallation('org-a', 'p'))?.version).toBe('1.0.0');
    expect((await store.listInstallations()).map((i) => `${i.orgId}/${i.pluginId}`)).toEqual([
      'org-a/b',
      'org-a/p',
      'org-b/p',
    ]);
    expect((await store.listInstallations({ pluginId: 'p' })).map((i) => i.orgId)).toEqual([
      'org-a',
      'org-b',
    ]);
    expect((await store.listInstallations({ orgId: 'org-a', pluginId: 'b' })).length).toBe(1);
    const next = await store.updateInstallation(
      'org-a',
      'p',
      {
        status: 'disabled',
        disabledReason: 'consent_required',
        pendingScopes: ['cases:read'],
        updatedAt: T1,
      },
      0,
    );
    expect(next).toEqual({
      ...installation('org-a', 'p'),
      status: 'disabled',
      disabledReason: 'consent_required',
      pendingScopes: ['cases:read'],
      updatedAt: T1,
      revision: 1,
    });
    expect(await codeOf(store.updateInstallation('org-a', 'p', { warnings: ['x'] }, 0))).toBe('CONFLICT');
    expect((await store.updateInstallation('org-a', 'p', { warnings: ['key_revoked'] })).revision).toBe(2);
    expect(await codeOf(store.updateInstallation('org-z', 'p', {}))).toBe('NOT_FOUND');
    expect(await store.deleteInstallation('org-a', 'p')).toBe(true);
    expect(await store.deleteInstallation('org-a', 'p')).toBe(false);
    expect(await store.getInstallation('org-a', 'p')).toBeNull();
  });

  it('installations keep negotiated contract versions: absent until set, stored exactly, replaced', async () => {
    const negotiated: InstallationRecord['contracts'] = [
      { edge: 'input', subject: 'person', version: 1, negotiatedAt: 3 },
      { edge: 'output', subject: 'case-export', version: 2, negotiatedAt: 2 },
    ];
    await store.createInstallation(installation('org-a', 'plain'));
    expect(await store.getInstallation('org-a', 'plain')).toEqual(installation('org-a', 'plain'));
    expect(await store.createInstallation(installation('org-a', 'p', { contracts: negotiated }))).toEqual(
      installation('org-a', 'p', { contracts: negotiated }),
    );
    expect((await store.getInstallation('org-a', 'p'))?.contracts).toEqual(negotiated);
    const next = await store.updateInstallation('org-a', 'plain', { contracts: [], updatedAt: T1 }, 0);
    expect(next).toEqual({ ...installation('org-a', 'plain'), contracts: [], updatedAt: T1, revision: 1 });
    const renegotiated = [{ edge: 'input' as const, subject: 'person', version: 3, negotiatedAt: 3 }];
    await store.updateInstallation('org-a', 'p', { contracts: renegotiated });
    expect((await store.listInstallations({ orgId: 'org-a' })).map((i) => i.contracts)).toEqual([
      renegotiated,
      [],
    ]);
  });

  it('concurrent installs of the same plugin leave exactly one installation', async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        store.createInstallation(installation('org-a', 'p', { installedBy: `u${i}` })),
      ),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    for (const a of attempts)
      if (a.status === 'rejected') expect(isIntelGraphError(a.reason, 'CONFLICT')).toBe(true);
    expect(await store.listInstallations({ orgId: 'org-a' })).toHaveLength(1);
  });

  it('concurrent revision-checked updates: exactly one wins', async () => {
    await store.createInstallation(installation('org-a', 'p'));
    const attempts = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        store.updateInstallation('org-a', 'p', { approvalRef: `r${i}` }, 0),
      ),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    expect((await store.getInstallation('org-a', 'p'))?.revision).toBe(1);
  });

  it('ratings: one per user and plugin, editable, keeping the creation time', async () => {
    const r = {
      pluginId: 'p',
      userId: 'u2',
      orgId: 'org-a',
      stars: 5,
      comment: null,
      createdAt: T0,
      updatedAt: T0,
    };
    await store.upsertRating(r);
    await store.upsertRating({ ...r, userId: 'u1', stars: 3 });
    const edited = await store.upsertRating({ ...r, stars: 2, comment: 'meh', createdAt: T1, updatedAt: T1 });
    expect(edited).toEqual({ ...r, stars: 2, comment: 'meh', updatedAt: T1 });
    expect(await store.getRating('p', 'u2')).toEqual(edited);
    expect((await store.listRatings('p')).map((x) => `${x.userId}:${x.stars}`)).toEqual(['u1:3', 'u2:2']);
    expect(await store.listRatings('other')).toEqual([]);
  });

  it('reports: one open report per reporter and version; resolution closes them all', async () => {
    await store.createReport(report('r1', 'u1'));
    expect(await codeOf(store.createReport(report('r2', 'u1', { category: 'spam' })))).toBe('CONFLICT');
    await store.createReport(report('r3', 'u2', { orgId: 'org-y' }));
    await store.createReport(report('r4', 'u1', { version: '2.0.0' }));
    expect(
      (await store.listReports({ pluginId: 'p', version: '1.0.0', status: 'open' })).map((r) => r.id),
    ).toEqual(['r1', 'r3']);
    const resolved = await store.resolveReports('p', '1.0.0', {
      status: 'dismissed',
      resolvedAt: T1,
      resolvedBy: 'mod',
    });
    expect(resolved.map((r) => [r.id, r.status, r.resolvedBy])).toEqual([
      ['r1', 'dismissed', 'mod'],
      ['r3', 'dismissed', 'mod'],
    ]);
    expect((await store.listReports({ status: 'open' })).map((r) => r.id)).toEqual(['r4']);
    // once resolved, the same reporter may report again
    await store.createReport(report('r5', 'u1'));
    expect((await store.listReports()).map((r) => r.id)).toEqual(['r1', 'r3', 'r4', 'r5']);
  });

  it('the marketplace over this store: concurrent installs give one installation and one set of grants', async () => {
    const key = generatePublisherKeyPair();
    const audit = createAuditTrail({ store: createMemoryAuditStore() });
    const broker = new CapabilityBroker({ audit });
    const market = createMarketplace({
      store,
      broker,
      audit,
      trust: [{ publisher: 'acme', publicKey: key.publicKeyPem }],
    });
    const signed = await signPluginPackage(
      {
        manifest: {
          name: 'sample-enricher',
          version: '1.0.0',
          entry: 'index.js',
          capabilities: { graph: ['read'] },
        },
        files: { 'index.js': 'exports.run = async () => 1;' },
      },
      key.privateKeyPem,
    );
    await market.publish(signed);
    const admin = { userId: 'alice', orgId: 'org-a', roles: ['admin'] };
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => market.install(admin, { pluginId: 'sample-enricher' })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await market.installations('org-a')).toMatchObject([
      { pluginId: 'sample-enricher', grants: ['graph:read'] },
    ]);
    const run = await market.installation('org-a', 'sample-enricher');
    expect(run.code).toBe('exports.run = async () => 1;');
    await market.uninstall(admin, 'sample-enricher');
    expect(await broker.list('org-a')).toEqual([]);
    expect(await market.installations('org-a')).toEqual([]);
  });
});
