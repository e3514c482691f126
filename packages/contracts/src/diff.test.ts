import { describe, expect, it } from 'vitest';
import { diffSchemas } from './diff.js';

describe('diffSchemas', () => {
  it('lists typed JSON Schema changes with paths and what they break', () => {
    const changes = diffSchemas(
      { type: 'object', properties: { id: { type: 'string' }, age: { type: 'integer', maximum: 150 } } },
      {
        type: 'object',
        properties: { id: { type: 'string', description: 'key' }, age: { type: 'integer', maximum: 200 } },
        required: ['id'],
      },
      { format: 'json' },
    );
    expect(changes.map((c) => [c.kind, c.path, c.breaks])).toEqual([
      ['annotation-changed', '/properties/id/description', { backward: false, forward: false }],
      ['bound-loosened', '/properties/age/maximum', { backward: false, forward: true }],
      ['required-added', '/required/id', { backward: true, forward: false }],
    ]);
    expect(changes[1]).toMatchObject({ before: 150, after: 200 });
  });

  it('lists typed Avro changes', () => {
    const changes = diffSchemas(
      {
        type: 'record',
        name: 'P',
        fields: [
          { name: 'id', type: 'string' },
          { name: 'n', type: 'int' },
          { name: 'gone', type: 'string' },
        ],
      },
      {
        type: 'record',
        name: 'P',
        fields: [
          { name: 'id', type: 'string' },
          { name: 'n', type: 'long' },
          { name: 'x', type: 'int', default: 0 },
        ],
      },
      { format: 'avro' },
    );
    expect(changes.map((c) => [c.kind, c.path])).toEqual([
      ['field-type-promoted', '/fields/1/type'],
      ['field-added-with-default', '/fields/2'],
      ['field-removed', '/fields/2'],
    ]);
    expect(changes[0]?.breaks).toEqual({ backward: false, forward: true });
    expect(changes[2]?.breaks).toEqual({ backward: false, forward: true });
  });

  it('marks deprecations as non-breaking changes', () => {
    const changes = diffSchemas(
      { properties: { a: { type: 'string' } } },
      { properties: { a: { type: 'string', deprecated: true } } },
      { format: 'json' },
    );
    expect(changes).toEqual([
      expect.objectContaining({
        kind: 'deprecated',
        path: '/properties/a/deprecated',
        breaks: { backward: false, forward: false },
      }),
    ]);
  });

  it('follows local $refs, including recursive ones, without looping', () => {
    const tree = (leaf: unknown) => ({
      $defs: {
        node: {
          type: 'object',
          properties: { value: leaf, children: { type: 'array', items: { $ref: '#/$defs/node' } } },
        },
      },
      $ref: '#/$defs/node',
    });
    const changes = diffSchemas(tree({ type: 'integer' }), tree({ type: 'number' }), { format: 'json' });
    expect(changes).toEqual([
      expect.objectContaining({ kind: 'type-extended', path: '/$defs/node/properties/value/type' }),
    ]);
  });

  it('rejects invalid schemas and unknown formats with INVALID_INPUT', () => {
    expect(() => diffSchemas({ type: 1 }, {}, { format: 'json' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => diffSchemas({}, {}, { format: 'yaml' as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() =>
      diffSchemas({ $schema: 'http://json-schema.org/draft-04/schema#' }, {}, { format: 'json' }),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        message: expect.stringContaining('unsupported "$schema"'),
      }),
    );
  });

  it('accepts draft-07 and 2020-12 schemas', () => {
    const d2020 = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'array',
      prefixItems: [{ type: 'string' }],
      items: false,
    };
    const changes = diffSchemas(
      d2020,
      { ...d2020, prefixItems: [{ type: 'string' }, { type: 'integer' }] },
      { format: 'json' },
    );
    expect(changes.map((c) => c.kind)).toEqual(['schema-accepts-anything']);
  });
});
