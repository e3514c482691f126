import { describe, expect, it } from 'vitest';
import { DEFAULT_RATING_POLICY, weightedRating } from './rating.js';
import { riskLevel } from './risk.js';

describe('weightedRating', () => {
  it('shows the prior without ratings and moves toward the mean as ratings accumulate', () => {
    expect(weightedRating([]).score).toBe(DEFAULT_RATING_POLICY.priorMean);
    const few = weightedRating([{ stars: 5, orgId: 'a' }]).score;
    const many = weightedRating(Array.from({ length: 50 }, (_, i) => ({ stars: 5, orgId: `o${i}` }))).score;
    expect(few).toBeCloseTo((3 * 5 + 5) / 6, 2);
    expect(many).toBeGreaterThan(few);
    expect(many).toBeLessThan(5);
  });

  it('damps one org: its ratings weigh min(√n, 3) together', () => {
    const flood = Array.from({ length: 100 }, () => ({ stars: 5, orgId: 'spam' }));
    const honest = Array.from({ length: 4 }, (_, i) => ({ stars: 2, orgId: `o${i}` }));
    const s = weightedRating([...flood, ...honest]);
    expect(s.effectiveCount).toBe(7);
    expect(s.score).toBeCloseTo((3 * 5 + 5 * 3 + 2 * 4) / (5 + 3 + 4), 2);
    expect(weightedRating(Array.from({ length: 4 }, () => ({ stars: 1, orgId: 'x' }))).effectiveCount).toBe(
      2,
    );
  });
});

describe('riskLevel', () => {
  it('grades reads low, other actions medium, writes and network high', () => {
    expect(riskLevel([])).toBe('low');
    expect(riskLevel(['graph:read', 'cases:list'])).toBe('low');
    expect(riskLevel(['graph:read', 'use:nl2cypher'])).toBe('medium');
    expect(riskLevel(['graph:merge'])).toBe('high');
    expect(riskLevel(['cases:*'])).toBe('high');
    expect(riskLevel(['net:api.example.com'])).toBe('high');
  });
});
