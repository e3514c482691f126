import { isIntelGraphError } from '@intelgraph/core';
import { describe, expect, it } from 'vitest';
import { compare, mergeEntities } from './graph.js';
import {
  decodeCursor,
  encodeCursor,
  entityWords,
  GraphIdSchema,
  MAX_OFFSET,
  nextCursor,
  parseBoundary,
  parseUpsert,
  searchTerms,
} from './graph-input.js';

describe('search terms', () => {
  it('are lower-cased runs of letters and digits, de-duplicated, at most 8', () => {
    expect(searchTerms("Alice O'Brien-Smith, 42nd St.")).toEqual([
      'alice',
      'o',
      'brien',
      'smith',
      '42nd',
      'st',
    ]);
    expect(searchTerms('Ünïcode ÉCOLE straße 東京')).toEqual(['ünïcode', 'école', 'straße', '東京']);
    expect(searchTerms('a a A b')).toEqual(['a', 'b']);
    expect(searchTerms('1 2 3 4 5 6 7 8 9 10')).toHaveLength(8);
    expect(searchTerms('"*:* OR (x) AND ~y^2')).toEqual(['or', 'x', 'and', 'y', '2']);
    expect(searchTerms('!!! ???')).toEqual([]);
  });

  it('index the words of the name and every alias', () => {
    expect(entityWords('Alice Smith', ['A. Smith', 'The Falcon'])).toEqual([
      'alice',
      'smith',
      'a',
      'the',
      'falcon',
    ]);
  });
});

describe('cursors', () => {
  it('round-trip an offset and reject anything else', () => {
    expect(decodeCursor(encodeCursor(30))).toBe(30);
    expect(decodeCursor(undefined)).toBe(0);
    for (const bad of ['', 'xyz', encodeCursor(MAX_OFFSET + 1), Buffer.from('o:-1').toString('base64url')]) {
      try {
        decodeCursor(bad);
        throw new Error(`accepted ${bad}`);
      } catch (err) {
        expect(isIntelGraphError(err, 'INVALID_INPUT')).toBe(true);
      }
    }
  });

  it('stop at the last page and at the deepest offset', () => {
    expect(nextCursor(0, 10, true)).toBe(encodeCursor(10));
    expect(nextCursor(0, 10, false)).toBeNull();
    expect(nextCursor(MAX_OFFSET - 5, 10, true)).toBeNull();
  });
});

describe('boundary parsing', () => {
  it('reports prototype keys and hostile nesting with their paths before zod sees them', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100; i++) deep = { d: deep };
    const cases: [unknown, string][] = [
      [JSON.parse('{"entities":[{"properties":{"a":{"__proto__":1}}}]}'), 'dangerous_key'],
      [{ entities: [{ id: 'x', type: 'Person', name: 'X', properties: { deep } }] }, 'too_deep'],
    ];
    for (const [input, code] of cases) {
      try {
        parseUpsert(input);
        throw new Error('accepted');
      } catch (err) {
        expect(isIntelGraphError(err, 'INVALID_INPUT')).toBe(true);
        const issues = (err as { details: { issues: { code: string }[] } }).details.issues;
        expect(issues[0]?.code).toBe(code);
      }
    }
    expect(parseBoundary(GraphIdSchema, 'ok', 'id')).toBe('ok');
  });

  it('fills defaults and de-duplicates aliases', () => {
    expect(parseUpsert({ entities: [{ id: 'a', type: 'Person', name: 'A', aliases: ['x', 'x'] }] })).toEqual({
      entities: [{ id: 'a', type: 'Person', name: 'A', aliases: ['x'], properties: {} }],
      relationships: [],
    });
  });
});

describe('compare', () => {
  it('orders strings by code point, as Neo4j does', () => {
    const sorted = ['b', 'a', 'ab', '\u{1F600}', '\uFF5E', 'A'].sort(compare);
    expect(sorted).toEqual(['A', 'a', 'ab', 'b', '\uFF5E', '\u{1F600}']);
  });
});

describe('mergeEntities', () => {
  it('keeps the survivor, adds names as aliases and fills missing properties', () => {
    const base = { type: 'Person', createdAt: 't0', updatedAt: 't0' };
    const merged = mergeEntities(
      { ...base, id: 's', name: 'Alice', aliases: ['Al'], properties: { a: 1 }, mergedFrom: ['old'] },
      {
        ...base,
        id: 'm',
        name: 'Alicia',
        aliases: ['Alice', 'Al', 'Ally'],
        properties: { a: 2, b: 3 },
        mergedFrom: ['older'],
      },
      't1',
    );
    expect(merged).toEqual({
      ...base,
      id: 's',
      name: 'Alice',
      aliases: ['Al', 'Alicia', 'Ally'],
      properties: { a: 1, b: 3 },
      mergedFrom: ['old', 'older', 'm'],
      updatedAt: 't1',
    });
  });
});
