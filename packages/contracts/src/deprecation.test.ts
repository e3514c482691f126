import { describe, expect, it } from 'vitest';
import { avroDeprecations, checkDeprecations, jsonSchemaDeprecations } from './deprecation.js';

describe('deprecations', () => {
  it('finds deprecated JSON Schema properties through nesting, arrays and $refs', () => {
    const fields = jsonSchemaDeprecations({
      definitions: { addr: { type: 'object', properties: { zip5: { type: 'string', deprecated: true } } } },
      properties: {
        a: { deprecated: true, 'x-deprecation-window': '2026-06-30' },
        list: { type: 'array', items: { $ref: '#/definitions/addr' } },
        billing: { $ref: '#/definitions/addr' },
      },
    });
    expect(fields.map((f) => [f.segments.join('.'), f.window])).toEqual([
      ['a', '2026-06-30'],
      ['list.*.zip5', null],
      ['billing.zip5', null],
    ]);
    const { warnings, errors } = checkDeprecations(
      fields,
      { a: 1, list: [{ zip5: '1' }, {}, { zip5: '2' }] },
      Date.UTC(2026, 6, 1),
    );
    expect(errors.map((e) => e.path)).toEqual(['/a']);
    expect(warnings.map((w) => w.path)).toEqual(['/list/0/zip5', '/list/2/zip5']);
  });

  it('finds deprecated Avro fields, including through named references', () => {
    const fields = avroDeprecations({
      type: 'record',
      name: 'P',
      fields: [
        { name: 'old', type: 'string', deprecated: true, 'x-deprecation-window': '2026-01-01T12:00:00Z' },
        {
          name: 'home',
          type: {
            type: 'record',
            name: 'Addr',
            fields: [{ name: 'zip', type: 'string', deprecated: 'use postcode' }],
          },
        },
        { name: 'work', type: ['null', 'Addr'] },
      ],
    });
    expect(fields.map((f) => [f.segments.join('.'), f.schemaPath])).toEqual([
      ['old', '/fields/0'],
      ['home.zip', '/fields/1/type/fields/0'],
      ['work.zip', '/fields/1/type/fields/0'],
    ]);
    expect(fields[0]?.errorFrom).toBe(Date.UTC(2026, 0, 1, 12));
  });

  it('rejects an invalid deprecation window', () => {
    expect(() =>
      jsonSchemaDeprecations({ properties: { a: { deprecated: true, 'x-deprecation-window': 'soon' } } }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
