import type { CatalogRiskLevel } from '@intelgraph/core';
import MiniSearch from 'minisearch';

/** One searchable plugin: the newest visible version of it. */
export interface SearchDocument {
  pluginId: string;
  version: string;
  description: string;
  tags: string[];
  publisher: string;
  scopes: string[];
  risk: CatalogRiskLevel;
  /** Bayesian weighted rating, 1–5. */
  rating: number;
}

/**
 * Supplies embeddings for hybrid (semantic) ranking. None is bundled: no model ships with the package.
 * A host that has one (a local model, a hosted API) passes it as `search.embeddings`.
 */
export interface EmbeddingProvider {
  /** One vector per text, all of the same dimension. */
  embed(texts: readonly string[]): Promise<number[][]>;
}

/** How the final score mixes its parts; each weight ≥ 0. */
export interface RankingWeights {
  /** BM25 relevance, normalised to the best hit of the query. Default 0.8. */
  relevance: number;
  /** Weighted rating, mapped from 1–5 to 0–1. Default 0.2. */
  rating: number;
  /** Cosine similarity of embeddings, when a provider is set. Default 0.4. */
  semantic: number;
}

/** Options of {@link createSearchIndex}. */
export interface SearchIndexOptions {
  embeddings?: EmbeddingProvider;
  weights?: Partial<RankingWeights>;
}

/** A search: free text plus filters. */
export interface SearchQuery {
  /** Free text; matched with BM25, prefix and fuzzy matching. Empty lists everything (by rating). */
  q?: string;
  /** Only plugins that request all of these scopes. */
  capability?: string | string[];
  /** Only plugins at one of these risk levels. */
  risk?: CatalogRiskLevel | CatalogRiskLevel[];
  /** Only plugins of this publisher. */
  publisher?: string;
  /** Default 20, at most 100. */
  limit?: number;
}

/** One ranked result. */
export interface SearchHit extends SearchDocument {
  /** BM25 relevance normalised to 0–1 (1 for the best textual match; 0 for an empty query). */
  relevance: number;
  /** Cosine similarity when an embedding provider is set, else null. */
  semantic: number | null;
  /** The final ranking score. */
  score: number;
}

/** A search index over plugin documents. */
export interface SearchIndex {
  /** Replaces every document (and, with a provider, embeds the new or changed ones). */
  replace(docs: readonly SearchDocument[]): Promise<void>;
  search(query: SearchQuery): Promise<SearchHit[]>;
  readonly size: number;
}

const DEFAULT_WEIGHTS: RankingWeights = { relevance: 0.8, rating: 0.2, semantic: 0.4 };

function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function textOf(d: SearchDocument): string {
  return [d.pluginId, d.description, d.tags.join(' '), d.publisher, d.scopes.join(' ')].join('\n');
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/**
 * A full-text index over plugins, built on MiniSearch: BM25 ranking with prefix and fuzzy matching over
 * name, description, tags, publisher and capability names; filters by capability, risk and publisher;
 * the final score mixes relevance with the weighted rating (and, with an {@link EmbeddingProvider},
 * semantic similarity).
 *
 * @example
 * ```ts
 * import { createSearchIndex } from '@intelgraph/marketplace';
 * const index = createSearchIndex();
 * await index.replace([{ pluginId: 'sample-enricher', version: '1.0.0', description: 'Scores entities',
 *   tags: ['enrichment'], publisher: 'acme', scopes: ['graph:read'], risk: 'low', rating: 4.2 }]);
 * (await index.search({ q: 'enrich', risk: 'low' }))[0]?.pluginId; // 'sample-enricher'
 * ```
 */
export function createSearchIndex(options: SearchIndexOptions = {}): SearchIndex {
  const weights: RankingWeights = { ...DEFAULT_WEIGHTS, ...options.weights };
  let docs = new Map<string, SearchDocument>();
  const vectors = new Map<string, { text: string; vector: number[] }>();
  let mini = build([]);

  function build(list: readonly SearchDocument[]): MiniSearch {
    const m = new MiniSearch({
      idField: 'pluginId',
      fields: ['name', 'description', 'tags', 'publisher', 'capabilities'],
      extractField: (doc, field) => {
        const d = doc as SearchDocument;
        switch (field) {
          case 'pluginId':
            return d.pluginId;
          case 'name':
            return d.pluginId;
          case 'description':
            return d.description;
          case 'tags':
            return d.tags.join(' ');
          case 'publisher':
            return d.publisher;
          case 'capabilities':
            return d.scopes.join(' ');
          default:
            return '';
        }
      },
      searchOptions: {
        boost: { name: 3, tags: 2, publisher: 1.5, description: 1, capabilities: 1 },
        prefix: true,
        fuzzy: 0.2,
      },
    });
    m.addAll([...list]);
    return m;
  }

  function passes(d: SearchDocument, q: SearchQuery): boolean {
    const caps = asArray(q.capability).map((c) => c.toLowerCase());
    if (caps.some((c) => !d.scopes.includes(c))) return false;
    const risks = asArray(q.risk);
    if (risks.length > 0 && !risks.includes(d.risk)) return false;
    if (q.publisher !== undefined && d.publisher !== q.publisher) return false;
    return true;
  }

  return {
    get size() {
      return docs.size;
    },
    async replace(list) {
      const next = new Map(list.map((d) => [d.pluginId, structuredClone(d)]));
      if (options.embeddings) {
        const stale = [...next.values()].filter((d) => vectors.get(d.pluginId)?.text !== textOf(d));
        if (stale.length > 0) {
          const embedded = await options.embeddings.embed(stale.map(textOf));
          stale.forEach((d, i) => {
            vectors.set(d.pluginId, { text: textOf(d), vector: embedded[i] ?? [] });
          });
        }
        for (const id of vectors.keys()) if (!next.has(id)) vectors.delete(id);
      }
      docs = next;
      mini = build([...next.values()]);
    },
    async search(query) {
      const limit = Math.max(1, Math.min(query.limit ?? 20, 100));
      const text = (query.q ?? '').trim().slice(0, 200);
      const candidates = new Map<string, number>();
      if (text === '') for (const id of docs.keys()) candidates.set(id, 0);
      else for (const r of mini.search(text)) candidates.set(String(r.id), r.score);

      let queryVector: number[] | null = null;
      if (options.embeddings && text !== '') {
        queryVector = (await options.embeddings.embed([text]))[0] ?? null;
        // Hybrid: semantically close documents are candidates even without a lexical match.
        for (const id of docs.keys()) if (!candidates.has(id)) candidates.set(id, 0);
      }
      const best = Math.max(0, ...candidates.values());
      const hits: SearchHit[] = [];
      for (const [id, raw] of candidates) {
        const d = docs.get(id);
        if (!d || !passes(d, query)) continue;
        const relevance = best > 0 ? raw / best : 0;
        const vector = vectors.get(id)?.vector;
        const semantic = queryVector && vector ? cosine(queryVector, vector) : null;
        if (text !== '' && relevance === 0 && (semantic === null || semantic <= 0)) continue;
        const score =
          weights.relevance * relevance +
          weights.rating * ((d.rating - 1) / 4) +
          (semantic === null ? 0 : weights.semantic * semantic);
        hits.push({ ...structuredClone(d), relevance, semantic, score });
      }
      hits.sort((a, b) => b.score - a.score || a.pluginId.localeCompare(b.pluginId));
      return hits.slice(0, limit);
    },
  };
}
