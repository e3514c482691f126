import { definePlugin, type GraphEntity } from '@intelgraph/marketplace/plugin';

/** Input contract: a search query and how many entities to score. */
export interface EnricherInput {
  q: string;
  limit?: number;
}

/** Output contract: scored entities, best first. */
export interface ScoredEntity {
  id: string;
  label: string;
  type: string;
  score: number;
  /** Which features contributed, for analysts to check the score. */
  features: { match: number; degree: number; flags: number; type: number };
}

const TYPE_WEIGHT: Record<string, number> = { Organization: 1, Person: 0.8, Account: 0.7 };

function numberProp(e: GraphEntity, key: string): number {
  const v = e.properties[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/**
 * A deterministic score in [0, 1] from features the graph already holds (no randomness, so the same
 * graph always gives the same ranking):
 *   0.4 · label match + 0.3 · min(1, degree / 50) + 0.2 · min(1, flags / 5) + 0.1 · type weight
 */
export function score(entity: GraphEntity, q: string): ScoredEntity {
  const needle = q.trim().toLowerCase();
  const label = entity.label.toLowerCase();
  const match = needle === '' ? 0 : label === needle ? 1 : label.includes(needle) ? 0.6 : 0;
  const degree = Math.min(1, numberProp(entity, 'degree') / 50);
  const flagList = entity.properties.flags;
  const flags = Math.min(1, (Array.isArray(flagList) ? flagList.length : 0) / 5);
  const type = TYPE_WEIGHT[entity.type] ?? 0.5;
  const total = 0.4 * match + 0.3 * degree + 0.2 * flags + 0.1 * type;
  return {
    id: entity.id,
    label: entity.label,
    type: entity.type,
    score: Math.round(total * 10_000) / 10_000,
    features: { match, degree, flags, type },
  };
}

export default definePlugin({
  manifest: {
    name: 'sample-enricher',
    version: '0.1.0',
    entry: 'index.js',
    publisher: 'intelgraph-examples',
    description: 'Scores graph entities deterministically from label match, degree and risk flags.',
    tags: ['enrichment', 'scoring', 'graph'],
    capabilities: { graph: ['read'], network: false },
    reasons: { 'graph:read': 'Reads the entities matching your query to score them.' },
    inputSchema: { subject: 'enricher-query', version: 1 },
    budgets: { ms: 800, cpuMs: 200, memoryMB: 64, rows: 1000, outputKB: 256 },
  },
  async run(input: EnricherInput, api): Promise<ScoredEntity[]> {
    const entities = await api.graph.search({ q: input.q, limit: input.limit ?? 10 });
    return entities
      .map((e) => score(e, input.q))
      .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  },
});
