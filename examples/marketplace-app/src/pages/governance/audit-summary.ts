import type { JsonValue } from '../../api/types.js';

const VERBS: Record<string, string> = {
  requested: 'Requested',
  approved: 'Approved',
  approval_recorded: 'Approval recorded',
  denial_recorded: 'Denial recorded',
  auto_approved: 'Approved by the policy',
  denied: 'Denied',
  appealed: 'Appealed',
  appeal_opened: 'Appeal opened',
  withdrawn: 'Withdrawn',
  expired: 'Expired (SLA passed)',
  escalated: 'Escalated to backup approvers',
  sla_warning: 'SLA warning sent',
  apply_started: 'Applying the change',
  applied: 'Change applied',
  apply_failed: 'Applying the change failed',
  notification_failed: 'A notification could not be delivered',
};

// Words people look for first; ids and hashes stay in the raw details.
const TEXT_KEYS = ['note', 'reason', 'outcome', 'state', 'level', 'error', 'message'];

type JsonObject = { [key: string]: JsonValue };

/** One audit event as a sentence: `Denied by bob: “No evidence attached”`. */
export function describeAuditEvent(type: string, actor: string | null, data: JsonValue | null): string {
  const last = type.split('.').at(-1) ?? type;
  const verb = VERBS[last] ?? type.replace(/[._]/g, ' ');
  const by = actor ? ` by ${actor}` : '';
  const d: JsonObject = typeof data === 'object' && data !== null && !Array.isArray(data) ? data : {};
  const words = TEXT_KEYS.flatMap((k) => (typeof d[k] === 'string' && d[k] !== '' ? [`“${d[k]}”`] : []));
  return `${verb}${by}${words.length > 0 ? `: ${words.join(' · ')}` : ''}`;
}
