import { describe, expect, it } from 'vitest';
import { summarizeOutput } from './output-summary.js';

describe('summarizeOutput', () => {
  it('turns scored entities into lines and an id → label map', () => {
    const s = summarizeOutput([
      { id: 'org-acme', label: 'Acme Corporation', type: 'Organization', score: 0.8123 },
      { id: 'org-x', label: 'X', type: 'Organization', score: 0.1 },
    ]);
    expect(s.summary).toBe('2 results.');
    expect(s.items[0]).toBe('Acme Corporation (org-acme) · Organization · score 0.81');
    expect(s.labels.get('org-acme')).toBe('Acme Corporation');
  });

  it('describes objects by their fields and scalars as they are', () => {
    expect(summarizeOutput({ total: 3, rows: [1, 2] })).toMatchObject({
      summary: 'An object with 2 fields.',
      items: ['total: 3', 'rows: 2 items'],
    });
    expect(summarizeOutput(1).summary).toBe('1');
    expect(summarizeOutput([{ id: 'a' }]).summary).toBe('1 result.');
  });
});
