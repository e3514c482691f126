// Seeds a host with what the demo and the web app need: the sample plugins (signed at start with a
// fresh demo key), a catalog of further plugins for search, contracts, graph entities, cases and quotas.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Actor } from '@intelgraph/core';
import type { ExtensionHost } from '@intelgraph/host';
import { generatePublisherKeyPair, publicKeyPem, signPluginPackage } from '@intelgraph/marketplace';
import { buildSamplePlugins, SAMPLE_PLUGINS, SAMPLE_PUBLISHER } from '../../plugins/build.js';

const root = join(import.meta.dirname, '..', '..', '..');

/** The demo's personas (development-mode identities; the web app offers the same switcher). */
export const USERS = {
  alice: { userId: 'alice', orgId: 'acme', roles: ['analyst', 'admin'] },
  bob: { userId: 'bob', orgId: 'acme', roles: ['steward'] },
  carol: { userId: 'carol', orgId: 'acme', roles: ['steward', 'legal'] },
  dave: { userId: 'dave', orgId: 'acme', roles: ['moderator'] },
  erin: { userId: 'erin', orgId: 'globex', roles: ['analyst', 'admin'] },
} satisfies Record<string, Actor>;

const ENTITIES = [
  {
    id: 'org-acme',
    type: 'Organization',
    name: 'Acme Corporation',
    aliases: ['Acme Corp', 'ACME'],
    properties: { degree: 42, flags: ['sanctions-watch', 'offshore'] },
  },
  {
    id: 'org-acme-holdings',
    type: 'Organization',
    name: 'Acme Holdings Ltd',
    aliases: ['Acme Holdings'],
    properties: { degree: 17, flags: ['offshore'] },
  },
  {
    id: 'org-acme-shipping',
    type: 'Organization',
    name: 'Acme Shipping',
    aliases: [],
    properties: { degree: 8, flags: [] },
  },
  {
    id: 'per-wile',
    type: 'Person',
    name: 'Wile E. Coyote',
    aliases: ['W. Coyote'],
    properties: { degree: 12, flags: ['pep'] },
  },
  { id: 'per-road', type: 'Person', name: 'Road Runner', aliases: [], properties: { degree: 3, flags: [] } },
  {
    id: 'acc-acme-1',
    type: 'Account',
    name: 'Acme operating account',
    aliases: [],
    properties: { degree: 5, flags: ['high-volume'] },
  },
  {
    id: 'org-globex',
    type: 'Organization',
    name: 'Globex Corporation',
    aliases: ['Globex'],
    properties: { degree: 30, flags: [] },
  },
];
const RELATIONSHIPS = [
  { type: 'OWNS', from: 'org-acme-holdings', to: 'org-acme' },
  { type: 'OWNS', from: 'org-acme', to: 'org-acme-shipping' },
  { type: 'DIRECTOR_OF', from: 'per-wile', to: 'org-acme' },
  { type: 'HOLDS', from: 'org-acme', to: 'acc-acme-1' },
];

/** Further catalog entries, so search, filters and ratings have something to work on. */
const CATALOG_EXTRAS = [
  {
    name: 'sanctions-screener',
    description: 'Screens entities against sanctions lists and flags matches.',
    tags: ['sanctions', 'screening', 'compliance'],
    capabilities: { graph: ['read', 'write'] },
  },
  {
    name: 'geo-enricher',
    description: 'Adds coordinates and region codes to addresses in the graph.',
    tags: ['geo', 'enrichment'],
    capabilities: { graph: ['read'] },
    optionalCapabilities: { cases: ['read'] },
  },
  {
    name: 'timeline-overlay',
    description: 'Visual overlay: draws events of a case on a timeline.',
    tags: ['visualization', 'timeline', 'overlay'],
    capabilities: { cases: ['read'] },
  },
  {
    name: 'web-archive-fetcher',
    description: 'Fetches archived web pages for citations (network access to the archive only).',
    tags: ['osint', 'web', 'citations'],
    capabilities: { network: { allow: ['archive.example.org'] } },
  },
  {
    name: 'case-triage',
    description: 'Suggests a priority for new cases from linked entity risk flags.',
    tags: ['cases', 'triage'],
    capabilities: { cases: ['read', 'write'], graph: ['read'] },
  },
];

