import { describe, expect, it } from 'vitest';
import { formatDeadline, formatDuration, slaStatus } from './time.js';

const NOW = Date.parse('2025-03-01T12:00:00Z');

describe('formatDuration', () => {
  it('uses the two largest units', () => {
    expect(formatDuration(9_000)).toBe('9s');
    expect(formatDuration(130_000)).toBe('2m 10s');
    expect(formatDuration(3 * 3_600_000 + 5 * 60_000)).toBe('3h 5m');
    expect(formatDuration(2 * 86_400_000 + 3 * 3_600_000)).toBe('2d 3h');
  });
});

describe('slaStatus', () => {
  it('counts down to the due time', () => {
    expect(slaStatus('2025-03-02T12:00:00Z', NOW)).toEqual({ level: 'ok', label: 'Due in 1d 0h' });
  });

  it('warns in the last six hours', () => {
    expect(slaStatus('2025-03-01T14:30:00Z', NOW)).toEqual({ level: 'soon', label: 'Due in 2h 30m' });
  });

  it('flags a task past its due time as overdue', () => {
    expect(slaStatus('2025-03-01T11:00:00Z', NOW)).toEqual({ level: 'overdue', label: 'Overdue by 1h 0m' });
  });

  it("trusts the server's overdue flag over the local clock", () => {
    expect(slaStatus('2025-03-02T12:00:00Z', NOW, true).level).toBe('overdue');
    expect(slaStatus(null, NOW, true).level).toBe('overdue');
  });

  it('says when there is no SLA', () => {
    expect(slaStatus(null, NOW)).toEqual({ level: 'none', label: 'No SLA' });
    expect(slaStatus('not a date', NOW).level).toBe('none');
  });
});

describe('formatDeadline', () => {
  it("states the moment in UTC, whatever the reader's zone", () => {
    expect(formatDeadline('2027-01-06T00:00:00Z')).toBe('Jan 6, 2027, 00:00 UTC');
    expect(formatDeadline('2027-01-05T23:30:00-02:00')).toBe('Jan 6, 2027, 01:30 UTC');
    expect(formatDeadline('soon')).toBe('soon');
  });
});
