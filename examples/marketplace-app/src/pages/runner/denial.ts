import type { JsonValue } from '../../api/types.js';

/** How the runner explains a refused or failed run, by error code. */
export interface Denial {
  title: string;
  explanation: string;
  /** Extra facts from the error's details (resource, scope, limit…), as label/value pairs. */
  facts: [string, string][];
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

function factValue(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The title, explanation and detail facts of a run error. */
export function describeDenial(code: string, message: string, details: JsonValue | null | undefined): Denial {
  const [title, explanation] = TITLES[code] ?? ['Run failed', message];
  const facts: [string, string][] = [];
  if (details && typeof details === 'object' && !Array.isArray(details)) {
    for (const [k, v] of Object.entries(details)) {
      if (k === 'issues' || v === undefined) continue;
      facts.push([k, factValue(v)]);
    }
  }
  return { title, explanation: TITLES[code] ? `${explanation} ${message}` : explanation, facts };
}
