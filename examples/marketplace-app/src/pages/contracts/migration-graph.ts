import type { ContractMigrationRule, ContractVersion, JsonValue } from '../../api/types.js';
import { formatDeadline, formatDuration } from '../../format/time.js';

/** Where a version stands in its deprecation window, seen at a moment. */
export interface Deprecation {
  state: 'none' | 'open' | 'closed';
  /** `deprecated until Jan 5, 2027 (in 3d 2h)`, `deprecated; its window closed on Jan 5, 2027`, or ''. */
  label: string;
}

/** The deprecation of a version with window end `deprecatedUntil`, seen at `now` (epoch ms). */
export function deprecationOf(deprecatedUntil: string | null, now: number): Deprecation {
  if (deprecatedUntil === null) return { state: 'none', label: '' };
  const end = Date.parse(deprecatedUntil);
  if (Number.isNaN(end)) return { state: 'open', label: `deprecated until ${deprecatedUntil}` };
  if (end <= now)
    return { state: 'closed', label: `deprecated; its window closed on ${formatDeadline(deprecatedUntil)}` };
  return {
    state: 'open',
    label: `deprecated until ${formatDeadline(deprecatedUntil)} (in ${formatDuration(end - now)})`,
  };
}

type JsonObject = { [key: string]: JsonValue };
const isObject = (v: JsonValue): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: JsonValue | undefined): string | null => (typeof v === 'string' ? v : null);
const short = (v: JsonValue | undefined): string => {
  const s = JSON.stringify(v ?? null);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
};

/**
 * One JSON Patch operation of a migration rule as a phrase: `add /email (default "")`,
 * `move /name to /fullName`. Anything else is shown as its JSON.
 */
export function describeOperation(op: JsonValue): string {
  if (!isObject(op)) return short(op);
  const path = str(op.path);
  const from = str(op.from);
  switch (op.op) {
    case 'add':
      return `add ${path} (default ${short(op.value)}, when absent)`;
    case 'replace':
      return `replace ${path} with ${short(op.value)}`;
    case 'remove':
      return `remove ${path}`;
    case 'move':
      return `move ${from} to ${path}`;
    case 'copy':
      return `copy ${from} to ${path}`;
    default:
      return short(op);
  }
}

/** A rule's operations as phrases (none when the API sent something other than a list). */
export function ruleOperations(rule: Pick<ContractMigrationRule, 'operations'>): string[] {
  return Array.isArray(rule.operations) ? rule.operations.map(describeOperation) : [];
}

/** `v1 → v2 upgrade` */
export function ruleTitle(rule: Pick<ContractMigrationRule, 'from' | 'to' | 'direction'>): string {
  return `v${rule.from} → v${rule.to} ${rule.direction}`;
}

export interface GraphNode {
  version: number;
  x: number;
  latest: boolean;
  deleted: boolean;
  deprecation: Deprecation;
}

export interface GraphEdge {
  rule: ContractMigrationRule;
  /** SVG path data: upgrades arc above the versions, downgrades below. */
  d: string;
  upgrade: boolean;
}

/** Adjacent versions no rule links in either direction. */
export interface GraphGap {
  from: number;
  to: number;
}

export interface VersionGraph {
  width: number;
  height: number;
  cy: number;
  radius: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
  gaps: GraphGap[];
}

const SPACING = 150;
const RADIUS = 24;
const MARGIN = 48;
const ARC = 46;
// The middle line: room above for the upgrade arcs (they peak about ARC px above the rims).
const CY = 64;

/**
 * Lays out a subject's versions left to right (oldest first) with its migration rules as arcs:
 * upgrades above, downgrades below. Rules naming a version the subject does not list are left out.
 */
export function layoutVersionGraph(
  versions: readonly Pick<ContractVersion, 'version' | 'deleted' | 'deprecatedUntil'>[],
  rules: readonly ContractMigrationRule[],
  latest: number,
  now: number,
): VersionGraph {
  const sorted = [...versions].sort((a, b) => a.version - b.version);
  const cy = CY;
  const x = new Map(sorted.map((v, i) => [v.version, MARGIN + RADIUS + i * SPACING]));
  const nodes: GraphNode[] = sorted.map((v) => ({
    version: v.version,
    x: x.get(v.version) ?? 0,
    latest: v.version === latest,
    deleted: v.deleted,
    deprecation: deprecationOf(v.deprecatedUntil, now),
  }));
  const edges: GraphEdge[] = [];
  for (const rule of [...rules].sort((a, b) => a.from - b.from || a.to - b.to)) {
    const x1 = x.get(rule.from);
    const x2 = x.get(rule.to);
    if (x1 === undefined || x2 === undefined || x1 === x2) continue;
    const upgrade = rule.to > rule.from;
    const sign = upgrade ? -1 : 1;
    const y = cy + sign * (RADIUS - 4);
    // Start and end a little inside the circles' rims so the arrowhead lands on the target's edge.
    const dx = (x2 > x1 ? 1 : -1) * 12;
    const control = cy + sign * (RADIUS + ARC * Math.min(2, Math.abs(x2 - x1) / SPACING));
    edges.push({
      rule,
      upgrade,
      d: `M ${x1 + dx} ${y} Q ${(x1 + x2) / 2} ${control} ${x2 - dx} ${y}`,
    });
  }
  const linked = (a: number, b: number) =>
    rules.some((r) => (r.from === a && r.to === b) || (r.from === b && r.to === a));
  const gaps: GraphGap[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]?.version;
    const b = sorted[i]?.version;
    if (a !== undefined && b !== undefined && !linked(a, b)) gaps.push({ from: a, to: b });
  }
  const width = Math.max(2 * (MARGIN + RADIUS), MARGIN * 2 + RADIUS * 2 + (sorted.length - 1) * SPACING);
  // Room under the downgrade arcs for the "deprecated" captions, only when there are some.
  const captions = nodes.some((n) => n.deprecation.state !== 'none') ? 24 : 0;
  return { width, height: cy * 2 + captions, cy, radius: RADIUS, nodes, edges, gaps };
}

/** The graph in one sentence, for the picture's text alternative. */
export function summarizeVersionGraph(subject: string, graph: VersionGraph): string {
  const versions = graph.nodes.map((n) => `v${n.version}`).join(', ');
  const rules = graph.edges.map((e) => ruleTitle(e.rule));
  const deprecated = graph.nodes.filter((n) => n.deprecation.state !== 'none').map((n) => `v${n.version}`);
  return [
    `${subject} versions ${versions || 'none'}`,
    rules.length > 0 ? `migration rules ${rules.join(', ')}` : 'no migration rule',
    deprecated.length > 0 ? `deprecated ${deprecated.join(', ')}` : null,
  ]
    .filter((s) => s !== null)
    .join('; ')
    .concat('.');
}