/** What {@link seedHost} set up. */
export interface Seeded {
  publisher: string;
  plugins: string[];
}

/**
 * Trusts a fresh demo publisher key, publishes the sample plugins and a small catalog, registers the
 * contracts (`person` v1 and v2, `case-export` v1), seeds graph entities and cases, and sets quotas.
 */
export async function seedHost(host: ExtensionHost): Promise<Seeded> {
  const key = generatePublisherKeyPair();
  const admin = { userId: 'platform', orgId: 'intelgraph', roles: ['marketplace-admin', 'admin'] };
  await host.plugins.trustKey(admin, SAMPLE_PUBLISHER, publicKeyPem(key.privateKeyPem));
  const samples = await buildSamplePlugins(key);
  for (const pkg of samples.packages) await host.plugins.publish(null, pkg);

  for (const extra of CATALOG_EXTRAS) {
    const manifest = {
      ...extra,
      version: '1.0.0',
      entry: 'index.js',
      publisher: SAMPLE_PUBLISHER,
      budgets: { ms: 800 },
    };
    const code = `module.exports.run = async (input) => ({ plugin: ${JSON.stringify(extra.name)}, input });\n`;
    await host.plugins.publish(
      null,
      await signPluginPackage({ manifest, files: { 'index.js': code } }, key.privateKeyPem),
    );
  }

  const contract = async (file: string) => JSON.parse(await readFile(join(root, file), 'utf8')) as unknown;
  const steward = USERS.bob;
  await host.contracts.register(steward, {
    subject: 'person',
    format: 'json',
    schema: await contract('contracts/person.v1.json'),
  });
  await host.contracts.register(steward, {
    subject: 'person',
    format: 'json',
    schema: await contract('contracts/person.v2.json'),
  });
  await host.contracts.register(steward, {
    subject: 'enricher-query',
    format: 'json',
    schema: await contract('examples/plugins/sample-enricher/contracts/enricher-query.schema.json'),
  });
  await host.contracts.register(steward, {
    subject: 'case-export',
    format: 'json',
    schema: await contract('examples/plugins/case-exporter/contracts/case-export.schema.json'),
  });

  // The graph is partitioned by org: each demo org gets its own copy of the public-company graph.
  for (const org of ['acme', 'globex']) {
    await host.internals.graph.forOrg(org).upsert({ entities: ENTITIES, relationships: RELATIONSHIPS });
  }
  for (const [org, title, entityIds] of [
    ['acme', 'Acme offshore structure review', ['org-acme', 'org-acme-holdings']],
    ['acme', 'Director screening: W. Coyote', ['per-wile']],
    ['globex', 'Globex onboarding', ['org-globex']],
  ] as const) {
    await host.internals.cases.create({
      orgId: org,
      title,
      description: `Seeded case: ${title}`,
      createdBy: 'seed',
      entityIds: [...entityIds],
    });
  }

  await host.finops.setQuota(USERS.alice, { resource: 'calls', limit: 1_000, window: 'hour', mode: 'hard' });
  await host.finops.setQuota(USERS.alice, {
    pluginId: 'sample-enricher',
    resource: 'rows',
    limit: 50_000,
    window: 'day',
    mode: 'soft',
  });
  // Abuse reports for the moderators' queue (dave): two orgs on one version, below the auto-hide
  // threshold, so the plugin stays listed until a moderator decides.
  await host.plugins.report(USERS.erin, {
    pluginId: 'case-triage',
    version: '1.0.0',
    category: 'broken',
    details: 'Marks every new case as urgent, whatever its entities.',
  });
  await host.plugins.report(USERS.bob, {
    pluginId: 'case-triage',
    version: '1.0.0',
    category: 'privacy',
    details: 'Writes case titles into its logs.',
  });
  return { publisher: SAMPLE_PUBLISHER, plugins: [...SAMPLE_PLUGINS, ...CATALOG_EXTRAS.map((e) => e.name)] };
}
