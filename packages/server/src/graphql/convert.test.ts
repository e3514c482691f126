import type { JsonValue } from '@intelgraph/core';
import type { QuotaView } from '@intelgraph/host';
import { describe, expect, it } from 'vitest';
import { abuseCategoryOf, evidenceOf, migrationOperationsOf, quotaView, toJsonValue } from './convert.js';

const quota: QuotaView = {
  id: 'q1',
  orgId: 'acme',
  pluginId: null,
  resource: 'calls',
  limit: 10,
  window: 'day',
  mode: 'soft',
  used: 3,
  resetAt: null,
};

describe('toJsonValue', () => {
  it('writes what JSON.stringify writes', () => {
    const value = {
      s: 'x',
      n: 1.5,
      b: false,
      nil: null,
      gone: undefined,
      fn: () => 1,
      inf: Number.POSITIVE_INFINITY,
      at: new Date('2026-01-02T03:04:05.000Z'),
      list: [1, undefined, 'a', { deep: [true] }],
    };
    const expected: unknown = JSON.parse(JSON.stringify(value));
    expect(toJsonValue(value)).toEqual(expected);
    expect(toJsonValue(undefined)).toBeNull();
  });

  it('refuses a circular value and a bigint (INTERNAL), but not a shared one', () => {
    const shared = { a: 1 };
    expect(toJsonValue({ x: shared, y: shared })).toEqual({ x: { a: 1 }, y: { a: 1 } });
    const loop: { self?: unknown } = {};
    loop.self = loop;
    expect(() => toJsonValue(loop)).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
    expect(() => toJsonValue({ n: 1n })).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
  });
});

describe('quotaView', () => {
  it('narrows the host strings to the SDL enums', () => {
    expect(quotaView(quota)).toEqual(quota);
  });

  it('is INTERNAL for a value the schema does not know', () => {
    expect(() => quotaView({ ...quota, mode: 'lenient' })).toThrow(
      expect.objectContaining({ code: 'INTERNAL', message: expect.stringContaining('mode') }),
    );
    expect(() => quotaView({ ...quota, window: 'week' })).toThrow(
      expect.objectContaining({ code: 'INTERNAL' }),
    );
  });
});

describe('arguments the SDL types more loosely than the host', () => {
  it('abuseCategoryOf takes the categories and refuses others with INVALID_INPUT on category', () => {
    expect(abuseCategoryOf('data_exfiltration')).toBe('data_exfiltration');
    expect(() => abuseCategoryOf('rude')).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        details: { issues: [expect.objectContaining({ path: ['category'] })] },
      }),
    );
  });

  it('evidenceOf keeps utf8/base64, drops a null encoding and refuses another', () => {
    const e = { name: 'a.txt', mediaType: 'text/plain', content: 'aGk=' };
    expect(evidenceOf([{ ...e, encoding: 'base64' }, { ...e, encoding: null }, e])).toEqual([
      { ...e, encoding: 'base64' },
      e,
      e,
    ]);
    expect(() => evidenceOf([e, { ...e, encoding: 'hex' }])).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        details: { issues: [expect.objectContaining({ path: ['evidence', 1, 'encoding'] })] },
      }),
    );
  });

  it('migrationOperationsOf takes each op with its own members', () => {
    const ops: JsonValue[] = [
      { op: 'add', path: '/a', value: { x: 1 } },
      { op: 'replace', path: '/b', value: null },
      { op: 'remove', path: '/c' },
      { op: 'move', from: '/d', path: '/e' },
      { op: 'copy', from: '/f', path: '/g' },
    ];
    expect(migrationOperationsOf(ops)).toEqual(ops);
  });

  it.each([
    ['not an object', ['remove'], ['operations', 0]],
    ['an unknown op', [{ op: 'test', path: '/a', value: 1 }], ['operations', 0, 'op']],
    ['a member the op does not take', [{ op: 'remove', path: '/a', value: 1 }], ['operations', 0, 'value']],
    ['an unknown member', [{ op: 'remove', path: '/a', why: 'x' }], ['operations', 0, 'why']],
    ['add without a value', [{ op: 'add', path: '/a' }], ['operations', 0, 'value']],
    ['move without from', [{ op: 'move', path: '/a' }], ['operations', 0, 'from']],
    ['a path that is not a string', [{ op: 'remove', path: 1 }], ['operations', 0, 'path']],
  ])('migrationOperationsOf refuses %s (INVALID_INPUT with its path)', (_what, ops, path) => {
    expect(() => migrationOperationsOf(ops)).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        details: { issues: [expect.objectContaining({ path })] },
      }),
    );
  });
});
