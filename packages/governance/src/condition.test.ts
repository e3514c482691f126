import { describe, expect, it } from 'vitest';
import { ConditionSchema, evaluateCondition } from './condition.js';

describe('evaluateCondition', () => {
  const payload = { rows: 10, dataset: 'cases', tags: ['a'], nested: { level: 0.5 } };

  it('compares values and params', () => {
    expect(evaluateCondition({ path: 'rows', op: 'lte', value: 10 }, payload)).toBe(true);
    expect(evaluateCondition({ path: 'rows', op: 'lt', value: 10 }, payload)).toBe(false);
    expect(evaluateCondition({ path: 'rows', op: 'gt', param: 'max' }, payload, { max: 5 })).toBe(true);
    expect(
      evaluateCondition({ path: 'nested.level', op: 'gte', param: 'threshold' }, payload, { threshold: 0.9 }),
    ).toBe(false);
    expect(evaluateCondition({ path: 'dataset', op: 'in', value: ['cases', 'people'] }, payload)).toBe(true);
    expect(evaluateCondition({ path: 'dataset', op: 'neq', value: 'cases' }, payload)).toBe(false);
    expect(evaluateCondition({ path: 'tags', op: 'eq', value: ['a'] }, payload)).toBe(true);
    expect(evaluateCondition({ path: 'tags.0', op: 'eq', value: 'a' }, payload)).toBe(true);
    expect(evaluateCondition({ path: 'nested', op: 'exists' }, payload)).toBe(true);
  });

  it('combines with all, any and not', () => {
    const c = {
      all: [{ path: 'rows', op: 'lt', value: 100 }, { not: { path: 'dataset', op: 'eq', value: 'people' } }],
    } as const;
    expect(evaluateCondition(ConditionSchema.parse(c), payload)).toBe(true);
    expect(
      evaluateCondition(
        {
          any: [
            { path: 'missing', op: 'exists' },
            { path: 'rows', op: 'eq', value: 1 },
          ],
        },
        payload,
      ),
    ).toBe(false);
  });

  it('is false (never an error) for missing paths, missing params and mixed types', () => {
    expect(evaluateCondition({ path: 'nope.deeper', op: 'lt', value: 1 }, payload)).toBe(false);
    expect(evaluateCondition({ path: 'rows', op: 'lt', param: 'unset' }, payload)).toBe(false);
    expect(evaluateCondition({ path: 'dataset', op: 'lt', value: 5 }, payload)).toBe(false);
  });

  it('never reads inherited properties', () => {
    expect(evaluateCondition({ path: 'constructor', op: 'exists' }, payload)).toBe(false);
    expect(evaluateCondition({ path: 'rows', op: 'lt', param: 'constructor' }, payload, {})).toBe(false);
  });

  it('rejects malformed and deeply nested conditions', () => {
    expect(ConditionSchema.safeParse({ path: 'a', op: 'lt' }).success).toBe(false);
    expect(ConditionSchema.safeParse({ path: 'a', op: 'lt', value: 1, param: 'p' }).success).toBe(false);
    expect(ConditionSchema.safeParse({ path: 'a b', op: 'exists' }).success).toBe(false);
    let deep: unknown = { path: 'a', op: 'exists' };
    for (let i = 0; i < 9; i++) deep = { not: deep };
    expect(ConditionSchema.safeParse(deep).success).toBe(false);
  });
});
