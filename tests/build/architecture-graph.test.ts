import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without declarations
import { architecturePage, withGraph } from '../../scripts/architecture-graph.mjs';

const page = architecturePage as () => Promise<{ committed: string; fresh: string }>;
const replace = withGraph as (page: string, graph: string) => string;

describe('docs/architecture.md package diagram', () => {
  it('matches the imports of packages/*/src (run `pnpm docs:architecture` when it does not)', async () => {
    const { committed, fresh } = await page();
    expect(committed, 'the package diagram is stale: run `pnpm docs:architecture`').toBe(fresh);
  });

  it('replaces only the text between the markers, and refuses a page without them', () => {
    const start = '<!-- architecture-graph:start -->';
    const end = '<!-- architecture-graph:end -->';
    expect(replace(`a\n${start}\nold\n${end}\nb\n`, 'new')).toBe(`a\n${start}\nnew\n${end}\nb\n`);
    expect(() => replace('no markers', 'new')).toThrow(/markers/);
  });
});
