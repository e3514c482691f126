import type { JsonValue, ReviewTask } from '../../api/types.js';
import { plural } from '../../format/plural.js';

/** A review task as people read it: a title, one sentence, labelled facts and the scopes it grants. */
export interface TaskSummary {
  title: string;
  summary: string;
  facts: [string, string][];
  /** Capabilities the change would grant (install requests). */
  scopes: string[];
  /** Scopes that make the change high-risk. */
  highRiskScopes: string[];
  /** A content digest to show copyable (exports). */
  digest: string | null;
}

type JsonObject = { [key: string]: JsonValue };
const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: JsonValue | undefined): string | null => (typeof v === 'string' ? v : null);
const strings = (v: JsonValue | undefined): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

function scalar(v: JsonValue): string {
  if (v === null) return 'none';
  if (typeof v === 'object')
    return Array.isArray(v) ? v.map(scalar).join(', ') : plural(Object.keys(v).length, 'field');
  return String(v);
}

// The marketplace's risk rule (`riskLevel` in @intelgraph/marketplace): network scopes and write-like
// actions are high risk.
const HIGH_ACTIONS = new Set(['write', 'delete', 'admin', 'export', 'create', 'update', 'merge', '*']);
const isHighRisk = (scope: string) => {
  const [resource = '', action = ''] = scope.split(':');
  return resource === 'net' || HIGH_ACTIONS.has(action);
};

const KIND_TITLES: Record<string, string> = {
  plugin_install: 'Plugin install',
  policy_change: 'Policy change',
  entity_merge: 'Entity merge',
  contract_enforcement: 'Contract enforcement',
  export: 'Export',
};

/** The human name of a review kind (`plugin_install` → `Plugin install`). */
export function kindTitle(kind: string): string {
  return KIND_TITLES[kind] ?? kind.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

/** Describes a review task's payload by kind, never as raw JSON. */
export function describeTask(task: ReviewTask): TaskSummary {
  const p: JsonObject = isObject(task.payload) ? task.payload : {};
  const who = task.requester.id;
  const base = {
    facts: [] as [string, string][],
    scopes: [] as string[],
    highRiskScopes: [] as string[],
    digest: null,
  };
  switch (task.kind) {
    case 'plugin_install': {
      const plugin = `${str(p.pluginId) ?? '?'}@${str(p.version) ?? '?'}`;
      const adding = strings(p.adding);
      const scopes = strings(p.scopes);
      const high = adding.filter(isHighRisk);
      const action = str(p.action) ?? 'install';
      const verb =
        action === 'install' ? 'install' : action === 'consent' ? 're-consent to' : 'change the scopes of';
      return {
        ...base,
        title: `${action === 'install' ? 'Install' : 'Change'} ${plugin}`,
        summary: `${who} asks to ${verb} ${plugin}, which adds ${plural(adding.length, 'scope')} (${adding.join(', ') || 'none'}); high risk: ${high.join(', ') || 'none'}.`,
        facts: [
          ['Plugin', plugin],
          ['Scopes granted', scopes.join(', ') || 'none'],
        ],
        scopes,
        highRiskScopes: high,
      };
    }
    case 'policy_change': {
      const policy = str(p.kind) ?? '?';
      const params = isObject(p.params) ? p.params : null;
      const changes = params ? Object.entries(params).map(([k, v]) => `${k} → ${scalar(v)}`) : [];
      return {
        ...base,
        title: `Change the ${policy} policy`,
        summary: params
          ? `${who} asks to set ${changes.join(', ')} in the ${policy} policy.`
          : `${who} asks to replace the ${policy} policy.`,
        facts: [['Policy', policy], ...changes.map((c): [string, string] => ['Change', c])],
      };
    }
    case 'entity_merge':
      return {
        ...base,
        title: `Merge ${str(p.mergedId) ?? '?'} into ${str(p.survivorId) ?? '?'}`,
        summary: `${who} asks to merge entity ${str(p.mergedId) ?? '?'} into ${str(p.survivorId) ?? '?'}; the merged entity's links move to the survivor.`,
        facts: [
          ['Survivor', str(p.survivorId) ?? '?'],
          ['Merged', str(p.mergedId) ?? '?'],
        ],
      };
    case 'contract_enforcement':
      return {
        ...base,
        title: `${str(p.subject) ?? '?'} ${str(p.edge) ?? ''} enforcement → ${str(p.mode) ?? '?'}`,
        summary: `${who} asks to set enforcement of contract ${str(p.subject) ?? '?'} on ${str(p.edge) ?? '?'} to ${str(p.mode) ?? '?'}.`,
        facts: [
          ['Contract', str(p.subject) ?? '?'],
          ['Edge', str(p.edge) ?? '?'],
          ['Mode', str(p.mode) ?? '?'],
        ],
      };
    case 'export': {
      const n = typeof p.records === 'number' ? p.records : 0;
      const dest = str(p.destination) ?? 'the caller';
      return {
        ...base,
        title: `Export ${plural(n, 'record')} of ${str(p.subject) ?? '?'}`,
        summary: `${who} asks to export ${plural(n, 'record')} of ${str(p.subject) ?? '?'} to ${dest}.`,
        facts: [
          ['Contract', str(p.subject) ?? '?'],
          ['Records', String(n)],
          ['Destination', dest],
        ],
        digest: str(p.digest),
      };
    }
    default:
      return {
        ...base,
        title: kindTitle(task.kind),
        summary: `${who} asks for a ${kindTitle(task.kind).toLowerCase()}.`,
        facts: Object.entries(p)
          .filter(([k]) => k !== 'actor')
          .map(([k, v]): [string, string] => [k, scalar(v)]),
      };
  }
}
