import { describe, expect, it } from 'vitest';
import { changedPointers, isUnder, jsonLines, toPointer } from './json-lines.js';

describe('jsonLines', () => {
  it('prints exactly what JSON.stringify(v, null, 2) prints', () => {
    const value = { a: 1, 'b/c': [true, null, { d: 'x' }], e: {}, f: [] };
    expect(
      jsonLines(value)
        .map((l) => l.text)
        .join('\n'),
    ).toBe(JSON.stringify(value, null, 2));
  });

  it('tags each line with the pointer of its value, escaping / and ~', () => {
    const lines = jsonLines({ 'b/c': [{ 'd~': 1 }] });
    expect(lines.map((l) => l.pointer)).toEqual([
      '',
      '/b~1c',
      '/b~1c/0',
      '/b~1c/0/d~0',
      '/b~1c/0',
      '/b~1c',
      '',
    ]);
  });
});

describe('paths', () => {
  it('matches a pointer under a path but not a sibling with the same prefix', () => {
    expect(isUnder('/properties/name/type', '/properties/name')).toBe(true);
    expect(isUnder('/properties/nameX', '/properties/name')).toBe(false);
    expect(isUnder('/a', '')).toBe(false);
    expect(isUnder('', '')).toBe(true);
  });

  it('normalises dotted and bracketed paths to pointers', () => {
    expect(toPointer('/already')).toBe('/already');
    expect(toPointer('$.address.lines[0]')).toBe('/address/lines/0');
    expect(toPointer('name')).toBe('/name');
    expect(toPointer('')).toBe('');
  });
});

describe('changedPointers', () => {
  it('lists added, removed and changed leaves', () => {
    const before = { fullName: 'Ada', age: '36', tags: ['a'] };
    const after = { name: 'Ada', age: 36, tags: ['a'] };
    expect(changedPointers(before, after)).toEqual(['/age', '/fullName', '/name']);
  });

  it('is empty for equal values', () => {
    expect(changedPointers({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
  });
});
