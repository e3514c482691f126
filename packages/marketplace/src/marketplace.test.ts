import { CapabilityBroker } from '@intelgraph/capabilities';
import {
  type Actor,
  type Authorizer,
  createAuditTrail,
  createAuthorizer,
  createManualClock,
  createMemoryAuditStore,
  isIntelGraphError,
  type PluginManifestInput,
  sequentialIds,
} from '@intelgraph/core';
import { describe, expect, it } from 'vitest';
import { generatePublisherKeyPair } from './keys.js';
import { createMarketplace, type HighRiskDecision, type HighRiskRequest } from './marketplace.js';
import { createMemoryMarketplaceStore } from './memory-store.js';
import { signPluginPackage } from './signing.js';

const acme = generatePublisherKeyPair();
const admin: Actor = { userId: 'alice', orgId: 'org-a', roles: ['admin'] };
const analyst: Actor = { userId: 'bob', orgId: 'org-a', roles: ['analyst'] };
const operator: Actor = { userId: 'op', orgId: 'market', roles: ['marketplace-admin'] };
const moderator: Actor = { userId: 'mod', orgId: 'market', roles: ['moderator'] };

function setup(
  extra: {
    onHighRiskInstall?: (r: HighRiskRequest) => HighRiskDecision;
    reportThreshold?: number;
    authorizer?: Authorizer;
  } = {},
) {
  const clock = createManualClock();
  const auditStore = createMemoryAuditStore();
  const audit = createAuditTrail({ store: auditStore, clock, ids: sequentialIds() });
  const broker = new CapabilityBroker({ audit, clock });
  const evicted: string[] = [];
  const market = createMarketplace({
    store: createMemoryMarketplaceStore(),
    broker,
    audit,
    clock,
    ids: sequentialIds(),
    trust: [{ publisher: 'acme', publicKey: acme.publicKeyPem }],
    evict: (sha) => {
      evicted.push(sha);
    },
    ...extra,
  });
  return { market, broker, audit, clock, evicted };
}

