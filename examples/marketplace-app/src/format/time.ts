/** A duration in ms as `2d 3h`, `3h 5m`, `5m 10s` or `10s`. */
export function formatDuration(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${sec}s`;
  return `${sec}s`;
}

export interface SlaStatus {
  /** `none` without a due time, `overdue` past it, `soon` within the last quarter of a day, else `ok`. */
  level: 'none' | 'ok' | 'soon' | 'overdue';
  label: string;
}

/** The SLA countdown of a review task due at `dueAt`, seen at `now`. */
export function slaStatus(dueAt: string | null, now: number, overdueFlag = false): SlaStatus {
  if (!dueAt)
    return overdueFlag ? { level: 'overdue', label: 'Overdue' } : { level: 'none', label: 'No SLA' };
  const due = Date.parse(dueAt);
  if (Number.isNaN(due)) return { level: 'none', label: 'No SLA' };
  const left = due - now;
  if (left <= 0 || overdueFlag) return { level: 'overdue', label: `Overdue by ${formatDuration(now - due)}` };
  return { level: left < 6 * 3_600_000 ? 'soon' : 'ok', label: `Due in ${formatDuration(left)}` };
}

/** A timestamp as a short local date and time. */
export function formatTimestamp(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t).toLocaleString('en-US', {
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

/**
 * A deadline in UTC, as the server counts it (`Jan 6, 2027, 00:00 UTC`): deprecation windows end at a
 * UTC moment, so the reader's time zone must not move the day.
 */
export function formatDeadline(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const text = new Date(t).toLocaleString('en-US', {
    timeZone: 'UTC',
    month: 'short',
    day: 'numeric',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  return `${text} UTC`;
}
