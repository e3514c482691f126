import { findDangerousKeys, IntelGraphError, type JsonValue } from '@intelgraph/core';
import { CONTRACT_LIMITS } from './limits.js';

function describeIssues(what: string, issues: ReturnType<typeof findDangerousKeys>): IntelGraphError {
  const first = issues[0];
  const where = first && first.path.length > 0 ? ` at /${first.path.join('/')}` : '';
  return new IntelGraphError('INVALID_INPUT', `${what} rejected${where}: ${first?.message ?? 'unsafe'}`, {
    details: { issues },
  });
}

/**
 * Checks that a value is plain JSON of bounded size and depth without prototype-pollution keys, and
 * returns it typed as JSON. Throws `INVALID_INPUT` otherwise.
 */
export function assertSafeJson(value: unknown, what: string, maxBytes: number): JsonValue {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new IntelGraphError('INVALID_INPUT', `${what} is not JSON (${(cause as Error).message})`, {
      cause,
    });
  }
  if (text === undefined) throw new IntelGraphError('INVALID_INPUT', `${what} is not a JSON value`);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes)
    throw new IntelGraphError(
      'INVALID_INPUT',
      `${what} is too large: ${bytes} bytes, the limit is ${maxBytes}`,
      {
        details: { limit: maxBytes, observed: bytes },
      },
    );
  const issues = findDangerousKeys(value, CONTRACT_LIMITS.maxDepth);
  if (issues.length > 0) throw describeIssues(what, issues);
  return value as JsonValue;
}

/**
 * Parses JSON text (a string or UTF-8 bytes) of bounded size, then applies {@link assertSafeJson}.
 * Throws `INVALID_INPUT` for text that is too large or not JSON.
 */
export function parseJsonText(text: string | Uint8Array, what: string, maxBytes: number): JsonValue {
  const bytes = typeof text === 'string' ? Buffer.byteLength(text, 'utf8') : text.byteLength;
  if (bytes > maxBytes)
    throw new IntelGraphError(
      'INVALID_INPUT',
      `${what} is too large: ${bytes} bytes, the limit is ${maxBytes}`,
      {
        details: { limit: maxBytes, observed: bytes },
      },
    );
  const str = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(str);
  } catch (cause) {
    throw new IntelGraphError('INVALID_INPUT', `${what} is not valid JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  const issues = findDangerousKeys(value, CONTRACT_LIMITS.maxDepth);
  if (issues.length > 0) throw describeIssues(what, issues);
  return value as JsonValue;
}

/**
 * A fast screen for payloads handed over in-process: rejects prototype-pollution keys and nesting
 * beyond `maxDepth`. Returns the pointer of the first offence, or `null`. The happy path allocates
 * nothing; the pointer is only built when something is found.
 */
export function screenPayload(value: unknown, maxDepth: number): { path: string; reason: string } | null {
  if (!offends(value, 0, maxDepth)) return null;
  return locate(value, 0, maxDepth, '');
}

const has = Object.hasOwn;

/** The yes/no form of {@link screenPayload}. */
export function isHostile(value: unknown, maxDepth: number): boolean {
  return offends(value, 0, maxDepth);
}

function offends(v: unknown, depth: number, maxDepth: number): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (depth > maxDepth) return true;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x === 'object' && x !== null && offends(x, depth + 1, maxDepth)) return true;
    }
    return false;
  }
  if (has(v, '__proto__') || has(v, 'constructor') || has(v, 'prototype')) return true;
  for (const k in v) {
    const x: unknown = (v as Record<string, unknown>)[k];
    if (typeof x === 'object' && x !== null && offends(x, depth + 1, maxDepth)) return true;
  }
  return false;
}

function locate(
  v: unknown,
  depth: number,
  maxDepth: number,
  path: string,
): { path: string; reason: string } | null {
  if (typeof v !== 'object' || v === null) return null;
  if (depth > maxDepth) return { path, reason: `nesting deeper than ${maxDepth} levels` };
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const r = locate(v[i], depth + 1, maxDepth, `${path}/${i}`);
      if (r) return r;
    }
    return null;
  }
  for (const key of Object.keys(v)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype')
      return { path: `${path}/${key}`, reason: `the key "${key}" is not allowed` };
    const r = locate((v as Record<string, unknown>)[key], depth + 1, maxDepth, `${path}/${key}`);
    if (r) return r;
  }
  return null;
}
