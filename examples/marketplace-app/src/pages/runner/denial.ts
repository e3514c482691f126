import type { JsonValue } from '../../api/types.js';
import { messageAfterPath, plural } from '../../format/plural.js';
import { formatTimestamp } from '../../format/time.js';

/** How the runner explains a refused or failed run, by error code. */
export interface Denial {
  title: string;
  explanation: string;
  /** Facts from the error's details as human label/value pairs (local times, no JSON). */
  facts: [string, string][];
  /** Every contract violation, one sentence each (every path, not only the first). */
  violations: string[];
}

const TITLES: Record<string, [string, string]> = {
  BUDGET_EXCEEDED: [
    'Budget exceeded',
    'The run was stopped when it used more than its budget allows. Nothing it produced was kept.',
  ],
  CAPABILITY_DENIED: [
    'Capability denied',
    'The plugin called a host API the org has not granted. Grant the scope in the installed list if it is needed.',
  ],
  QUOTA_EXCEEDED: ['Quota exceeded', "The org's quota for this plugin is used up for the current window."],
  KILL_SWITCH: ['Kill switch on', 'An operator switched this plugin (or the org, or everything) off.'],
  CONTRACT_VIOLATION: ['Input contract violated', "The input does not match the plugin's input contract."],
  NOT_FOUND: ['Not installed', 'The plugin is not installed in your org.'],
  FORBIDDEN: ['Not allowed', 'Your roles do not allow this action.'],
  PLUGIN_ERROR: ['The plugin failed', 'The plugin threw an error; its logs may say why.'],
  RATE_LIMITED: ['Too many runs', 'Slow down and try again shortly.'],
};

const LABELS: Record<string, string> = {
  switch: 'Switch',
  level: 'Level',
  target: 'Applies to',
  reason: 'Reason',
  engagedBy: 'Switched off by',
  engagedAt: 'Since',
  resetAt: 'Resets',
  limit: 'Limit',
  usage: 'Used',
  used: 'Used',
  requested: 'Requested',
  resource: 'Resource',
  rule: 'Rule',
  scope: 'Scope',
  method: 'Method',
};

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
type JsonObject = { [key: string]: JsonValue };
const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function humanTarget(v: JsonObject): string {
  const plugin = typeof v.plugin === 'string' ? `plugin ${v.plugin}` : null;
  const org = typeof v.org === 'string' ? `org ${v.org}` : null;
  if (plugin && org) return `${plugin} in ${org}`;
  return plugin ?? org ?? 'every plugin in every org';
}

function humanRule(v: JsonObject): string {
  const scope = isObject(v.scope) ? humanTarget(v.scope) : '';
  return `${String(v.limit ?? '?')} ${String(v.resource ?? '')} per ${String(v.window ?? '?')}${
    v.mode ? ` (${String(v.mode)})` : ''
  }${scope ? `, ${scope}` : ''}`;
}

function humanValue(key: string, v: JsonValue): string {
  if (v === null) return 'none';
  if (typeof v === 'string') return ISO.test(v) ? formatTimestamp(v) : v;
  if (typeof v === 'number') return new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }).format(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (isObject(v) && key === 'target') return humanTarget(v);
  if (isObject(v) && key === 'rule') return humanRule(v);
  if (Array.isArray(v)) return v.map((x) => humanValue(key, x)).join(', ');
  return Object.entries(v)
    .map(([k, x]) => `${k} ${humanValue(k, x)}`)
    .join(', ');
}

/** Every issue of every failing record in a CONTRACT_VIOLATION's details, as sentences. */
function contractViolations(details: JsonObject): string[] {
  const out: string[] = [];
  const findings = Array.isArray(details.findings) ? details.findings : [];
  const many = findings.length > 1;
  for (const f of findings) {
    if (!isObject(f)) continue;
    const record = typeof f.index === 'number' && many ? `Record ${f.index + 1}: ` : '';
    for (const issue of Array.isArray(f.issues) ? f.issues : []) {
      if (!isObject(issue)) continue;
      const path = typeof issue.path === 'string' && issue.path !== '' ? issue.path : 'the input';
      out.push(`${record}${path} ${messageAfterPath(path, String(issue.message ?? 'is invalid'))}`);
    }
  }
  return out;
}

/** The title, explanation, human facts and violations of a run error. */
export function describeDenial(code: string, message: string, details: JsonValue | null | undefined): Denial {
  const known = TITLES[code];
  const [title, explanation] = known ?? ['Run failed', message];
  const facts: [string, string][] = [];
  let violations: string[] = [];
  if (isObject(details)) {
    if (code === 'CONTRACT_VIOLATION') {
      violations = contractViolations(details);
      if (typeof details.subject === 'string')
        facts.push([
          'Contract',
          `${details.subject}${details.version == null ? '' : ` v${String(details.version)}`}${
            typeof details.edge === 'string' ? ` (${details.edge})` : ''
          }`,
        ]);
      if (typeof details.total === 'number' && typeof details.failed === 'number')
        facts.push(['Records failing', `${details.failed} of ${plural(details.total, 'record')}`]);
    } else {
      for (const [k, v] of Object.entries(details)) {
        if (k === 'issues' || v === undefined) continue;
        facts.push([LABELS[k] ?? k, humanValue(k, v)]);
      }
    }
  }
  // A contract violation's message repeats its first path; the list below has them all.
  const tail = known && code !== 'CONTRACT_VIOLATION' ? ` ${message}` : '';
  return { title, explanation: known ? `${explanation}${tail}` : explanation, facts, violations };
}
