import { describe, expect, it } from 'vitest';
import { isIntelGraphError } from '../errors.js';
import {
  compareCodePoints,
  decodeGraphCursor,
  encodeGraphCursor,
  GraphIdSchema,
  graphEntityWords,
  graphSearchTerms,
  MAX_OFFSET,
  mergeGraphEntities,
  nextGraphCursor,
  parseBoundary,
  parseGraphUpsert,
} from './graph-input.js';

describe('search terms', () => {
  it('are lower-cased runs of letters and digits, de-duplicated, at most 8', () => {
    expect(graphSearchTerms("Alice O'Brien-Smith, 42nd St.")).toEqual([
      'alice',
      'o',
      'brien',
      'smith',
      '42nd',
      'st',
    ]);
    expect(graphSearchTerms('Ünïcode ÉCOLE straße 東京')).toEqual(['ünïcode', 'école', 'straße', '東京']);
    expect(graphSearchTerms('a a A b')).toEqual(['a', 'b']);
    expect(graphSearchTerms('1 2 3 4 5 6 7 8 9 10')).toHaveLength(8);
    expect(graphSearchTerms('"*:* OR (x) AND ~y^2')).toEqual(['or', 'x', 'and', 'y', '2']);
    expect(graphSearchTerms('!!! ???')).toEqual([]);
  });

  it('index the words of the name and every alias', () => {
    expect(graphEntityWords('Alice Smith', ['A. Smith', 'The Falcon'])).toEqual([
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
    expect(decodeGraphCursor(encodeGraphCursor(30))).toBe(30);
    expect(decodeGraphCursor(undefined)).toBe(0);
    for (const bad of [
      '',
      'xyz',
      encodeGraphCursor(MAX_OFFSET + 1),
      Buffer.from('o:-1').toString('base64url'),
    ]) {
      try {
        decodeGraphCursor(bad);
        throw new Error(`accepted ${bad}`);
      } catch (err) {
        expect(isIntelGraphError(err, 'INVALID_INPUT')).toBe(true);
      }
    }
  });

  it('stop at the last page and at the deepest offset', () => {
    expect(nextGraphCursor(0, 10, true)).toBe(encodeGraphCursor(10));
    expect(nextGraphCursor(0, 10, false)).toBeNull();
    expect(nextGraphCursor(MAX_OFFSET - 5, 10, true)).toBeNull();
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
        parseGraphUpsert(input);
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
    expect(
      parseGraphUpsert({ entities: [{ id: 'a', type: 'Person', name: 'A', aliases: ['x', 'x'] }] }),
    ).toEqual({
      entities: [{ id: 'a', type: 'Person', name: 'A', aliases: ['x'], properties: {} }],
      relationships: [],
    });
  });
});

describe('compareCodePoints', () => {
  it('orders strings by code point, as Neo4j does', () => {
    const sorted = ['b', 'a', 'ab', '\u{1F600}', '\uFF5E', 'A'].sort(compareCodePoints);
    expect(sorted).toEqual(['A', 'a', 'ab', 'b', '\uFF5E', '\u{1F600}']);
  });
});

describe('mergeGraphEntities', () => {
  it('keeps the survivor, adds names as aliases and fills missing properties', () => {
    const base = { type: 'Person', createdAt: 't0', updatedAt: 't0' };
    const merged = mergeGraphEntities(
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
