import type { CatalogRiskLevel } from '@intelgraph/core';
import { describe, expect, it } from 'vitest';
import { riskLevel } from './risk.js';
import { createSearchIndex, type EmbeddingProvider, type SearchDocument } from './search.js';

function doc(
  pluginId: string,
  description: string,
  tags: string[],
  scopes: string[],
  extra: Partial<SearchDocument> = {},
): SearchDocument {
  return {
    pluginId,
    version: '1.0.0',
    description,
    tags,
    publisher: 'acme',
    scopes,
    risk: riskLevel(scopes),
    rating: 3,
    ...extra,
  };
}

// 20 hand-written plugins that the queries target, and 180 generated ones that compete with them.
const anchors: SearchDocument[] = [
  doc(
    'geo-heatmap',
    'Visual overlay that renders entity locations as a heatmap on the map',
    ['visualization', 'map', 'geo'],
    ['graph:read'],
  ),
  doc(
    'timeline-overlay',
    'Visual overlay showing case events on an interactive timeline',
    ['visualization', 'timeline'],
    ['cases:read'],
  ),
  doc(
    'link-chart-overlay',
    'Overlay drawing link charts between related entities',
    ['visualization', 'graph'],
    ['graph:read'],
  ),
  doc(
    'csv-exporter',
    'Export case findings to CSV files under a data contract',
    ['export', 'csv'],
    ['cases:read', 'cases:export'],
  ),
  doc(
    'pdf-report-exporter',
    'Export a case as a PDF report for briefings',
    ['export', 'pdf', 'report'],
    ['cases:read', 'cases:export'],
    { rating: 3.2 },
  ),
  doc(
    'docx-report-exporter',
    'Export a case as a DOCX report for briefings',
    ['export', 'docx', 'report'],
    ['cases:read', 'cases:export'],
    { rating: 4.7 },
  ),
  doc(
    'graphml-exporter',
    'Export the entity graph as GraphML',
    ['export', 'graph'],
    ['graph:read', 'graph:export'],
  ),
  doc(
    'sanctions-screening',
    'Screen entities against sanctions lists such as OFAC and the EU consolidated list',
    ['compliance', 'sanctions'],
    ['graph:read', 'net:api.sanctions.example'],
    { publisher: 'regtech' },
  ),
  doc(
    'pep-screening',
    'Screen people against politically exposed person lists',
    ['compliance', 'kyc'],
    ['graph:read', 'net:pep.example'],
    { publisher: 'regtech' },
  ),
  doc(
    'entity-resolver',
    'Resolve duplicate entities and suggest merges',
    ['dedupe', 'graph'],
    ['graph:read', 'graph:merge'],
  ),
  doc(
    'sentiment-analyzer',
    'Sentiment scoring for documents and messages',
    ['nlp', 'sentiment'],
    ['cases:read'],
  ),
  doc(
    'sample-enricher',
    'Scores entities deterministically from graph features',
    ['enrichment', 'scoring'],
    ['graph:read'],
    { rating: 4.1 },
  ),
  doc(
    'whois-enricher',
    'Enrich domains with WHOIS registration data',
    ['enrichment', 'domains'],
    ['graph:read', 'net:whois.example.org'],
  ),
  doc(
    'ip-geolocation',
    'Geolocate IP addresses and enrich them with country and ASN',
    ['enrichment', 'geo', 'network'],
    ['graph:read', 'net:geo.example.org'],
  ),
  doc(
    'phone-normalizer',
    'Normalize phone numbers to E.164',
    ['cleanup', 'phone'],
    ['graph:read', 'graph:write'],
  ),
  doc(
    'address-parser',
    'Parse postal addresses into structured fields',
    ['cleanup', 'address'],
    ['graph:read'],
  ),
  doc(
    'nl2cypher-assistant',
    'Ask questions in plain language; translated to graph queries',
    ['nlp', 'query'],
    ['graph:read', 'use:nl2cypher'],
  ),
  doc(
    'case-triage',
    'Prioritise incoming cases by urgency',
    ['cases', 'triage'],
    ['cases:read', 'cases:write'],
  ),
  doc(
    'crypto-wallet-tracer',
    'Trace cryptocurrency wallet transactions across chains',
    ['crypto', 'blockchain'],
    ['graph:read', 'net:chain.example.com'],
    { publisher: 'chainlabs' },
  ),
  doc(
    'image-exif-reader',
    'Read EXIF metadata from images attached to cases',
    ['images', 'metadata'],
    ['cases:read'],
  ),
];

// Deterministic filler: combinations of generic words, some mentioning anchor terms in passing.
const adjectives = ['quick', 'smart', 'bulk', 'tiny', 'secure', 'fast', 'simple', 'daily', 'team', 'shared'];
const nouns = [
  'notes',
  'labels',
  'tables',
  'tasks',
  'alerts',
  'filters',
  'columns',
  'widgets',
  'tabs',
  'icons',
  'badges',
  'forms',
  'lists',
  'queues',
  'sorts',
  'pins',
  'colors',
  'fonts',
];
const asides = [
  '',
  '',
  '',
  'with export of settings',
  'can render a small map legend',
  'report a summary count',
  'screening of blank rows',
  'enrich labels with emoji',
];
const filler: SearchDocument[] = [];
for (let i = 0; filler.length < 180; i++) {
  const a = adjectives[i % adjectives.length] as string;
  const n = nouns[Math.floor(i / adjectives.length) % nouns.length] as string;
  const aside = asides[(i * 7) % asides.length] as string;
  const scopes = i % 3 === 0 ? ['cases:read'] : i % 3 === 1 ? ['graph:read'] : ['graph:read', 'cases:write'];
  filler.push(
    doc(
      `${a}-${n}-${i}`,
      `Helper for ${a} ${n} in the workspace ${aside}`.trim(),
      ['productivity', n],
      scopes,
      { publisher: i % 2 ? 'toolsmith' : 'acme', rating: 1 + ((i * 37) % 40) / 10 },
    ),
  );
}
const catalog = [...anchors, ...filler];

