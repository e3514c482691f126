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

  it('lists the detail facts with human labels, leaving out validation issues', () => {
    const d = describeDenial('BUDGET_EXCEEDED', 'cpu', {
      resource: 'cpuMs',
      limit: 800,
      used: 950,
      issues: [],
    });
    expect(d.facts).toEqual([
      ['Resource', 'cpuMs'],
      ['Limit', '800'],
      ['Used', '950'],
    ]);
  });

  it('renders a kill switch as sentences and local times, never JSON or ISO timestamps', () => {
    const d = describeDenial('KILL_SWITCH', 'engaged', {
      switch: 'plugin:sample-enricher',
      level: 'plugin',
      target: { plugin: 'sample-enricher' },
      reason: 'Incident 42',
      engagedBy: 'alice',
      engagedAt: '2026-04-01T17:12:00.000Z',
    });
    const facts = Object.fromEntries(d.facts);
    expect(facts['Applies to']).toBe('plugin sample-enricher');
    expect(facts['Switched off by']).toBe('alice');
    expect(facts.Since).not.toMatch(/T\d\d:|Z$|[{}]/);
    expect(facts.Since).toContain('Apr');
  });

  it('lists every violated path of every failing record', () => {
    const d = describeDenial('CONTRACT_VIOLATION', 'input violates (/q: must be string)', {
      subject: 'enricher-query',
      version: 1,
      edge: 'ingest',
      failed: 1,
      total: 1,
      findings: [
        {
          index: 0,
          issues: [
            { code: 'type', path: '/q', message: 'must be string' },
            { code: 'maximum', path: '/limit', message: 'must be <= 50' },
          ],
          warnings: [],
        },
      ],
    });
    expect(d.violations).toEqual(['/q must be string', '/limit must be <= 50']);
    expect(d.facts).toEqual([
      ['Contract', 'enricher-query v1 (ingest)'],
      ['Records failing', '1 of 1 record'],
    ]);
  });

  it('falls back to the message for an unknown code', () => {
    expect(describeDenial('SOMETHING_NEW', 'odd', undefined)).toEqual({
      title: 'Run failed',
      explanation: 'odd',
      facts: [],
      violations: [],
    });
  });
});
