import { describe, expect, it } from 'vitest';
import { errorMessage, isIndexable, isJsonValue, isObj, toJsonValue } from './narrow.js';

describe('narrowing helpers', () => {
  it('tells plain objects from arrays and null', () => {
    expect(isObj({ type: 'string' })).toBe(true);
    expect(isObj([1])).toBe(false);
    expect(isObj(null)).toBe(false);
    expect(isIndexable([1])).toBe(true);
    expect(isIndexable(new Map())).toBe(true);
    expect(isIndexable(null)).toBe(false);
    expect(isIndexable('x')).toBe(false);
  });

  it('accepts JSON values and refuses what JSON cannot hold', () => {
    expect(isJsonValue({ a: [1, 'x', null, true, { b: 2 }] })).toBe(true);
    expect(isJsonValue({ a: undefined })).toBe(false);
    expect(isJsonValue([() => 1])).toBe(false);
    expect(isJsonValue(undefined)).toBe(false);
    expect(isJsonValue(new Date(0))).toBe(false);
    expect(isJsonValue(Object.create(null))).toBe(true);
  });

  it('gives a JSON value its JSON form: itself, a round trip, or undefined', () => {
    const json = { a: [1] };
    expect(toJsonValue(json)).toBe(json);
    expect(toJsonValue({ a: 1, b: undefined })).toEqual({ a: 1 });
    expect(toJsonValue({ at: new Date(0) })).toEqual({ at: '1970-01-01T00:00:00.000Z' });
    expect(toJsonValue(undefined)).toBeUndefined();
    expect(toJsonValue(10n)).toBeUndefined();
  });

  it('reads the message of anything thrown', () => {
    expect(errorMessage(new TypeError('boom'))).toBe('boom');
    expect(errorMessage({ message: 'duck' })).toBe('duck');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage(null)).toBe('null');
  });
});
