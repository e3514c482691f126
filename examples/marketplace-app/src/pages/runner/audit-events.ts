import type { AuditEventEntry, JsonValue } from '../../api/types.js';
import { formatMoney } from '../../format/money.js';
import { plural } from '../../format/plural.js';
import { describeAuditEvent } from '../governance/audit-summary.js';

type JsonObject = { [key: string]: JsonValue };

const objectOf = (data: JsonValue | null): JsonObject =>
  typeof data === 'object' && data !== null && !Array.isArray(data) ? data : {};
const text = (v: JsonValue | undefined): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** What a plugin audit event is about, for filtering: a run, a replay, or the plugin's lifecycle. */
export type PluginEventKind = 'run' | 'replay' | 'lifecycle';

/** The kind of a `plugin:<id>` audit event. */
export function pluginEventKind(type: string): PluginEventKind {
  if (type === 'plugin.run' || type === 'plugin.run.denied') return 'run';
  if (type === 'plugin.replay') return 'replay';
  return 'lifecycle';
}

/**
 * The run a `plugin.run` event records, and whether it may be replayed: only when the event says it was
 * recorded whole (`replayable: true`). `false` means the recording was over the size cap or could not be
 * stored; no field means nothing was recorded (replay was off, or the run was refused before it ran).
 */
export function replayableRun(e: Pick<AuditEventEntry, 'type' | 'data'>): {
  runId: string;
  replayable: boolean;
  /** Why not, when it may not be replayed. */
  why: string | null;
} | null {
  if (e.type !== 'plugin.run') return null;
  const d = objectOf(e.data);
  const runId = text(d.runId);
  if (runId === null) return null;
  if (d.replayable === true) return { runId, replayable: true, why: null };
  return {
    runId,
    replayable: false,
    why:
      d.replayable === false
        ? 'This run was not recorded whole (over the recording cap, or the recording could not be stored), so it cannot be replayed.'
        : 'This run was not recorded for replay (replay was off, or it was refused before it ran).',
  };
}

const LIFECYCLE: Record<string, string> = {
  'plugin.installed': 'Installed',
  'plugin.uninstalled': 'Uninstalled',
  'plugin.updated': 'Updated',
  'plugin.consented': 'Optional scopes granted',
  'plugin.capabilities_changed': 'Optional scopes changed',
  'plugin.approval_requested': 'Approval requested',
  'plugin.published': 'Published',
  'plugin.yanked': 'Yanked',
  'grant.added': 'Scopes granted',
  'grant.revoked': 'Scopes revoked',
  'report.created': 'Abuse reported',
  'moderation.auto_hidden': 'Hidden from search after reports',
  'moderation.resolved': 'Abuse reports resolved',
};

function describeRun(by: string, d: JsonObject): string {
  const runId = text(d.runId) ?? 'unknown run';
  const outcome = text(d.outcome) ?? 'unknown';
  const facts: string[] = [];
  if (text(d.version)) facts.push(`v${d.version}`);
  if (typeof d.hostCalls === 'number') facts.push(plural(d.hostCalls, 'host call'));
  if (typeof d.cost === 'number' && text(d.currency)) facts.push(formatMoney(d.cost, String(d.currency)));
  if (d.replayable === false) facts.push('not replayable');
  const verdict = outcome === 'ok' ? 'succeeded' : `failed (${outcome})`;
  return `Run ${runId}${by} ${verdict}${facts.length > 0 ? ` · ${facts.join(' · ')}` : ''}`;
}

function describeReplay(by: string, d: JsonObject): string {
  const runId = text(d.runId) ?? 'unknown run';
  const div = objectOf(d.divergence ?? null);
  const verdict =
    d.replayable === false
      ? 'could not be replayed (not recorded whole)'
      : d.identical === true
        ? 'replayed identically'
        : `replayed and diverged${text(div.kind) ? ` (${div.kind}${text(div.reason) ? `: ${div.reason}` : ''})` : ''}`;
  return `Run ${runId} ${verdict}${by}`;
}

/**
 * One event of a plugin's audit log as a sentence: `Run run-1 by alice succeeded · v1.0.0 · 2 host calls`,
 * `Run run-1 replayed identically by carol`, `Installed by alice · v1.0.0`.
 */
export function describePluginEvent(type: string, actor: string | null, data: JsonValue | null): string {
  const by = actor ? ` by ${actor}` : '';
  const d = objectOf(data);
  if (type === 'plugin.run') return describeRun(by, d);
  if (type === 'plugin.run.denied') {
    const why = [text(d.code), text(d.message)].filter((s) => s !== null).join(': ');
    return `Run ${text(d.runId) ?? 'unknown run'}${by} refused${why ? ` (${why})` : ''}`;
  }
  if (type === 'plugin.replay') return describeReplay(by, d);
  const verb = LIFECYCLE[type];
  if (verb === undefined) return describeAuditEvent(type, actor, data);
  const version = text(d.version) ?? text(d.to);
  const scopes = Array.isArray(d.scopes) ? d.scopes.filter((s) => typeof s === 'string') : [];
  const scope = text(d.scope);
  if (scope !== null) scopes.push(scope);
  return `${verb}${by}${version ? ` · v${version}` : ''}${scopes.length > 0 ? ` · ${scopes.join(', ')}` : ''}`;
}
