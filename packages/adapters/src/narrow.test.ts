import { isIntelGraphError } from '@intelgraph/core';
import { describe, expect, it } from 'vitest';
import {
  errorCode,
  jsonArrayOf,
  jsonObjectOf,
  member,
  parseStoredJson,
  recordOf,
  stringArray,
  stringArrayOrEmpty,
  stringOf,
} from './narrow.js';

const internal = (fn: () => unknown): void => {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(isIntelGraphError(thrown, 'INTERNAL')).toBe(true);
};

describe('stored-value narrowing', () => {
  it('reads driver error codes', () => {
    expect(errorCode(Object.assign(new Error('dup'), { code: '23505' }))).toBe('23505');
    expect(errorCode(new Error('plain'))).toBeUndefined();
    expect(errorCode(null)).toBeUndefined();
  });

  it('accepts members of an exhaustive set and refuses anything else as INTERNAL', () => {
    const STATUS: Record<'open' | 'closed', true> = { open: true, closed: true };
    expect(member(STATUS, 'open', 'status')).toBe('open');
    internal(() => member(STATUS, 'toString', 'status'));
    internal(() => member(STATUS, 1, 'status'));
  });

  it('decodes JSON columns into checked shapes', () => {
    expect(stringOf(parseStoredJson('"Ada"'), 'name')).toBe('Ada');
    expect(stringArray(parseStoredJson('["a","b"]'), 'aliases')).toEqual(['a', 'b']);
    expect(stringArrayOrEmpty(null, 'ids')).toEqual([]);
    expect(jsonObjectOf(parseStoredJson('{"a":1}'), 'props')).toEqual({ a: 1 });
    expect(jsonArrayOf(parseStoredJson('[1]'), 'ops')).toEqual([1]);
    expect(recordOf({ id: 'e1' }, 'entity')).toEqual({ id: 'e1' });
    internal(() => stringOf(1, 'name'));
    internal(() => stringArray(['a', 1], 'aliases'));
    internal(() => jsonObjectOf([], 'props'));
    internal(() => jsonArrayOf({}, 'ops'));
    internal(() => recordOf(null, 'entity'));
  });
});
