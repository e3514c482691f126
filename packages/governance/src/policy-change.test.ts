import { type IntelGraphError, isIntelGraphError } from '@intelgraph/core';
import { describe, expect, it } from 'vitest';
import { definePolicy } from './policy.js';
import { PolicyChangePayloadSchema, policyParamsSchema, proposePolicyChange } from './policy-change.js';

const current = definePolicy({
  kind: 'export',
  approvals: [{ count: 1, role: 'steward' }],
  params: { maxRecords: 100, label: 'pii', strict: true, regions: ['eu'], limits: { rows: 1 } },
  autoApprove: { when: { path: 'records', op: 'lte', param: 'maxRecords' } },
});

function invalid(fn: () => unknown): IntelGraphError {
  try {
    fn();
  } catch (e) {
    if (isIntelGraphError(e, 'INVALID_INPUT')) return e;
    throw e;
  }
  return expect.unreachable('expected INVALID_INPUT') as never;
}

describe('proposePolicyChange with params', () => {
  it('merges declared params of the same type', () => {
    const next = proposePolicyChange(current, {
      kind: 'export',
      params: { maxRecords: 5, label: 'x', strict: false, regions: [], limits: {} },
    });
    expect(next.params).toEqual({ maxRecords: 5, label: 'x', strict: false, regions: [], limits: {} });
  });

  it('accepts a fractional number where an integer was', () => {
    expect(
      proposePolicyChange(current, { kind: 'export', params: { maxRecords: 2.5 } }).params.maxRecords,
    ).toBe(2.5);
  });

  it('removes a declared param with null', () => {
    const next = proposePolicyChange(current, { kind: 'export', params: { label: null } });
    expect(next.params).not.toHaveProperty('label');
  });

  it('rejects an unknown param, naming it and the allowed ones', () => {
    const e = invalid(() => proposePolicyChange(current, { kind: 'export', params: { maxRecordz: 5 } }));
    expect(e.message).toBe(
      'the export policy has no param maxRecordz; allowed: label, limits, maxRecords, regions, strict',
    );
    expect(e.details).toMatchObject({
      unknown: ['maxRecordz'],
      allowed: ['label', 'limits', 'maxRecords', 'regions', 'strict'],
      issues: [{ code: 'unknown_param', path: ['payload', 'params'], keys: ['maxRecordz'] }],
    });
  });

  it('names every unknown param, also next to known ones, and null does not excuse one', () => {
    const e = invalid(() =>
      proposePolicyChange(current, { kind: 'export', params: { maxRecords: 1, a: 1, b: null } }),
    );
    expect(e.details).toMatchObject({ unknown: ['a', 'b'] });
    expect(e.message).toMatch(/no params a, b; allowed: /);
  });

  it('says when the policy declares no params at all', () => {
    const bare = definePolicy({ kind: 'merge', approvals: [{ count: 1, role: 'steward' }] });
    const e = invalid(() => proposePolicyChange(bare, { kind: 'merge', params: { maxRows: 5 } }));
    expect(e.message).toBe(
      'the merge policy has no param maxRows; allowed: none (the policy declares no params)',
    );
    expect(e.details).toMatchObject({ allowed: [] });
  });

  it.each([
    ['maxRecords', '5', 'number'],
    ['maxRecords', true, 'number'],
    ['label', 3, 'string'],
    ['strict', 'yes', 'boolean'],
    ['regions', 'eu', 'array'],
    ['limits', [1], 'object'],
  ])('rejects %s = %j (it is a %s)', (key, value, type) => {
    const e = invalid(() => proposePolicyChange(current, { kind: 'export', params: { [key]: value } }));
    expect(e.details).toMatchObject({
      issues: [{ code: 'invalid_type', path: ['payload', 'params', key] }],
    });
    expect(e.message).toContain(`param ${key} must be`);
    expect(e.message).toContain(type);
  });

  it('leaves the whole-policy replacement free to declare new params', () => {
    const next = proposePolicyChange(current, {
      kind: 'export',
      policy: { kind: 'export', approvals: [{ count: 1, role: 'steward' }], params: { maxRows: 7 } },
    });
    expect(next.params).toEqual({ maxRows: 7 });
  });
});

describe('policyParamsSchema', () => {
  it('is a strict zod schema of the declared params', () => {
    const s = policyParamsSchema(current);
    expect(s.safeParse({ maxRecords: 1 }).success).toBe(true);
    expect(s.safeParse({}).success).toBe(true);
    const r = s.safeParse({ maxRecordz: 1 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['maxRecordz'] });
  });

  it('accepts any JSON for a param declared as null', () => {
    const p = definePolicy({ kind: 'x', approvals: [{ count: 1, role: 'r' }], params: { anything: null } });
    expect(policyParamsSchema(p).safeParse({ anything: { a: [1] } }).success).toBe(true);
  });

  it('is built once per set of param names and types, and a new type gets its own schema', () => {
    const same = definePolicy({ ...current, params: { ...current.params, maxRecords: 7 } });
    expect(policyParamsSchema(same)).toBe(policyParamsSchema(current));
    const retyped = definePolicy({ ...current, params: { ...current.params, maxRecords: '7' } });
    const s = policyParamsSchema(retyped);
    expect(s).not.toBe(policyParamsSchema(current));
    expect(s.safeParse({ maxRecords: 'x' }).success).toBe(true);
    expect(s.safeParse({ maxRecords: 1 }).success).toBe(false);
    expect(policyParamsSchema(current).safeParse({ maxRecords: 'x' }).success).toBe(false);
  });
});

describe('PolicyChangePayloadSchema', () => {
  it('rejects unknown top-level keys and mixed forms', () => {
    expect(PolicyChangePayloadSchema.safeParse({ kind: 'export', params: { a: 1 }, extra: 1 }).success).toBe(
      false,
    );
    expect(
      PolicyChangePayloadSchema.safeParse({ kind: 'export', params: { a: 1 }, policy: {} }).success,
    ).toBe(false);
  });
});
