import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileContract } from './compiled-contract.js';
import { linearRegExp } from './json-schema-validator.js';
import { refusal } from './testing/refusal.js';

// A backtracking engine spends exponential time on these patterns with the inputs below (24 characters
// already take seconds natively); the linear-time engine answers at once, whatever the length.
const EVIL = 'a'.repeat(5000) + '!';

describe('schema patterns run on a linear-time engine', () => {
  it.each([
    ['nested quantifier', '^(a+)+$'],
    ['overlapping alternation', '^(a|aa)+$'],
    ['quantified group of a class', '^([a-z]*)*$'],
  ])('pattern with a %s answers on a hostile string', (_kind, pattern) => {
    const c = compileContract('json', { type: 'string', pattern });
    expect(c.validate(EVIL).ok).toBe(false);
    expect(c.validate('aaaa').ok).toBe(true);
  });

  it('patternProperties and propertyNames use the same engine', () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      propertyNames: { pattern: '^(a+)+$' },
      patternProperties: { '^(a|aa)+$': { type: 'integer' } },
    };
    const c = compileContract('json', schema);
    expect(c.validate({ [EVIL]: 1 }).ok).toBe(false);
    expect(c.validate({ aaa: 1 }).ok).toBe(true);
    expect(c.validate({ aaa: 'x' }).ok).toBe(false);
  });

  it.each([
    ['a lookahead', '^(?=.*[0-9]).+$'],
    ['a negative lookahead', '^(?!admin).*$'],
    ['a backreference', '^(a)\\1$'],
  ])('a pattern with %s is refused with INVALID_INPUT when the schema compiles', (_kind, pattern) => {
    const e = refusal(() => compileContract('json', { type: 'string', pattern }));
    expect(e.code).toBe('INVALID_INPUT');
    expect(e.message).toMatch(/not supported by the linear-time engine/);
    expect(e.details).toEqual({ pattern });
  });

  it('agrees with ECMAScript regular expressions on the common syntax (fast-check)', () => {
    const atom = fc.constantFrom('a', 'b', '[ab]', '[^a]', '\\d', '\\w', '.', '(a|b)', '(ab)', '[a-c]');
    const quantifier = fc.constantFrom('', '*', '+', '?', '{2}', '{1,3}');
    const pattern = fc
      .tuple(fc.boolean(), fc.array(fc.tuple(atom, quantifier), { minLength: 1, maxLength: 5 }), fc.boolean())
      .map(
        ([start, parts, end]) =>
          `${start ? '^' : ''}${parts.map(([a, q]) => a + q).join('')}${end ? '$' : ''}`,
      );
    const input = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '1', '_', ' ', 'é'), maxLength: 8 });
    fc.assert(
      fc.property(pattern, fc.array(input, { minLength: 1, maxLength: 6 }), (p, inputs) => {
        const linear = linearRegExp(p, 'u');
        const native = new RegExp(p, 'u');
        for (const s of inputs) expect([p, s, linear.test(s)]).toEqual([p, s, native.test(s)]);
      }),
      { numRuns: 500 },
    );
  });
});
