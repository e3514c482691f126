import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  HTTP_STATUS_BY_CODE,
  IntelGraphError,
  isIntelGraphError,
  toIntelGraphError,
} from './errors.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('IntelGraphError', () => {
  it('carries code, message, details and cause', () => {
    const cause = new Error('low level');
    const e = new IntelGraphError('BUDGET_EXCEEDED', 'wall budget', { details: { resource: 'wall' }, cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('BUDGET_EXCEEDED');
    expect(e.details).toEqual({ resource: 'wall' });
    expect(e.cause).toBe(cause);
    expect(e.httpStatus).toBe(422);
    expect(e.toJSON()).toEqual({
      code: 'BUDGET_EXCEEDED',
      message: 'wall budget',
      details: { resource: 'wall' },
    });
  });

  it('has unique codes in SCREAMING_SNAKE_CASE, each with one HTTP status', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const code of ERROR_CODES) expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
    expect(Object.keys(HTTP_STATUS_BY_CODE).sort()).toEqual([...ERROR_CODES].sort());
    for (const code of ERROR_CODES) {
      const status = HTTP_STATUS_BY_CODE[code];
      expect(Number.isInteger(status) && status >= 200 && status < 600, code).toBe(true);
      expect(new IntelGraphError(code, 'x').httpStatus).toBe(status);
      expect(isIntelGraphError({ name: 'IntelGraphError', code }, code)).toBe(true);
    }
  });

  it('documents every code with its HTTP status in docs/reference/graphql.md', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'reference', 'graphql.md'), 'utf8');
    const rows = new Map(
      [...doc.matchAll(/^\| `([A-Z_0-9]+)` \| (\d{3}) \|/gm)].map((m) => [String(m[1]), Number(m[2])]),
    );
    for (const code of ERROR_CODES) expect(rows.get(code), code).toBe(HTTP_STATUS_BY_CODE[code]);
    const known = new Set<string>(ERROR_CODES);
    expect([...rows.keys()].filter((c) => !known.has(c))).toEqual([]);
  });

  it('uses every code somewhere in the packages, so none is dead', () => {
    const sources = readdirSync(join(ROOT, 'packages'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => {
        const src = join(ROOT, 'packages', d.name, 'src');
        return readdirSync(src, { recursive: true, encoding: 'utf8' }).map((f) => join(src, f));
      })
      .filter(
        (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith(join('core', 'src', 'errors.ts')),
      );
    const text = sources.map((f) => readFileSync(f, 'utf8')).join('\n');
    const unused = ERROR_CODES.filter((code) => !text.includes(`'${code}'`));
    expect(unused).toEqual([]);
  });

  it('recognises errors by shape and by code', () => {
    const e = new IntelGraphError('NOT_FOUND', 'x');
    expect(isIntelGraphError(e)).toBe(true);
    expect(isIntelGraphError(e, 'NOT_FOUND')).toBe(true);
    expect(isIntelGraphError(e, 'CONFLICT')).toBe(false);
    expect(isIntelGraphError({ name: 'IntelGraphError', code: 'CONFLICT' })).toBe(true);
    expect(isIntelGraphError({ name: 'IntelGraphError', code: 'NOPE' })).toBe(false);
    expect(isIntelGraphError(new Error('x'))).toBe(false);
    expect(isIntelGraphError(null)).toBe(false);
  });

  it('wraps unknown throwables, keeping typed ones', () => {
    const typed = new IntelGraphError('CONFLICT', 'c');
    expect(toIntelGraphError(typed)).toBe(typed);
    const wrapped = toIntelGraphError(new Error('boom'));
    expect(wrapped.code).toBe('INTERNAL');
    expect(wrapped.message).toBe('boom');
    expect(toIntelGraphError('text', 'UNAVAILABLE').code).toBe('UNAVAILABLE');
  });
});
