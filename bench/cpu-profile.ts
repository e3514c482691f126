// Summarises a V8 CPU profile (a `.cpuprofile` written by `node --cpu-prof`, by the inspector's
// Profiler, or by `LOAD_CPU_PROF=<dir> ./run bench load`): the top frames by self time and by
// inclusive time (a frame counted once per sample however deep its recursion), and self time grouped by
// where the code lives (our packages, each node_modules package, Node's internals, GC, idle).
//
// Run:  node --import tsx bench/cpu-profile.ts <file.cpuprofile> [--top 25] [--from S] [--to S] [--md]
//   --from/--to keep the samples between S seconds after the profile's start (to drop start-up);
//   --md prints markdown tables (what bench/results/profile.md quotes).
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
/** The JSON of a `.cpuprofile`. */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** One row of a summary: a frame (or a group) and its share of the sampled time. */
export interface ProfileRow {
  name: string;
  ms: number;
  percent: number;
}

/** What {@link summariseProfile} returns. */
export interface ProfileSummary {
  /** Sampled milliseconds in the window, idle excluded. */
  busyMs: number;
  idleMs: number;
  self: ProfileRow[];
  inclusive: ProfileRow[];
  byOrigin: ProfileRow[];
}

const root = new URL('..', import.meta.url).href;

/** Where a frame's code lives: `ours:<package>`, `dep:<package>`, `node`, or a V8 pseudo-frame. */
export function originOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return `dep:${rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const rel = url.startsWith(root) ? url.slice(root.length) : url;
  const pkg = /^packages\/([^/]+)\//.exec(rel);
  if (pkg) return `ours:${pkg[1]}`;
  return `other:${rel.split('/').slice(0, 2).join('/')}`;
}

const frameName = (f: CallFrame) => {
  const url = f.url.startsWith(root) ? f.url.slice(root.length) : f.url.replace(/^.*\/node_modules\//, '');
  return `${f.functionName || '(anonymous)'} ${url ? `${url}:${f.lineNumber + 1}` : ''}`.trim();
};

/**
 * Self, inclusive and by-origin time of `profile`, between `fromS` and `toS` seconds after its start.
 *
 * @example
 * ```ts
 * const s = summariseProfile(JSON.parse(readFileSync('x.cpuprofile', 'utf8')), { top: 10 });
 * console.log(s.self[0]); // { name: 'parse node_modules/graphql/…', ms: 812.4, percent: 6.1 }
 * ```
 */
export function summariseProfile(
  profile: CpuProfile,
  options: { top?: number; fromS?: number; toS?: number } = {},
): ProfileSummary {
  const top = options.top ?? 25;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const origin = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  let t = 0;
  const from = (options.fromS ?? 0) * 1e6;
  const to = (options.toS ?? Number.POSITIVE_INFINITY) * 1e6;
  for (let i = 0; i < profile.samples.length; i++) {
    // A sample's time is the delta to the next one (V8's own attribution).
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    t += profile.timeDeltas[i] ?? 0;
    if (t < from || t > to) continue;
    const leaf = byId.get(profile.samples[i] as number);
    if (!leaf) continue;
    if (leaf.callFrame.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    busy += dt;
    const leafName = frameName(leaf.callFrame);
    self.set(leafName, (self.get(leafName) ?? 0) + dt);
    const o = originOf(leaf.callFrame);
    origin.set(o, (origin.get(o) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id);
      if (!node || node.callFrame.functionName === '(root)') continue;
      const name = frameName(node.callFrame);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
    }
  }
  const rows = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => ({
        name,
        ms: Math.round(ms * 10) / 10,
        percent: Math.round((ms / Math.max(busy, 1e-9)) * 1000) / 10,
      }));
  return {
    busyMs: Math.round(busy),
    idleMs: Math.round(idle),
    self: rows(self, top),
    inclusive: rows(inclusive, top),
    byOrigin: rows(origin, 40),
  };
}

function table(title: string, list: ProfileRow[]): string {
  return [
    `| ${title} | ms | % of busy |`,
    '| --- | ---: | ---: |',
    ...list.map((r) => `| \`${r.name.replaceAll('|', '\\|')}\` | ${r.ms} | ${r.percent} |`),
  ].join('\n');
}

/** The summary as markdown tables. */
export function profileMarkdown(s: ProfileSummary): string {
  return [
    `Busy ${s.busyMs} ms sampled (idle ${s.idleMs} ms).`,
    '',
    table('self time by origin', s.byOrigin),
    '',
    table('self time by frame', s.self),
    '',
    table('inclusive time by frame', s.inclusive),
    '',
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const file = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  if (!file) {
    console.error('usage: bench/cpu-profile.ts <file.cpuprofile> [--top N] [--from S] [--to S] [--md]');
    process.exit(2);
  }
  const s = summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, {
    top: Number(flag('--top') ?? 25),
    ...(flag('--from') ? { fromS: Number(flag('--from')) } : {}),
    ...(flag('--to') ? { toS: Number(flag('--to')) } : {}),
  });
  if (args.includes('--md')) console.log(profileMarkdown(s));
  else {
    console.log(`busy ${s.busyMs} ms, idle ${s.idleMs} ms`);
    for (const [title, list] of [
      ['by origin', s.byOrigin],
      ['self', s.self],
      ['inclusive', s.inclusive],
    ] as const) {
      console.log(`\n== ${title}`);
      for (const r of list)
        console.log(`${String(r.ms).padStart(9)} ${String(r.percent).padStart(5)}%  ${r.name}`);
    }
  }
}