async function pkg(
  version: string,
  manifest: Partial<PluginManifestInput> = {},
  key = acme.privateKeyPem,
  code?: string,
) {
  return signPluginPackage(
    {
      manifest: {
        name: 'sample-enricher',
        version,
        entry: 'index.js',
        publisher: 'acme',
        description: 'Scores entities',
        capabilities: { graph: ['read'] },
        optionalCapabilities: { cases: ['read', 'write'] },
        ...manifest,
      },
      files: { 'index.js': code ?? `exports.run = async () => ${JSON.stringify(version)};` },
    },
    key,
  );
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

describe('publish', () => {
  it('accepts a package signed by a trusted key and lists its capabilities with a risk level', async () => {
    const { market, audit } = setup();
    const published = await market.publish(await pkg('1.0.0'));
    expect(published).toMatchObject({ pluginId: 'sample-enricher', version: '1.0.0', risk: 'high' });
    const detail = await market.detail('sample-enricher');
    expect(detail.capabilities.required.map((c) => c.scope)).toEqual(['graph:read']);
    expect(detail.capabilities.optional.map((c) => c.scope)).toEqual(['cases:read', 'cases:write']);
    expect((await audit.list({ type: 'plugin.published' })).length).toBe(1);
  });

  it('rejects unknown keys, tampered packages, duplicates and retired keys', async () => {
    const { market } = setup();
    const stranger = generatePublisherKeyPair();
    expect(await codeOf(market.publish(await pkg('1.0.0', {}, stranger.privateKeyPem)))).toBe(
      'SIGNATURE_INVALID',
    );
    const p = await pkg('1.0.0');
    expect(await codeOf(market.publish({ ...p, files: { 'index.js': 'evil()' } }))).toBe('SIGNATURE_INVALID');
    await market.publish(p);
    expect(await codeOf(market.publish(p))).toBe('CONFLICT');
    const next = generatePublisherKeyPair();
    await market.rotateKey(operator, 'acme', next.publicKeyPem);
    expect(await codeOf(market.publish(await pkg('1.1.0')))).toBe('SIGNATURE_INVALID');
    expect(await codeOf(market.publish(await pkg('1.1.0', {}, next.privateKeyPem)))).toBe('ok');
    // versions signed before the rotation stay installable
    expect(await codeOf(market.install(admin, { pluginId: 'sample-enricher', version: '1.0.0' }))).toBe('ok');
  });

  it('refuses a plugin name owned by another publisher', async () => {
    const { market } = setup();
    await market.publish(await pkg('1.0.0'));
    const other = generatePublisherKeyPair();
    await market.trustKey(operator, 'other', other.publicKeyPem);
    const squatting = await pkg('2.0.0', { publisher: 'other' }, other.privateKeyPem);
    expect(await codeOf(market.publish(squatting))).toBe('FORBIDDEN');
  });
});

describe('install with consent', () => {
  it('grants the required scopes only by default, and the chosen optional ones on request', async () => {
    const { market, broker } = setup();
    await market.publish(await pkg('1.0.0'));
    const inst = await market.install(admin, { pluginId: 'sample-enricher', version: '1.0.0' });
    expect(inst.grants).toEqual(['graph:read']);
    expect(inst.pinned).toBe(true);
    const toggled = await market.setOptionalScopes(admin, 'sample-enricher', { scopes: ['cases:read'] });
    expect(toggled.grants).toEqual(['cases:read', 'graph:read']);
    const off = await market.setOptionalScopes(admin, 'sample-enricher', { scopes: [] });
    expect(off.grants).toEqual(['graph:read']);
    expect(await broker.list('org-a', 'sample-enricher')).toMatchObject([
      { scope: 'graph:read', kind: 'required' },
    ]);
  });

  it('rejects scopes that are not optional capabilities of the plugin', async () => {
    const { market, broker } = setup();
    await market.publish(await pkg('1.0.0'));
    expect(await codeOf(market.install(admin, { pluginId: 'sample-enricher', grant: ['graph:write'] }))).toBe(
      'INVALID_INPUT',
    );
    expect(await broker.scopes('org-a', 'sample-enricher')).toEqual([]);
    expect(await market.installations('org-a')).toEqual([]);
  });

  it('needs an installer role and records an audit event', async () => {
    const { market, audit } = setup();
    await market.publish(await pkg('1.0.0'));
    expect(await codeOf(market.install(analyst, { pluginId: 'sample-enricher' }))).toBe('FORBIDDEN');
    await market.install(admin, { pluginId: 'sample-enricher', grant: ['cases:read'] });
    const [event] = await audit.list({ type: 'plugin.installed' });
    expect(event?.data).toMatchObject({
      version: '1.0.0',
      required: ['graph:read'],
      optional: ['cases:read'],
      pinned: false,
    });
    expect((await audit.verify()).ok).toBe(true);
  });

  it('resolves ranges to the newest installable version and pins exact versions', async () => {
    const { market } = setup();
    for (const v of ['1.0.0', '1.2.0', '1.3.0-beta.1', '2.0.0']) await market.publish(await pkg(v));
    expect((await market.install(admin, { pluginId: 'sample-enricher', version: '^1.0.0' })).version).toBe(
      '1.2.0',
    );
    await market.uninstall(admin, 'sample-enricher');
    expect((await market.install(admin, { pluginId: 'sample-enricher' })).version).toBe('2.0.0');
    await market.uninstall(admin, 'sample-enricher');
    expect(await codeOf(market.install(admin, { pluginId: 'sample-enricher', version: '^3.0.0' }))).toBe(
      'NOT_FOUND',
    );
    expect(
      await codeOf(market.install(admin, { pluginId: 'sample-enricher', version: 'not a range!' })),
    ).toBe('INVALID_INPUT');
  });

  it('refuses a second install of the same plugin in the same org', async () => {
    const { market } = setup();
    await market.publish(await pkg('1.0.0'));
    const results = await Promise.allSettled([
      market.install(admin, { pluginId: 'sample-enricher' }),
      market.install(admin, { pluginId: 'sample-enricher' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await market.installations('org-a')).toHaveLength(1);
  });

  it('routes high-risk installs through the hook: pending → APPROVAL_REQUIRED, then approved with the ref', async () => {
    const approved = new Set<string>();
    const calls: HighRiskRequest[] = [];
    const { market, broker } = setup({
      onHighRiskInstall: (r) => {
        calls.push(r);
        if (r.approvalRef && approved.has(r.approvalRef)) return { status: 'approved', ref: r.approvalRef };
        return { status: 'pending', ref: 'review_1' };
      },
    });
    await market.publish(await pkg('1.0.0'));
    await market.install(admin, { pluginId: 'sample-enricher' }); // low risk: no hook
    expect(calls).toHaveLength(0);
    let err: unknown;
    try {
      await market.setOptionalScopes(admin, 'sample-enricher', { scopes: ['cases:write'] });
    } catch (e) {
      err = e;
    }
    expect(isIntelGraphError(err, 'APPROVAL_REQUIRED') && err.details.ref).toBe('review_1');
    expect(await broker.scopes('org-a', 'sample-enricher')).toEqual(['graph:read']);
    approved.add('review_1');
    const done = await market.setOptionalScopes(admin, 'sample-enricher', {
      scopes: ['cases:write'],
      approvalRef: 'review_1',
    });
    expect(done.grants).toEqual(['cases:write', 'graph:read']);
    expect(calls.at(-1)).toMatchObject({ action: 'optional', adding: ['cases:write'], risk: 'high' });
  });

  it('a denied high-risk install writes nothing', async () => {
    const { market } = setup({ onHighRiskInstall: () => ({ status: 'denied', reason: 'policy' }) });
    await market.publish(await pkg('1.0.0', { capabilities: { cases: ['write'] } }));
    expect(await codeOf(market.install(admin, { pluginId: 'sample-enricher' }))).toBe('FORBIDDEN');
    expect(await market.installations('org-a')).toEqual([]);
  });
});

describe('uninstall', () => {
  it('revokes every grant, evicts the code, is audited, and a re-install starts from nothing', async () => {
    const { market, broker, audit, evicted } = setup();
    await market.publish(await pkg('1.0.0'));
    const inst = await market.install(admin, {
      pluginId: 'sample-enricher',
      grant: ['cases:read', 'cases:write'],
    });
    expect(inst.grants).toHaveLength(3);
    const { revoked } = await market.uninstall(admin, 'sample-enricher');
    expect(revoked.sort()).toEqual(['cases:read', 'cases:write', 'graph:read']);
    expect(await broker.list('org-a')).toEqual([]);
    expect(evicted).toEqual([inst.codeSha256]);
    expect((await audit.list({ type: 'plugin.uninstalled' }))[0]?.data).toMatchObject({
      revoked: ['cases:read', 'cases:write', 'graph:read'],
    });
    const again = await market.install(admin, { pluginId: 'sample-enricher' });
    expect(again.grants).toEqual(['graph:read']);
    expect(again.optionalScopes).toEqual([]);
    expect(await codeOf(market.uninstall(admin, 'not-installed'))).toBe('NOT_FOUND');
  });
});

describe('update', () => {
  it('a new required capability leaves the plugin installed but disabled until re-consent', async () => {
    const { market, evicted } = setup();
    await market.publish(await pkg('1.0.0'));
    await market.publish(
      await pkg('1.1.0', {
        capabilities: { graph: ['read'], cases: ['read'] },
        optionalCapabilities: { cases: ['write'] },
      }),
    );
    const first = await market.install(admin, { pluginId: 'sample-enricher', version: '^1.0.0' });
    expect(first.version).toBe('1.1.0');
    await market.uninstall(admin, 'sample-enricher');
    await market.install(admin, { pluginId: 'sample-enricher', version: '1.0.0' });
    const updated = await market.update(admin, 'sample-enricher', { version: '1.1.0' });
    expect(updated).toMatchObject({
      version: '1.1.0',
      status: 'disabled',
      disabledReason: 'consent_required',
      pendingScopes: ['cases:read'],
    });
    expect(updated.grants).toEqual(['graph:read']);
    expect(await codeOf(market.installation('org-a', 'sample-enricher'))).toBe('FORBIDDEN');
    expect(evicted).toHaveLength(2); // the uninstall, then the update away from 1.0.0
    const consented = await market.consent(admin, 'sample-enricher');
    expect(consented).toMatchObject({ status: 'enabled', pendingScopes: [] });
    expect(consented.grants).toEqual(['cases:read', 'graph:read']);
    const run = await market.installation('org-a', 'sample-enricher');
    expect(run.code).toContain('1.1.0');
  });

  it('an update that asks for fewer capabilities drops the extra grants', async () => {
    const { market } = setup();
    await market.publish(await pkg('1.0.0', { capabilities: { graph: ['read'], cases: ['read'] } }));
    await market.publish(
      await pkg('1.1.0', { capabilities: { graph: ['read'] }, optionalCapabilities: { cases: ['write'] } }),
    );
    const inst = await market.install(admin, {
      pluginId: 'sample-enricher',
      version: '1.0.0',
      grant: ['cases:write'],
    });
    expect(inst.grants).toEqual(['cases:read', 'cases:write', 'graph:read']);
    const updated = await market.update(admin, 'sample-enricher', { version: '1.1.0' });
    expect(updated.status).toBe('enabled');
    expect(updated.grants).toEqual(['cases:write', 'graph:read']);
    const smaller = await market.publish(
      await pkg('1.2.0', { capabilities: { graph: ['read'] }, optionalCapabilities: {} }),
    );
    expect(smaller.optionalScopes).toEqual([]);
    expect((await market.update(admin, 'sample-enricher', { version: '1.2.0' })).grants).toEqual([
      'graph:read',
    ]);
  });

  it('pinned installs never auto-update; range installs follow their range', async () => {
    const { market } = setup();
    await market.publish(await pkg('1.0.0'));
    const other: Actor = { userId: 'carol', orgId: 'org-b', roles: ['plugin-admin'] };
    await market.install(admin, { pluginId: 'sample-enricher', version: '1.0.0' });
    await market.install(other, { pluginId: 'sample-enricher', version: '^1.0.0' });
    await market.publish(await pkg('1.1.0'));
    await market.publish(await pkg('2.0.0'));
    expect(await market.autoUpdate(admin)).toEqual([]);
    expect((await market.installations('org-a'))[0]?.version).toBe('1.0.0');
    const moved = await market.autoUpdate(other);
    expect(moved.map((i) => i.version)).toEqual(['1.1.0']);
    expect(await codeOf(market.update(admin, 'sample-enricher'))).toBe('INVALID_INPUT');
  });

  it('a yanked version stays installed where pinned but cannot be installed afresh', async () => {
    const { market } = setup();
    await market.publish(await pkg('1.0.0'));
    await market.publish(await pkg('1.0.1'));
    await market.install(admin, { pluginId: 'sample-enricher', version: '1.0.1' });
    expect(
      await codeOf(market.yank(admin, { pluginId: 'sample-enricher', version: '1.0.1', reason: 'bug' })),
    ).toBe('FORBIDDEN');
    await market.yank(
      { userId: 'dev', orgId: 'acme', roles: ['publisher:acme'] },
      { pluginId: 'sample-enricher', version: '1.0.1', reason: 'bug' },
    );
    expect((await market.installation('org-a', 'sample-enricher')).installation.version).toBe('1.0.1');
    const other: Actor = { userId: 'carol', orgId: 'org-b', roles: ['admin'] };
    expect(await codeOf(market.install(other, { pluginId: 'sample-enricher', version: '1.0.1' }))).toBe(
      'FORBIDDEN',
    );
    expect((await market.install(other, { pluginId: 'sample-enricher', version: '^1.0.0' })).version).toBe(
      '1.0.0',
    );
    expect((await market.detail('sample-enricher')).latestVersion).toBe('1.0.0');
  });
});

describe('key revocation', () => {
  it('invalidates versions signed by the key: pinned installs keep running with a warning, unpinned ones stop', async () => {
    const { market, audit } = setup();
    await market.publish(await pkg('1.0.0'));
    const other: Actor = { userId: 'carol', orgId: 'org-b', roles: ['admin'] };
    await market.install(admin, { pluginId: 'sample-enricher', version: '1.0.0' });
    await market.install(other, { pluginId: 'sample-enricher', version: '^1.0.0' });
    const keyId = (await market.trust.list('acme'))[0]?.keyId as string;
    const r = await market.revokeKey(operator, keyId, 'key leaked');
    expect(r.versions).toEqual(['sample-enricher@1.0.0']);
    const pinned = await market.installation('org-a', 'sample-enricher');
    expect(pinned.installation.warnings).toEqual(['key_revoked']);
    expect(await codeOf(market.installation('org-b', 'sample-enricher'))).toBe('FORBIDDEN');
    const third: Actor = { userId: 'dan', orgId: 'org-c', roles: ['admin'] };
    expect(await codeOf(market.install(third, { pluginId: 'sample-enricher', version: '1.0.0' }))).toBe(
      'SIGNATURE_INVALID',
    );
    expect(await market.search({ q: 'enricher' })).toEqual([]);
    // a new key and a new version bring the unpinned org back
    const fresh = generatePublisherKeyPair();
    await market.trustKey(operator, 'acme', fresh.publicKeyPem);
    await market.publish(await pkg('1.0.1', {}, fresh.privateKeyPem));
    const [moved] = await market.autoUpdate(other);
    expect(moved).toMatchObject({ version: '1.0.1', status: 'enabled', warnings: [] });
    expect((await audit.list({ type: 'plugin.key_revoked' })).length).toBe(2);
  });
});

describe('ratings', () => {
  it('only users whose org installed the plugin may rate; one rating per user, editable', async () => {
    const { market } = setup();
    await market.publish(await pkg('1.0.0'));
    expect(await codeOf(market.rate(analyst, 'sample-enricher', { stars: 5 }))).toBe('FORBIDDEN');
    await market.install(admin, { pluginId: 'sample-enricher' });
    await market.rate(analyst, 'sample-enricher', { stars: 5 });
    await market.rate(analyst, 'sample-enricher', { stars: 2, comment: 'changed my mind' });
    const summary = await market.rating('sample-enricher');
    expect(summary).toMatchObject({ count: 1, average: 2 });
    expect(summary.score).toBeCloseTo((3 * 5 + 2) / 6, 2);
    expect(await codeOf(market.rate(analyst, 'sample-enricher', { stars: 6 }))).toBe('INVALID_INPUT');
  });

  it('damps a rating flood from one org', async () => {
    const { market } = setup();
    await market.publish(await pkg('1.0.0'));
    const flooder: Actor = { userId: 'f0', orgId: 'org-flood', roles: ['admin'] };
    await market.install(flooder, { pluginId: 'sample-enricher' });
    for (let i = 0; i < 100; i++)
      await market.rate({ ...flooder, userId: `f${i}` }, 'sample-enricher', { stars: 1 });
    const s = await market.rating('sample-enricher');
    expect(s.count).toBe(100);
    expect(s.effectiveCount).toBe(3);
    expect(s.score).toBeCloseTo((3 * 5 + 1 * 3) / 8, 2);
  });
});

describe("platform-wide roles (the authorizer's platformOrgs)", () => {
  it('counts moderate and operate roles only in a platform org; a publisher still yanks its own versions', async () => {
    const { market, audit } = setup({ authorizer: createAuthorizer({ platformOrgs: ['market'] }) });
    await market.publish(await pkg('1.0.0'));
    const before = (await audit.list({})).length;
    // A tenant admin who gave themselves every platform role inside their own org.
    const selfMade: Actor = { userId: 'eve', orgId: 'globex', roles: ['moderator', 'marketplace-admin'] };
    const hide = { pluginId: 'sample-enricher', version: '1.0.0', reason: 'takeover' };
    expect(await codeOf(market.moderate(selfMade, { ...hide, action: 'hide' }))).toBe('FORBIDDEN');
    expect(await codeOf(market.moderation.setHidden(selfMade, { ...hide, hidden: true }))).toBe('FORBIDDEN');
    expect(await codeOf(market.moderation.queue(selfMade))).toBe('FORBIDDEN');
    expect(await codeOf(market.reports(selfMade))).toBe('FORBIDDEN');
    expect(await codeOf(market.yank(selfMade, hide))).toBe('FORBIDDEN');
    expect(await codeOf(market.trustKey(selfMade, 'evil', acme.publicKeyPem))).toBe('FORBIDDEN');
    const keyId = (await market.trust.list('acme'))[0]?.keyId as string;
    expect(await codeOf(market.revokeKey(selfMade, keyId, 'takeover'))).toBe('FORBIDDEN');
    expect(await codeOf(market.rotateKey(selfMade, 'acme', acme.publicKeyPem))).toBe('FORBIDDEN');
    // Nothing was written by the refused calls.
    expect((await audit.list({})).length).toBe(before);
    expect((await market.detail('sample-enricher')).versions[0]?.hidden).toBe(false);
    // The operator org's roles count; the publisher yanks its own version from wherever it signs in.
    await market.moderate(moderator, { ...hide, action: 'hide', reason: 'confirmed' });
    expect((await market.detail('sample-enricher')).versions[0]?.hidden).toBe(true);
    await market.yank(
      { userId: 'dev', orgId: 'acme', roles: ['publisher:acme'] },
      { ...hide, reason: 'bug' },
    );
    expect((await market.detail('sample-enricher')).versions[0]?.yanked).toBe(true);
  });
});

describe('the authorizer decides who may act', () => {
  it('an override of plugins.install lets it-ops install, update, consent and uninstall, and no longer admin', async () => {
    const { market } = setup({ authorizer: createAuthorizer({ roles: { 'plugins.install': ['it-ops'] } }) });
    await market.publish(await pkg('1.0.0'));
    const itOps: Actor = { userId: 'ivan', orgId: 'org-a', roles: ['it-ops'] };
    const refused = market.install(admin, { pluginId: 'sample-enricher', version: '1.0.0' });
    await expect(refused).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { permission: 'plugins.install', roles: ['it-ops'] },
    });
    expect(await market.installations('org-a')).toEqual([]);
    const inst = await market.install(itOps, { pluginId: 'sample-enricher', version: '1.0.0' });
    expect(inst.grants).toEqual(['graph:read']);
    expect(await codeOf(market.setOptionalScopes(admin, 'sample-enricher', { scopes: ['cases:read'] }))).toBe(
      'FORBIDDEN',
    );
    expect(
      (await market.setOptionalScopes(itOps, 'sample-enricher', { scopes: ['cases:read'] })).grants,
    ).toEqual(['cases:read', 'graph:read']);
    expect(await codeOf(market.uninstall(admin, 'sample-enricher'))).toBe('FORBIDDEN');
    expect(await market.uninstall(itOps, 'sample-enricher')).toMatchObject({
      revoked: ['cases:read', 'graph:read'],
    });
  });

  it('an override of plugins.moderate and plugins.operate moves moderation, keys and yanking to other roles', async () => {
    const authorizer = createAuthorizer({
      roles: { 'plugins.moderate': ['trust-and-safety'], 'plugins.operate': ['catalog-ops'] },
      platformOrgs: ['market'],
    });
    const { market } = setup({ authorizer });
    await market.publish(await pkg('1.0.0'));
    const hide = { pluginId: 'sample-enricher', version: '1.0.0', reason: 'review' };
    // The default roles no longer count.
    expect(await codeOf(market.moderate(moderator, { ...hide, action: 'hide' }))).toBe('FORBIDDEN');
    expect(await codeOf(market.moderation.queue(moderator))).toBe('FORBIDDEN');
    expect(await codeOf(market.trustKey(operator, 'other', acme.publicKeyPem))).toBe('FORBIDDEN');
    expect(await codeOf(market.yank(operator, hide))).toBe('FORBIDDEN');
    // The new ones do, in the platform org only.
    const tns: Actor = { userId: 'tina', orgId: 'market', roles: ['trust-and-safety'] };
    const ops: Actor = { userId: 'oscar', orgId: 'market', roles: ['catalog-ops'] };
    const tenantOps: Actor = { userId: 'eve', orgId: 'globex', roles: ['catalog-ops', 'trust-and-safety'] };
    await expect(market.yank(tenantOps, hide)).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { permission: 'plugins.operate', roles: ['catalog-ops'], platformOrgs: ['market'] },
    });
    expect(await codeOf(market.moderation.queue(tenantOps))).toBe('FORBIDDEN');
    await market.moderation.setHidden(tns, { ...hide, hidden: true });
    expect((await market.detail('sample-enricher')).versions[0]?.hidden).toBe(true);
    expect((await market.moderate(tns, { ...hide, action: 'restore' })).hidden).toBe(false);
    expect((await market.yank(ops, hide)).yanked).toBe(true);
  });

  it('without an authorizer, the default table holds and every org counts as a platform org', async () => {
    const { market } = setup();
    await market.publish(await pkg('1.0.0'));
    const tenantMod: Actor = { userId: 'm', orgId: 'globex', roles: ['moderator'] };
    expect((await market.moderation.queue(tenantMod)).items).toEqual([]);
    expect(
      await codeOf(market.install({ ...admin, roles: ['plugin-admin'] }, { pluginId: 'sample-enricher' })),
    ).toBe('ok');
  });
});

