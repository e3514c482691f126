import { definePlugin } from '@intelgraph/marketplace/plugin';

/** Input contract: the entities to draw, found by query or around one entity. */
export interface OverlayInput {
  q?: string;
  around?: string;
  limit?: number;
}

/** One cell of the heatmap layer. */
export interface HeatCell {
  entityId: string;
  label: string;
  /** 0–1, from the entity's degree relative to the busiest one drawn. */
  weight: number;
  color: string;
}

/** Output contract: a layer the host's graph view draws over the canvas. */
export interface OverlaySpec {
  kind: 'heatmap';
  title: string;
  cells: HeatCell[];
  legend: { color: string; from: number; to: number }[];
}

const SCALE = [
  { color: '#fee5d9', from: 0, to: 0.25 },
  { color: '#fcae91', from: 0.25, to: 0.5 },
  { color: '#fb6a4a', from: 0.5, to: 0.75 },
  { color: '#cb181d', from: 0.75, to: 1 },
];

function colorOf(weight: number): string {
  return (SCALE.find((s) => weight < s.to) ?? SCALE[SCALE.length - 1])?.color ?? '#cb181d';
}

export default definePlugin({
  manifest: {
    name: 'heatmap-overlay',
    version: '0.1.0',
    entry: 'index.js',
    publisher: 'intelgraph-examples',
    description: 'Visual overlay: colours graph entities by how connected they are, as a heatmap layer.',
    tags: ['visualization', 'overlay', 'heatmap'],
    capabilities: { graph: ['read'], network: false },
    reasons: { 'graph:read': 'Reads entities and their degree to colour them.' },
    budgets: { ms: 800, cpuMs: 200, memoryMB: 64, rows: 2000, outputKB: 256 },
  },
  async run(input: OverlayInput, api): Promise<OverlaySpec> {
    const limit = Math.min(input.limit ?? 50, 500);
    const entities = input.around
      ? (await api.graph.neighbors({ id: input.around, limit })).entities
      : await api.graph.search({ q: input.q ?? '', limit });
    const degrees = entities.map((e) => {
      const d = e.properties.degree;
      return typeof d === 'number' && d > 0 ? d : 0;
    });
    const max = Math.max(1, ...degrees);
    const cells = entities
      .map((e, i) => {
        const weight = Math.round(((degrees[i] ?? 0) / max) * 1000) / 1000;
        return { entityId: e.id, label: e.label, weight, color: colorOf(weight) };
      })
      .sort((a, b) => b.weight - a.weight || (a.entityId < b.entityId ? -1 : 1));
    return {
      kind: 'heatmap',
      title: input.around ? `Connections around ${input.around}` : `Entities matching "${input.q ?? ''}"`,
      cells,
      legend: SCALE,
    };
  },
});
