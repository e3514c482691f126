import { CapabilityBroker } from '@intelgraph/capabilities';
import {
  type Actor,
  createAuditTrail,
  createAuthorizer,
  createManualClock,
  createMemoryAuditStore,
  isIntelGraphError,
  sequentialIds,
} from '@intelgraph/core';
import { describe, expect, it } from 'vitest';
import { generatePublisherKeyPair } from './keys.js';
import { createMarketplace } from './marketplace.js';
import { createMemoryMarketplaceStore } from './memory-store.js';
import { createModeration } from './moderation.js';
import { signPluginPackage } from './signing.js';

const acme = generatePublisherKeyPair();
const moderator: Actor = { userId: 'dave', orgId: 'market', roles: ['moderator'] };
const admin: Actor = { userId: 'alice', orgId: 'org-a', roles: ['admin'] };

async function setup() {
  const clock = createManualClock();
  const audit = createAuditTrail({ store: createMemoryAuditStore(), clock, ids: sequentialIds() });
  const market = createMarketplace({
    store: createMemoryMarketplaceStore(),
    broker: new CapabilityBroker({ audit, clock }),
    audit,
    clock,
    ids: sequentialIds(),
    trust: [{ publisher: 'acme', publicKey: acme.publicKeyPem }],
    reportThreshold: 5,
  });
  await market.publish(
    await signPluginPackage(
      {
        manifest: {
          name: 'sample-enricher',
          version: '1.0.0',
          entry: 'index.js',
          publisher: 'acme',
          capabilities: { graph: ['read'] },
        },
        files: { 'index.js': 'exports.run = async () => 1;' },
      },
      acme.privateKeyPem,
    ),
  );
  return { market, audit };
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

describe('moderation queue', () => {
  it('groups open reports per plugin and version, hides and unhides, and resolves them with a reason', async () => {
    const { market, audit } = await setup();
    const target = { pluginId: 'sample-enricher', version: '1.0.0' };
    await market.report(
      { userId: 'u1', orgId: 'org-a', roles: ['analyst'] },
      { ...target, category: 'spam' },
    );
    await market.report(
      { userId: 'u2', orgId: 'org-b', roles: ['analyst'] },
      { ...target, category: 'malware', details: 'calls home' },
    );

    expect(await codeOf(market.moderation.queue(admin))).toBe('FORBIDDEN');
    const { items } = await market.moderation.queue(moderator);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ ...target, openReports: 2, reportingOrgs: 2, hidden: false });
    expect(items[0]?.categories.map((c) => c.category).sort()).toEqual(['malware', 'spam']);

    const hidden = await market.moderation.setHidden(moderator, {
      ...target,
      hidden: true,
      reason: 'Checking',
    });
    expect(hidden).toMatchObject({ hidden: true, openReports: 2 });
    expect((await market.search({ q: 'enricher' })).length).toBe(0);
    await market.moderation.setHidden(moderator, { ...target, hidden: false, reason: 'Looks fine' });
    expect((await market.search({ q: 'enricher' })).length).toBe(1);

    expect(
      await codeOf(market.moderation.resolve(moderator, { ...target, outcome: 'dismissed', reason: ' ' })),
    ).toBe('INVALID_INPUT');
    const resolved = await market.moderation.resolve(moderator, {
      ...target,
      outcome: 'dismissed',
      reason: 'Works as documented',
    });
    expect(resolved.openReports).toBe(0);
    expect(resolved.reports.every((r) => r.status === 'dismissed' && r.resolvedBy === 'dave')).toBe(true);
    expect(
      await codeOf(market.moderation.resolve(moderator, { ...target, outcome: 'upheld', reason: 'again' })),
    ).toBe('CONFLICT');

    const after = await market.moderation.queue(moderator);
    expect(after.items).toHaveLength(0);
    expect(after.recent[0]).toMatchObject({ ...target, outcome: 'dismissed', reason: 'Works as documented' });
    expect((await market.moderation.queue(moderator, { includeResolved: true })).items).toHaveLength(1);
    const types = (await audit.list({ subject: 'plugin:sample-enricher' })).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['moderation.hidden', 'moderation.restored', 'moderation.resolved']),
    );
  });
});

describe('createModeration on its own', () => {
  it('asks its authorizer: an override moves moderation to another role, in the platform orgs only', async () => {
    const store = createMemoryMarketplaceStore();
    const audit = createAuditTrail({ store: createMemoryAuditStore(), ids: sequentialIds() });
    const moderation = createModeration({
      store,
      audit,
      authorizer: createAuthorizer({
        roles: { 'plugins.moderate': ['trust-and-safety'] },
        platformOrgs: ['market'],
      }),
      now: () => '2026-01-01T00:00:00.000Z',
      onVisibilityChange: () => undefined,
    });
    expect(await codeOf(moderation.queue(moderator))).toBe('FORBIDDEN');
    const tenant: Actor = { userId: 'eve', orgId: 'globex', roles: ['trust-and-safety'] };
    await expect(moderation.queue(tenant)).rejects.toMatchObject({
      code: 'FORBIDDEN',
      details: { permission: 'plugins.moderate', platformOrgs: ['market'] },
    });
    const tina: Actor = { userId: 'tina', orgId: 'market', roles: ['trust-and-safety'] };
    expect(await moderation.queue(tina)).toEqual({ items: [], recent: [] });
  });
});