describe('abuse reports', () => {
  it('hides a version from search once reports from enough distinct orgs arrive; a moderator restores it', async () => {
    const { market, audit } = setup({ reportThreshold: 2 });
    await market.publish(await pkg('1.0.0'));
    expect((await market.search({ q: 'enricher' })).map((h) => h.pluginId)).toEqual(['sample-enricher']);
    const r1: Actor = { userId: 'u1', orgId: 'org-x', roles: [] };
    await market.report(r1, {
      pluginId: 'sample-enricher',
      version: '1.0.0',
      category: 'malware',
      details: 'phones home',
    });
    expect(
      await codeOf(market.report(r1, { pluginId: 'sample-enricher', version: '1.0.0', category: 'spam' })),
    ).toBe('CONFLICT');
    await market.report(
      { userId: 'u2', orgId: 'org-x', roles: [] },
      { pluginId: 'sample-enricher', version: '1.0.0', category: 'malware' },
    );
    expect(await market.search({ q: 'enricher' })).toHaveLength(1); // one org is not enough
    await market.report(
      { userId: 'u3', orgId: 'org-y', roles: [] },
      { pluginId: 'sample-enricher', version: '1.0.0', category: 'malware' },
    );
    expect(await market.search({ q: 'enricher' })).toEqual([]);
    expect((await market.detail('sample-enricher')).versions[0]?.hidden).toBe(true);
    expect(await codeOf(market.reports(admin))).toBe('FORBIDDEN');
    expect(await market.reports(moderator, { status: 'open' })).toHaveLength(3);
    await market.moderate(moderator, {
      pluginId: 'sample-enricher',
      version: '1.0.0',
      action: 'restore',
      reason: 'false alarm',
    });
    expect(await market.search({ q: 'enricher' })).toHaveLength(1);
    expect(await market.reports(moderator, { status: 'dismissed' })).toHaveLength(3);
    await market.moderate(moderator, {
      pluginId: 'sample-enricher',
      version: '1.0.0',
      action: 'hide',
      reason: 'confirmed',
    });
    expect(await market.search({ q: 'enricher' })).toEqual([]);
    expect(await codeOf(market.install(admin, { pluginId: 'sample-enricher', version: '1.0.0' }))).toBe(
      'FORBIDDEN',
    );
    expect((await audit.list({ type: 'moderation.restored' }))[0]?.actor).toEqual({
      userId: 'mod',
      orgId: 'market',
    });
    expect(await audit.list({ type: 'moderation.hidden' })).toHaveLength(1);
    expect(await audit.list({ type: 'moderation.auto_hidden' })).toHaveLength(1);
  });
});
