import { describe, expect, it } from 'vitest';
import { describeDenial } from './denial.js';

describe('describeDenial', () => {
  it('explains each denial code and keeps the server message', () => {
    for (const code of ['BUDGET_EXCEEDED', 'CAPABILITY_DENIED', 'QUOTA_EXCEEDED', 'KILL_SWITCH']) {
      const d = describeDenial(code, 'server says why', null);
      expect(d.title).not.toBe('Run failed');
      expect(d.explanation).toContain('server says why');
    }
  });

  it('lists the detail facts, leaving out validation issues', () => {
    const d = describeDenial('BUDGET_EXCEEDED', 'cpu', {
      resource: 'cpuMs',
      limit: 800,
      used: 950,
      issues: [],
    });
    expect(d.facts).toEqual([
      ['resource', 'cpuMs'],
      ['limit', '800'],
      ['used', '950'],
    ]);
  });

  it('falls back to the message for an unknown code', () => {
    expect(describeDenial('SOMETHING_NEW', 'odd', undefined)).toEqual({
      title: 'Run failed',
      explanation: 'odd',
      facts: [],
    });
  });
});
