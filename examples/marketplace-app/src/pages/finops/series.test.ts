import { describe, expect, it } from 'vitest';
import { p95Rows } from './series.js';

describe('p95Rows', () => {
  it('puts points on a time axis and breaks lines across missing buckets', () => {
    const { rows, plugins } = p95Rows([
      {
        pluginId: 'a',
        points: [
          { at: '2026-04-01T17:12:00.000Z', value: 10 },
          { at: '2026-04-01T17:13:00.000Z', value: 12 },
          { at: '2026-04-01T17:18:00.000Z', value: 30 },
        ],
      },
      { pluginId: 'denied-only', points: [] },
    ]);
    expect(plugins).toEqual(['a']);
    const t = (hhmm: string) => Date.parse(`2026-04-01T${hhmm}:00.000Z`);
    expect(rows.map((r) => [r.t, r.a])).toEqual([
      [t('17:12'), 10],
      [t('17:13'), 12],
      [t('17:13') + 150_000, null],
      [t('17:18'), 30],
    ]);
  });
});
