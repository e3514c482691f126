import { describe, expect, it } from 'vitest';
import type { ContractMigrationRule } from '../../api/types.js';
import {
  deprecationOf,
  describeOperation,
  layoutVersionGraph,
  ruleOperations,
  ruleTitle,
  summarizeVersionGraph,
} from './migration-graph.js';

const NOW = Date.parse('2027-01-01T00:00:00Z');
const rule = (from: number, to: number, operations: ContractMigrationRule['operations'] = []) => ({
  from,
  to,
  direction: to > from ? 'upgrade' : 'downgrade',
  description: null,
  operations,
});
const version = (v: number, deprecatedUntil: string | null = null) => ({
  version: v,
  deleted: false,
  deprecatedUntil,
});

describe('deprecation windows', () => {
  it('says nothing for a version that is not deprecated', () => {
    expect(deprecationOf(null, NOW)).toEqual({ state: 'none', label: '' });
  });

  it('gives the end date and the time left while the window is open', () => {
    expect(deprecationOf('2027-01-04T02:00:00Z', NOW)).toEqual({
      state: 'open',
      label: 'deprecated until Jan 4, 2027, 02:00 UTC (in 3d 2h)',
    });
  });

  it('says when the window closed', () => {
    expect(deprecationOf('2026-12-31T00:00:00Z', NOW)).toEqual({
      state: 'closed',
      label: 'deprecated; its window closed on Dec 31, 2026, 00:00 UTC',
    });
  });
});

describe('migration rule operations as phrases', () => {
  it('reads each JSON Patch operation', () => {
    expect(describeOperation({ op: 'add', path: '/email', value: '' })).toBe(
      'add /email (default "", when absent)',
    );
    expect(describeOperation({ op: 'replace', path: '/status', value: 'active' })).toBe(
      'replace /status with "active"',
    );
    expect(describeOperation({ op: 'remove', path: '/nickname' })).toBe('remove /nickname');
    expect(describeOperation({ op: 'move', from: '/name', path: '/fullName' })).toBe(
      'move /name to /fullName',
    );
    expect(describeOperation({ op: 'copy', from: '/a', path: '/b' })).toBe('copy /a to /b');
  });

  it('shows anything else as short JSON', () => {
    expect(describeOperation({ op: 'test', path: '/a', value: 1 })).toBe(
      '{"op":"test","path":"/a","value":1}',
    );
    expect(describeOperation('x'.repeat(100))).toHaveLength(58);
    expect(ruleOperations({ operations: { not: 'a list' } })).toEqual([]);
  });

  it('titles a rule by its versions and direction', () => {
    expect(ruleTitle(rule(2, 1))).toBe('v2 → v1 downgrade');
  });
});

describe('the version graph', () => {
  it('places versions oldest first, upgrades above and downgrades below, and finds the gaps', () => {
    const g = layoutVersionGraph(
      [version(3), version(1, '2027-02-01T00:00:00Z'), version(2)],
      [rule(1, 2, [{ op: 'add', path: '/email', value: '' }]), rule(2, 1), rule(7, 8)],
      3,
      NOW,
    );
    expect(g.nodes.map((n) => n.version)).toEqual([1, 2, 3]);
    expect(g.nodes.map((n) => n.x)).toEqual([72, 222, 372]);
    expect(g.nodes.find((n) => n.latest)?.version).toBe(3);
    expect(g.nodes[0]?.deprecation.state).toBe('open');
    // The rule between unknown versions is left out.
    expect(g.edges.map((e) => [e.rule.from, e.rule.to, e.upgrade])).toEqual([
      [1, 2, true],
      [2, 1, false],
    ]);
    const [up, down] = g.edges;
    const controlY = (d: string) => Number(d.split(' ')[5]);
    expect(controlY(up?.d ?? '')).toBeLessThan(g.cy);
    expect(controlY(down?.d ?? '')).toBeGreaterThan(g.cy);
    expect(g.gaps).toEqual([{ from: 2, to: 3 }]);
    expect(g.width).toBe(48 * 2 + 24 * 2 + 2 * 150);
    // v1 is deprecated: room for its caption under the arcs.
    expect(g.height).toBe(2 * g.cy + 24);
  });

  it('summarizes the graph in one sentence', () => {
    const g = layoutVersionGraph(
      [version(1, '2026-06-01T00:00:00Z'), version(2)],
      [rule(1, 2), rule(2, 1)],
      2,
      NOW,
    );
    expect(summarizeVersionGraph('person', g)).toBe(
      'person versions v1, v2; migration rules v1 → v2 upgrade, v2 → v1 downgrade; deprecated v1.',
    );
    expect(summarizeVersionGraph('empty', layoutVersionGraph([], [], 0, NOW))).toBe(
      'empty versions none; no migration rule.',
    );
  });
});
