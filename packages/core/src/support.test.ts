import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ActorSchema } from './actor.js';
import { createManualClock, systemClock } from './clock.js';
import type { IntelGraphError } from './errors.js';
import { randomIds, sequentialIds } from './ids.js';
import { canonicalJson, digestJson, sha256Hex } from './json.js';
import { emptyUsage } from './provenance.js';
import { parseInput, validateWith } from './validation.js';

describe('canonical JSON and digests', () => {
  it('follows RFC 8785: sorted keys, no whitespace, ES number format', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'] })).toBe('{"a":[true,null,"x"],"b":1}');
    expect(canonicalJson({ n: 1e21, m: 0.1, z: -0 })).toBe('{"m":0.1,"n":1e+21,"z":0}');
    expect(canonicalJson({ é: 1, e: 2 })).toBe('{"e":2,"é":1}');
  });
  it('digests structurally equal values equally', () => {
    expect(digestJson({ a: 1, b: { c: 2 } })).toBe(digestJson({ b: { c: 2 }, a: 1 }));
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('clock and ids', () => {
  it('manual clock moves only when told', () => {
    const c = createManualClock(1000);
    expect(c.now()).toBe(1000);
    c.advance(500);
    expect(c.now()).toBe(1500);
    c.set(42);
    expect(c.now()).toBe(42);
    expect(() => c.advance(-1)).toThrow(RangeError);
    expect(Math.abs(systemClock.now() - Date.now())).toBeLessThan(60_000);
  });
  it('sequential ids are deterministic; random ids are unique', () => {
    const ids = sequentialIds();
    expect([ids.next('task'), ids.next('run')]).toEqual(['task_000001', 'run_000002']);
    const seen = new Set(Array.from({ length: 1000 }, () => randomIds.next('r')));
    expect(seen.size).toBe(1000);
  });
});

describe('boundary validation', () => {
  it('parseInput throws INVALID_INPUT with every issue', () => {
    const schema = z.object({ a: z.number(), b: z.string() });
    expect(parseInput(schema, { a: 1, b: 'x' })).toEqual({ a: 1, b: 'x' });
    try {
      parseInput(schema, { a: 'no' }, 'query');
      expect.unreachable();
    } catch (e) {
      const err = e as IntelGraphError;
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.message).toMatch(/invalid query at a/);
      expect((err.details.issues as unknown[]).length).toBe(2);
    }
    expect(validateWith(z.string(), 1)).toMatchObject({
      ok: false,
      issues: [{ code: 'invalid_type', path: [] }],
    });
  });
  it('validates actors strictly', () => {
    expect(ActorSchema.parse({ userId: 'alice', orgId: 'acme', roles: ['steward'] }).roles).toEqual([
      'steward',
    ]);
    expect(ActorSchema.safeParse({ userId: '', orgId: 'acme', roles: [] }).success).toBe(false);
    expect(ActorSchema.safeParse({ userId: 'a"}{', orgId: 'acme', roles: [] }).success).toBe(false);
    expect(ActorSchema.safeParse({ userId: 'a', orgId: 'b', roles: [], admin: true }).success).toBe(false);
  });
  it('emptyUsage is all zeros and fresh each time', () => {
    const u = emptyUsage();
    u.rows = 5;
    expect(emptyUsage()).toEqual({ wallMs: 0, cpuMs: 0, heapBytes: 0, rows: 0, outputBytes: 0, logBytes: 0 });
  });
});

describe('findDangerousKeys', () => {
  it('finds prototype keys at any depth, and over-deep nesting', async () => {
    const { findDangerousKeys } = await import('./validation.js');
    expect(
      findDangerousKeys(JSON.parse('{"a":[{"__proto__":{"x":1}}],"constructor":{"prototype":1}}')).map(
        (i) => i.path,
      ),
    ).toEqual(expect.arrayContaining([['a', 0, '__proto__'], ['constructor']]));
    expect(findDangerousKeys({ a: 1, b: [1, { c: 'd' }] })).toEqual([]);
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = { d: deep };
    expect(findDangerousKeys(deep, 10)[0]?.code).toBe('too_deep');
  });
});