async function top(
  q: Parameters<ReturnType<typeof createSearchIndex>['search']>[0],
  n = 3,
): Promise<string[]> {
  const index = createSearchIndex();
  await index.replace(catalog);
  return (await index.search(q)).slice(0, n).map((h) => h.pluginId);
}

describe('search over a fixture catalog of 200 plugins', () => {
  it('holds 200 plugins', async () => {
    const index = createSearchIndex();
    await index.replace(catalog);
    expect(index.size).toBe(200);
  });

  it.each([
    // name and tag matches outrank passing mentions in filler descriptions; the rating lifts docx over pdf
    [{ q: 'exporter' }, ['docx-report-exporter', 'graphml-exporter', 'csv-exporter']],
    // the third hit only mentions "report" in its description
    [{ q: 'report' }, ['docx-report-exporter', 'pdf-report-exporter', 'daily-badges-107']],
    [{ q: 'heatmap' }, ['geo-heatmap']],
    // fuzzy: a typo still finds the plugin
    [{ q: 'sanctons screning' }, ['sanctions-screening', 'pep-screening', 'bulk-alerts-42']],
    // prefix: a partial word
    [{ q: 'enrich' }, ['whois-enricher', 'sample-enricher', 'ip-geolocation']],
    [{ q: 'visual overlay' }, ['timeline-overlay', 'link-chart-overlay', 'geo-heatmap']],
    // capability names are searchable
    [{ q: 'merge' }, ['entity-resolver']],
    [{ q: 'nl2cypher' }, ['nl2cypher-assistant']],
    [{ q: 'crypto wallet' }, ['crypto-wallet-tracer']],
  ])('%o → top-3 %o', async (query, expected) => {
    expect(await top(query)).toEqual(expected);
  });

  it('filters by capability, risk and publisher', async () => {
    expect(await top({ q: 'screening', publisher: 'regtech' })).toEqual([
      'pep-screening',
      'sanctions-screening',
    ]);
    expect(await top({ q: 'exporter', capability: 'graph:export' })).toEqual(['graphml-exporter']);
    const risks: CatalogRiskLevel[] = ['low'];
    const lowEnrichers = await top({ q: 'enrich', risk: risks });
    expect(lowEnrichers[0]).toBe('sample-enricher');
    expect(lowEnrichers).not.toContain('whois-enricher');
    expect(await top({ q: 'geo', risk: 'high' }, 1)).toEqual(['ip-geolocation']);
  });

  it('the weighted rating decides between equally relevant plugins', async () => {
    const index = createSearchIndex();
    const swapped = catalog.map((d) =>
      d.pluginId === 'docx-report-exporter'
        ? { ...d, rating: 2 }
        : d.pluginId === 'pdf-report-exporter'
          ? { ...d, rating: 4.5 }
          : d,
    );
    await index.replace(swapped);
    const hits = await index.search({ q: 'report exporter' });
    expect(hits.slice(0, 2).map((h) => h.pluginId)).toEqual(['pdf-report-exporter', 'docx-report-exporter']);
    expect(hits[0]?.relevance).toBeGreaterThan(0.9);
    expect(hits[1]?.relevance).toBeGreaterThan(0.9);
  });

  it('lists by rating when the query is empty', async () => {
    const index = createSearchIndex();
    await index.replace(catalog);
    const hits = await index.search({ publisher: 'regtech' });
    expect(hits.map((h) => h.pluginId)).toEqual(['pep-screening', 'sanctions-screening']);
    const all = await index.search({ limit: 5 });
    expect(all.map((h) => h.rating)).toEqual([...all.map((h) => h.rating)].sort((a, b) => b - a));
  });

  it('an embedding provider adds semantic matches (hybrid ranking)', async () => {
    // A toy provider: one dimension per concept, so "cartography" lands next to the heatmap.
    const concepts = [
      ['heatmap', 'cartography'],
      ['cryptocurrency', 'payments'],
    ];
    const embeddings: EmbeddingProvider = {
      async embed(texts) {
        return texts.map((t) =>
          concepts.map((words) => words.filter((w) => t.toLowerCase().includes(w)).length),
        );
      },
    };
    const index = createSearchIndex({ embeddings });
    await index.replace(catalog);
    const lexical = createSearchIndex();
    await lexical.replace(catalog);
    expect(await lexical.search({ q: 'cartography' })).toEqual([]);
    const hits = await index.search({ q: 'cartography' });
    expect(hits[0]?.pluginId).toBe('geo-heatmap');
    expect(hits[0]?.semantic).toBeGreaterThan(0.9);
    expect((await index.search({ q: 'payments' }))[0]?.pluginId).toBe('crypto-wallet-tracer');
  });
});
