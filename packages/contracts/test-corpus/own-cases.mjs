// Writes the corpus cases of our own (the regressions found with combinators (nullable through oneOf, a one-branch allOf, unevaluatedProperties, tuples), and the cases around them).
// Usage: node own-cases.mjs  (rewrites json/own-cases.json and avro/own-cases.json)
import { writeFileSync } from 'node:fs';

const d2020 = 'https://json-schema.org/draft/2020-12/schema';
const obj = (properties, extra = {}) => ({ type: 'object', properties, ...extra });
const json = [
  [
    'unevaluatedProperties false, property dropped',
    { $schema: d2020, ...obj({ a: { type: 'string' } }, { unevaluatedProperties: false }) },
    { $schema: d2020, ...obj({}, { unevaluatedProperties: false }) },
    'BACKWARD',
    false,
  ],
  [
    'unevaluatedProperties false, property added (FORWARD)',
    { $schema: d2020, ...obj({ a: { type: 'string' } }, { unevaluatedProperties: false }) },
    {
      $schema: d2020,
      ...obj({ a: { type: 'string' }, b: { type: 'number' } }, { unevaluatedProperties: false }),
    },
    'FORWARD',
    false,
  ],
  [
    'unevaluatedProperties false, property added (BACKWARD)',
    { $schema: d2020, ...obj({ a: { type: 'string' } }, { unevaluatedProperties: false }) },
    {
      $schema: d2020,
      ...obj({ a: { type: 'string' }, b: { type: 'number' } }, { unevaluatedProperties: false }),
    },
    'BACKWARD',
    true,
  ],
  [
    'unevaluatedProperties false with allOf-declared properties, one dropped',
    {
      $schema: d2020,
      allOf: [obj({ a: { type: 'string' } }), obj({ b: { type: 'string' } })],
      unevaluatedProperties: false,
    },
    { $schema: d2020, allOf: [obj({ a: { type: 'string' } })], unevaluatedProperties: false },
    'BACKWARD',
    false,
  ],
  [
    'unevaluatedItems after a shortened tuple',
    {
      $schema: d2020,
      type: 'array',
      prefixItems: [{ type: 'string' }, { type: 'number' }],
      unevaluatedItems: { type: 'string' },
    },
    {
      $schema: d2020,
      type: 'array',
      prefixItems: [{ type: 'string' }],
      unevaluatedItems: { type: 'string' },
    },
    'BACKWARD',
    false,
  ],
  [
    'unevaluatedProperties beside if/then is not analysed',
    {
      $schema: d2020,
      properties: { a: { type: 'string' } },
      if: { required: ['a'] },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's then keyword
      then: { properties: { b: { type: 'number' } } },
      unevaluatedProperties: false,
    },
    {
      $schema: d2020,
      properties: { a: { type: 'string' }, c: { type: 'string' } },
      if: { required: ['a'] },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's then keyword
      then: { properties: { b: { type: 'number' } } },
      unevaluatedProperties: false,
    },
    'FORWARD',
    false,
  ],
  [
    'additionalProperties false, property dropped',
    obj({ a: { type: 'string' } }, { additionalProperties: false }),
    obj({}, { additionalProperties: false }),
    'BACKWARD',
    false,
  ],
  [
    'items false after a tuple, tuple shortened',
    { $schema: d2020, type: 'array', prefixItems: [{ type: 'string' }, { type: 'number' }], items: false },
    { $schema: d2020, type: 'array', prefixItems: [{ type: 'string' }], items: false },
    'BACKWARD',
    false,
  ],
  [
    'propertyNames tightened',
    { type: 'object', propertyNames: { maxLength: 5 } },
    { type: 'object', propertyNames: { maxLength: 3 } },
    'BACKWARD',
    false,
  ],
  [
    'patternProperties narrowed',
    { type: 'object', patternProperties: { '^x-': { type: 'string' } } },
    { type: 'object', patternProperties: { '^x-': { type: 'string', maxLength: 2 } } },
    'BACKWARD',
    false,
  ],
  [
    'string into a one-branch oneOf (FULL)',
    { type: 'string' },
    { oneOf: [{ type: 'string' }] },
    'FULL',
    true,
  ],
  [
    'string into anyOf string|number',
    { type: 'string' },
    { anyOf: [{ type: 'string' }, { type: 'number' }] },
    'BACKWARD',
    true,
  ],
  [
    'string into anyOf string|number (FORWARD)',
    { type: 'string' },
    { anyOf: [{ type: 'string' }, { type: 'number' }] },
    'FORWARD',
    false,
  ],
  [
    'make it nullable with oneOf',
    obj({ a: { type: 'string' } }),
    obj({ a: { oneOf: [{ type: 'null' }, { type: 'string' }] } }),
    'BACKWARD',
    true,
  ],
  [
    'oneOf with overlapping new branch',
    { oneOf: [{ type: 'string' }] },
    { oneOf: [{ type: 'string' }, { type: 'string', maxLength: 3 }] },
    'BACKWARD',
    false,
  ],
  [
    'anyOf into a plain schema, a branch lost',
    { anyOf: [{ type: 'string' }, { type: 'number' }] },
    { type: 'string' },
    'BACKWARD',
    false,
  ],
  [
    'allOf split of a plain schema (FULL)',
    obj({ a: { type: 'string' } }, { required: ['a'] }),
    { allOf: [obj({ a: { type: 'string' } }), { required: ['a'] }] },
    'FULL',
    true,
  ],
  [
    'default inside a oneOf branch',
    { oneOf: [{ type: 'string', default: 'x' }, { type: 'null' }] },
    { oneOf: [{ type: 'string', default: 'y' }, { type: 'null' }] },
    'FULL',
    true,
  ],
  [
    'connect.type annotation',
    { type: 'integer', 'connect.type': 'int16' },
    { type: 'integer', 'connect.type': 'int16' },
    'FULL',
    true,
  ],
  ['not widened', { not: { type: 'string' } }, { not: { type: 'string', maxLength: 2 } }, 'BACKWARD', true],
  ['not narrowed', { not: { type: 'string', maxLength: 2 } }, { not: { type: 'string' } }, 'BACKWARD', false],
  [
    'contains narrowed',
    { type: 'array', contains: { type: 'number' } },
    { type: 'array', contains: { type: 'integer' } },
    'BACKWARD',
    false,
  ],
  [
    'a local $ref unchanged, its target changed',
    { $defs: { a: { type: 'string' } }, properties: { x: { $ref: '#/$defs/a' } } },
    { $defs: { a: { type: 'number' } }, properties: { x: { $ref: '#/$defs/a' } } },
    'BACKWARD',
    false,
  ],
];
const list = (t) => ({
  $defs: {
    node: {
      oneOf: [
        { type: 'null' },
        { allOf: [{ type: 'object' }, { properties: { v: { type: t }, next: { $ref: '#/$defs/node' } } }] },
      ],
    },
  },
  $ref: '#/$defs/node',
});
json.push(
  [
    'recursive nullable list through oneOf/allOf, item type widened',
    list('integer'),
    list('number'),
    'BACKWARD',
    true,
  ],
  [
    'recursive nullable list through oneOf/allOf, item type widened (FULL)',
    list('integer'),
    list('number'),
    'FULL',
    false,
  ],
);
const rec = (name, fields, extra = {}) => ({ type: 'record', name, ...extra, fields });
const A = rec('A', [{ name: 'a', type: 'int' }]);
const B = rec('B', [{ name: 'b', type: 'string' }]);
const avro = [
  [
    'nullable int|long union registered and widened',
    ['null', 'int'],
    ['null', 'int', 'long'],
    'BACKWARD',
    true,
  ],
  ['int|long union narrowed', ['null', 'int', 'long'], ['null', 'int'], 'BACKWARD', false],
  ['int|float union', ['int', 'float'], ['int', 'float', 'double'], 'BACKWARD', true],
  ['null|RecA|RecB union gains RecB', ['null', A], ['null', A, B], 'BACKWARD', true],
  ['null|RecA|RecB union gains RecB (FORWARD)', ['null', A], ['null', A, B], 'FORWARD', false],
  [
    'record plus map',
    [A, { type: 'map', values: 'int' }],
    [A, { type: 'map', values: 'long' }],
    'BACKWARD',
    true,
  ],
  [
    'string plus enum',
    ['string', { type: 'enum', name: 'E', symbols: ['X'] }],
    ['string', { type: 'enum', name: 'E', symbols: ['X', 'Y'] }],
    'BACKWARD',
    true,
  ],
  [
    'bytes plus fixed, fixed resized',
    ['bytes', { type: 'fixed', name: 'F', size: 4 }],
    ['bytes', { type: 'fixed', name: 'F', size: 8 }],
    'BACKWARD',
    false,
  ],
  [
    'bytes plus fixed, union widened',
    ['bytes', { type: 'fixed', name: 'F', size: 4 }],
    ['null', 'bytes', { type: 'fixed', name: 'F', size: 4 }],
    'BACKWARD',
    true,
  ],
  [
    'namespace dropped from the top record',
    rec('ns.Record', [{ name: 'f', type: 'int' }]),
    rec('Record', [{ name: 'f', type: 'int' }]),
    'FULL',
    true,
  ],
  [
    'nested record moved between namespaces',
    rec('R', [{ name: 'i', type: rec('Inner', [{ name: 'a', type: 'int' }], { namespace: 'ns1' }) }]),
    rec('R', [{ name: 'i', type: rec('Inner', [{ name: 'a', type: 'int' }], { namespace: 'ns2' }) }]),
    'FULL',
    true,
  ],
  ['record renamed without alias', rec('R1', []), rec('R2', []), 'BACKWARD', false],
  [
    'record renamed with a qualified alias',
    rec('ns.R1', []),
    rec('R2', [], { aliases: ['other.R1'] }),
    'BACKWARD',
    true,
  ],
  ['field added without default', rec('R', []), rec('R', [{ name: 'x', type: 'int' }]), 'BACKWARD', false],
  [
    'field added with default',
    rec('R', []),
    rec('R', [{ name: 'x', type: 'int', default: 0 }]),
    'FULL',
    true,
  ],
  ['empty union read as int', [], 'int', 'BACKWARD', true],
];
const write = (dir, list) =>
  writeFileSync(
    new URL(`${dir}/own-cases.json`, import.meta.url),
    `${JSON.stringify(
      {
        source: 'IntelGraph (compatibility regressions found with combinators, and their neighbours)',
        license: 'Apache-2.0',
        meaning:
          'previous → next under mode; compatible is what the data says (checked by hand against the spec)',
        cases: list.map(([description, previous, next, mode, compatible], i) => ({
          id: `own-${dir}#${i}`,
          description,
          mode,
          previous,
          next,
          compatible,
        })),
      },
      null,
      2,
    )}\n`,
  );
write('json', json);
write('avro', avro);
