import { findDangerousKeys } from '@intelgraph/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileContract } from './compiled-contract.js';
import { applyMappingPatch, nameSimilarity, suggestMappingPatch } from './mapping-patch.js';
import { jsonSchemaArbitrary, payloadArbitrary } from './testing/schema-arbitraries.js';

const person = {
  type: 'object',
  required: ['id', 'name', 'active'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    age: { type: 'integer' },
    active: { type: 'boolean', default: true },
    dob: { type: 'string', format: 'date' },
    seenAt: { type: 'string', format: 'date-time' },
    kind: { enum: ['person', 'org'] },
    tags: { type: 'array', items: { type: 'string' } },
  },
};

describe('suggestMappingPatch', () => {
  it('renames by similarity, coerces losslessly, normalises dates, adds defaults and drops unknown props', () => {
    const s = suggestMappingPatch(person, {
      id: 7,
      full_name: 'Ada',
      age: '36',
      dob: '1990/05/17',
      seenAt: '2026-04-01 10:00:00',
      kind: 'Person',
      tags: [1, true],
      junk: 'x',
    });
    expect(s.ok).toBe(true);
    if (!s.ok) return;
    expect(s.patch.map((o) => `${o.op} ${'from' in o ? `${o.from}→` : ''}${o.path}`)).toEqual([
      'move /full_name→/name',
      'add /active',
      'replace /id',
      'replace /age',
      'replace /dob',
      'replace /seenAt',
      'replace /kind',
      'replace /tags/0',
      'replace /tags/1',
      'remove /junk',
    ]);
    for (const op of s.patch) {
      expect(op.reason.length).toBeGreaterThan(10);
      expect(op.confidence).toBeGreaterThan(0);
      expect(op.confidence).toBeLessThanOrEqual(1);
    }
    expect(s.value).toEqual({
      id: '7',
      name: 'Ada',
      age: 36,
      active: true,
      dob: '1990-05-17',
      seenAt: '2026-04-01T10:00:00Z',
      kind: 'person',
      tags: ['1', 'true'],
    });
    expect(
      applyMappingPatch(
        person,
        {
          id: 7,
          full_name: 'Ada',
          age: '36',
          dob: '1990/05/17',
          seenAt: '2026-04-01 10:00:00',
          kind: 'Person',
          tags: [1, true],
          junk: 'x',
        },
        s.patch,
      ),
    ).toEqual({
      ok: true,
      value: s.value,
    });
  });

  it('does not coerce when information would be lost, and then suggests nothing', () => {
    const s = suggestMappingPatch(person, { id: 'a', name: 'b', active: true, age: '36.5' });
    expect(s).toMatchObject({ ok: false, patch: [], issues: [{ code: 'type', path: '/age' }] });
    expect(suggestMappingPatch(person, { id: 'a', name: 'b', active: 'yes' }).ok).toBe(false);
    expect(suggestMappingPatch(person, { id: 'a', name: 'b', active: true, dob: '03/04/2020' }).ok).toBe(
      false,
    );
  });

  it('returns an empty patch for a valid payload', () => {
    expect(suggestMappingPatch(person, { id: 'a', name: 'b', active: false })).toEqual({
      ok: true,
      patch: [],
      value: { id: 'a', name: 'b', active: false },
    });
  });

  it('applyMappingPatch rejects malformed patches and never mutates the payload', () => {
    const payload = { id: 'a', name: 'b' };
    expect(() => applyMappingPatch(person, payload, [{ op: 'jump', path: '/x' }])).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => applyMappingPatch(person, payload, [{ op: 'remove', path: '/nope' }])).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => applyMappingPatch(person, payload, [{ op: 'add', path: '/__proto__/x', value: 1 }])).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(applyMappingPatch(person, payload, [{ op: 'add', path: '/active', value: true }])).toEqual({
      ok: true,
      value: { id: 'a', name: 'b', active: true },
    });
    expect(payload).toEqual({ id: 'a', name: 'b' });
  });

  it('rejects huge payloads with INVALID_INPUT', () => {
    expect(() => suggestMappingPatch(person, { id: 'x'.repeat(6 * 1024 * 1024) })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });

  it('scores names by similarity', () => {
    expect(nameSimilarity('first_name', 'firstName')).toBe(0.95);
    expect(nameSimilarity('fullName', 'name')).toBeGreaterThanOrEqual(0.6);
    expect(nameSimilarity('zip', 'email')).toBeLessThan(0.6);
  });

  it('property: a suggested patch always makes the payload valid', () => {
    // Payloads from a schema, then damaged the ways real feeds are: numbers as strings, renamed keys, junk keys.
    const damaged = jsonSchemaArbitrary().chain((schema) =>
      fc.tuple(
        fc.constant(schema),
        payloadArbitrary(schema),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom('stringify', 'rename', 'junk', 'drop', 'null')), {
          maxLength: 4,
        }),
      ),
    );
    let fixed = 0;
    fc.assert(
      fc.property(damaged, ([schema, payload, edits]) => {
        let value: unknown = structuredClone(payload);
        for (const [seed, edit] of edits) {
          if (typeof value !== 'object' || value === null || Array.isArray(value)) {
            if (edit === 'stringify' && typeof value === 'number') value = String(value);
            continue;
          }
          const o = value as Record<string, unknown>;
          const keys = Object.keys(o);
          const k = keys[seed % Math.max(1, keys.length)];
          if (edit === 'junk') o[`junk${seed % 5}`] = seed;
          if (!k) continue;
          if (edit === 'stringify' && (typeof o[k] === 'number' || typeof o[k] === 'boolean'))
            o[k] = String(o[k]);
          if (edit === 'rename') {
            o[`${k}_`] = o[k];
            delete o[k];
          }
          if (edit === 'drop') delete o[k];
          if (edit === 'null') o[k] = null;
        }
        if (findDangerousKeys(value).length > 0) {
          // Prototype keys are refused outright, never patched.
          expect(() => suggestMappingPatch(schema, value)).toThrow(
            expect.objectContaining({ code: 'INVALID_INPUT' }),
          );
          return;
        }
        const s = suggestMappingPatch(schema, value);
        if (!s.ok) return;
        if (s.patch.length > 0) fixed += 1;
        const applied = applyMappingPatch(schema, value, s.patch);
        expect(applied.ok ? [] : applied.issues).toEqual([]);
        expect(compileContract('json', schema).validate(s.value).ok).toBe(true);
      }),
      { numRuns: 300 },
    );
    expect(fixed).toBeGreaterThan(10);
  }, 180_000); // generous: each run compiles a fresh schema, and CI machines are shared
});
