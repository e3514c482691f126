import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  HTTP_STATUS_BY_CODE,
  IntelGraphError,
  isIntelGraphError,
  toIntelGraphError,
} from './errors.js';

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

  it('includes every code the issues require and maps each to an HTTP status', () => {
    for (const code of [
      'INVALID_INPUT',
      'NOT_FOUND',
      'CONFLICT',
      'CAPABILITY_DENIED',
      'BUDGET_EXCEEDED',
      'PLUGIN_ERROR',
      'CONTRACT_VIOLATION',
      'SCHEMA_INCOMPATIBLE',
      'SIGNATURE_INVALID',
      'QUOTA_EXCEEDED',
      'KILL_SWITCH',
      'APPROVAL_REQUIRED',
      'INVALID_TRANSITION',
      'FORBIDDEN',
      'UNAVAILABLE',
    ] as const) {
      expect(ERROR_CODES).toContain(code);
    }
    for (const code of ERROR_CODES) {
      const status = HTTP_STATUS_BY_CODE[code];
      expect(status >= 200 && status < 600).toBe(true);
    }
    expect(HTTP_STATUS_BY_CODE.NOT_FOUND).toBe(404);
    expect(HTTP_STATUS_BY_CODE.QUOTA_EXCEEDED).toBe(429);
    expect(HTTP_STATUS_BY_CODE.FORBIDDEN).toBe(403);
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
