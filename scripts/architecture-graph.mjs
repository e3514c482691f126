// Draws the package picture of docs/architecture.md from the code: dependency-cruiser reads every import
// of packages/*/src (with the layer rules of .dependency-cruiser.cjs), and this script condenses the
// modules to one node per workspace package (one per backend folder for @intelgraph/adapters), grouped
// by layer, as a Mermaid flowchart written between the architecture-graph markers of the page.
//
//   node scripts/architecture-graph.mjs          rewrite the diagram in docs/architecture.md
//   node scripts/architecture-graph.mjs --check  exit 1 when the committed diagram is stale
//
// `pnpm docs:architecture` runs the first; tests/build/architecture-graph.test.ts runs the second's check.
// Test files (*.test.ts) are left out: the picture shows what the packages ship.

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const ROOT = join(import.meta.dirname, '..');
const DOC = join(ROOT, 'docs', 'architecture.md');
export const START = '<!-- architecture-graph:start -->';
export const END = '<!-- architecture-graph:end -->';

/**
 * The layers, innermost last, and the nodes each holds. A package (or adapter folder) missing here makes
 * the script throw, so a new one has to be placed in a layer before the page can be regenerated.
 */
const LAYERS = [
  { id: 'outer', title: 'server: HTTP and GraphQL', nodes: ['server'] },
  { id: 'composition', title: 'host: composition root', nodes: ['host'] },
  { id: 'kit', title: 'author kit, beside the host', nodes: ['plugin-kit'] },
  {
    id: 'storage',
    title: '@intelgraph/adapters: storage',
    nodes: [
      'adapters/memory',
      'adapters/postgres',
      'adapters/redis',
      'adapters/neo4j',
      'adapters/audit',
      'adapters/shared',
    ],
  },
  {
    id: 'domain',
    title: 'domain packages',
    nodes: ['capabilities', 'contracts', 'finops', 'governance', 'marketplace', 'sandbox'],
  },
  { id: 'inner', title: 'core: types, errors, ports', nodes: ['core'] },
];

/**
 * The node a file of packages/ belongs to: its package, or `adapters/<backend>`; the files at the root of
 * adapters/src (the row checks every backend shares) are `adapters/shared`.
 */
function nodeOf(path) {
  const m = /^packages\/([^/]+)\/src\/(?:([^/]+)\/)?/.exec(path);
  if (m === null) return null;
  if (m[1] === 'adapters') return m[2] === undefined ? 'adapters/shared' : `adapters/${m[2]}`;
  return m[1];
}

const idOf = (node) => node.replace(/[^a-z0-9]/gi, '_');
const labelOf = (node) => (node.startsWith('adapters/') ? node.slice('adapters/'.length) : node);

/**
 * Cruises packages/*\/src and returns the Mermaid diagram (a fenced block) of the package imports.
 *
 * @example
 * ```js
 * import { architectureGraph } from './architecture-graph.mjs';
 * const mermaid = await architectureGraph(); // '```mermaid\nflowchart TD\n...'
 * ```
 */
export async function architectureGraph() {
  const sources = readdirSync(join(ROOT, 'packages'))
    .map((p) => `packages/${p}/src`)
    .filter((dir) => existsSync(join(ROOT, dir)));
  const options = await extractDepcruiseOptions(join(ROOT, '.dependency-cruiser.cjs'));
  const tsConfig = extractTSConfig(join(ROOT, 'tsconfig.json'));
  const result = await cruise(
    sources,
    {
      ...options,
      baseDir: ROOT,
      tsConfig: { fileName: join(ROOT, 'tsconfig.json') },
      outputType: 'json',
    },
    undefined,
    {
      tsConfig,
    },
  );
  const { modules } = JSON.parse(result.output);

  const placed = new Map(LAYERS.flatMap((l) => l.nodes.map((n) => [n, l.id])));
  /** `from -> to` → whether any import on that edge breaks a layer rule. */
  const edges = new Map();
  for (const mod of modules) {
    if (/\.test\.ts$/.test(mod.source)) continue;
    const from = nodeOf(mod.source);
    if (from === null) continue;
    if (!placed.has(from)) throw new Error(`architecture-graph: ${from} is in no layer (see LAYERS)`);
    for (const dep of mod.dependencies) {
      const to = nodeOf(dep.resolved);
      if (to === null || to === from) continue;
      if (!placed.has(to)) throw new Error(`architecture-graph: ${to} is in no layer (see LAYERS)`);
      const key = `${from} -> ${to}`;
      edges.set(key, (edges.get(key) ?? false) || dep.valid === false);
    }
  }

  const lines = ['```mermaid', 'flowchart TD'];
  for (const layer of LAYERS) {
    lines.push(`  subgraph ${layer.id}["${layer.title}"]`);
    for (const node of layer.nodes) lines.push(`    ${idOf(node)}["${labelOf(node)}"]`);
    lines.push('  end');
  }
  for (const [key, breaks] of [...edges].sort(([a], [b]) => a.localeCompare(b))) {
    const [from, to] = key.split(' -> ');
    lines.push(
      breaks ? `  ${idOf(from)} -.->|known violation| ${idOf(to)}` : `  ${idOf(from)} --> ${idOf(to)}`,
    );
  }
  lines.push('```');
  return lines.join('\n');
}

/**
 * Returns `page` with the text between the architecture-graph markers replaced by `graph`.
 *
 * @example
 * ```js
 * withGraph('a\n<!-- architecture-graph:start -->\nold\n<!-- architecture-graph:end -->\n', 'new');
 * // 'a\n<!-- architecture-graph:start -->\nnew\n<!-- architecture-graph:end -->\n'
 * ```
 */
export function withGraph(page, graph) {
  const start = page.indexOf(START);
  const end = page.indexOf(END);
  if (start < 0 || end < start)
    throw new Error(`architecture-graph: ${DOC} has no ${START} … ${END} markers`);
  return `${page.slice(0, start + START.length)}\n${graph}\n${page.slice(end)}`;
}

/** The page as committed and the page with a freshly drawn diagram. */
export async function architecturePage() {
  const committed = readFileSync(DOC, 'utf8');
  return { committed, fresh: withGraph(committed, await architectureGraph()) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { committed, fresh } = await architecturePage();
  if (process.argv.includes('--check')) {
    if (committed !== fresh) {
      console.error('docs/architecture.md: the package diagram is stale; run `pnpm docs:architecture`');
      process.exit(1);
    }
  } else if (committed !== fresh) {
    writeFileSync(DOC, fresh);
    console.log('docs/architecture.md: package diagram updated');
  } else {
    console.log('docs/architecture.md: package diagram up to date');
  }
}
