import { describe, expect, it } from 'vitest';
import { buildInput, exampleInput, fieldsFromSchema, initialValues } from './schema-form.js';

const schema = {
  type: 'object',
  required: ['entityId', 'depth'],
  properties: {
    entityId: { type: 'string', description: 'The entity to enrich' },
    depth: { type: 'integer', minimum: 1, maximum: 3, default: 1 },
    mode: { enum: ['fast', 'thorough'] },
    includeCases: { type: 'boolean', default: true },
    tags: { type: 'array', items: { type: 'string' } },
    threshold: { type: 'number', title: 'Score threshold' },
  },
};

describe('fieldsFromSchema', () => {
  it('generates a field per property of a flat object schema', () => {
    const fields = fieldsFromSchema(schema);
    expect(fields?.map((f) => [f.name, f.kind, f.required])).toEqual([
      ['entityId', 'string', true],
      ['depth', 'integer', true],
      ['mode', 'enum', false],
      ['includeCases', 'boolean', false],
      ['tags', 'string-list', false],
      ['threshold', 'number', false],
    ]);
    expect(fields?.[0]).toMatchObject({ label: 'Entity Id', description: 'The entity to enrich' });
    expect(fields?.[5]?.label).toBe('Score threshold');
    expect(fields?.[1]).toMatchObject({ minimum: 1, maximum: 3 });
  });

  it('falls back to the JSON editor for nested or non-object schemas', () => {
    expect(fieldsFromSchema({ type: 'object', properties: { a: { type: 'object' } } })).toBeNull();
    expect(fieldsFromSchema({ type: 'array' })).toBeNull();
    expect(fieldsFromSchema({ oneOf: [] })).toBeNull();
    expect(fieldsFromSchema(null)).toBeNull();
    expect(
      fieldsFromSchema({ type: 'object', properties: { a: { type: 'array', items: { type: 'object' } } } }),
    ).toBeNull();
  });
});

describe('buildInput', () => {
  const fields = fieldsFromSchema(schema) ?? [];

  it('starts from the defaults', () => {
    expect(initialValues(schema, fields)).toEqual({
      entityId: '',
      depth: '1',
      mode: '',
      includeCases: true,
      tags: '',
      threshold: '',
    });
  });

  it('converts the values to the typed input, leaving out empty optional fields', () => {
    const values = { ...initialValues(schema, fields), entityId: ' p-1 ', tags: 'a, b,,c', threshold: '0.5' };
    expect(buildInput(fields, values)).toEqual({
      ok: true,
      value: { entityId: 'p-1', depth: 1, includeCases: true, tags: ['a', 'b', 'c'], threshold: 0.5 },
    });
  });

  it('reports missing required fields and bad numbers per field', () => {
    const values = { ...initialValues(schema, fields), depth: '1.5', threshold: 'abc' };
    expect(buildInput(fields, values)).toEqual({
      ok: false,
      errors: {
        entityId: 'Entity Id is required',
        depth: 'Depth must be a whole number',
        threshold: 'Score threshold must be a number',
      },
    });
    expect(buildInput(fields, { ...values, entityId: 'x', depth: '7', threshold: '' })).toEqual({
      ok: false,
      errors: { depth: 'Depth must be at most 3' },
    });
  });

  it('gives the JSON editor a starting document', () => {
    expect(JSON.parse(exampleInput(schema))).toEqual({ depth: 1, includeCases: true });
    expect(exampleInput({ oneOf: [] })).toBe('{}');
  });
});
