// Transcribes Apache Avro's Java reader/writer compatibility tests into the golden corpus.
// Usage: node transcribe-apache-avro.mjs <apache/avro git dir>
// The schema constants of TestSchemas.java (and of the test classes that declare their own) are written out
// below by hand as Avro JSON; the reader/writer pairs are read from the Java sources: every
// `new ReaderWriter(R, W)` of COMPATIBLE_READER_WRITER_TEST_CASES is compatible, every `Arguments.of(R, W, …)`
// of the *Mismatch/Missing* classes is not. A pair becomes { previous: W, next: R, mode: 'BACKWARD' }
// (the new schema reads data written with the old one).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const gitDir = process.argv[2];
if (!gitDir) throw new Error('usage: transcribe-apache-avro.mjs <git dir>');
const commit = execFileSync('git', ['--git-dir', gitDir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
const dir = 'lang/java/avro/src/test/java/org/apache/avro';
const show = (file) =>
  execFileSync('git', ['--git-dir', gitDir, 'show', `${commit}:${dir}/${file}`], { encoding: 'utf8' });

const rec = (name, fields, namespace) => ({
  type: 'record',
  name,
  ...(namespace ? { namespace } : {}),
  fields: fields.map(([n, type, dflt]) => ({
    name: n,
    type,
    ...(dflt === undefined ? {} : { default: dflt }),
  })),
});
const enumOf = (name, symbols, dflt, namespace) => ({
  type: 'enum',
  name,
  ...(namespace ? { namespace } : {}),
  symbols,
  ...(dflt === undefined ? {} : { default: dflt }),
});
const S = {
  NULL_SCHEMA: 'null',
  BOOLEAN_SCHEMA: 'boolean',
  INT_SCHEMA: 'int',
  LONG_SCHEMA: 'long',
  FLOAT_SCHEMA: 'float',
  DOUBLE_SCHEMA: 'double',
  STRING_SCHEMA: 'string',
  BYTES_SCHEMA: 'bytes',
};
S.INT_ARRAY_SCHEMA = { type: 'array', items: 'int' };
S.LONG_ARRAY_SCHEMA = { type: 'array', items: 'long' };
S.STRING_ARRAY_SCHEMA = { type: 'array', items: 'string' };
S.INT_MAP_SCHEMA = { type: 'map', values: 'int' };
S.LONG_MAP_SCHEMA = { type: 'map', values: 'long' };
S.STRING_MAP_SCHEMA = { type: 'map', values: 'string' };
S.ENUM1_AB_SCHEMA = enumOf('Enum1', ['A', 'B']);
S.ENUM1_AB_SCHEMA_DEFAULT = enumOf('Enum1', ['A', 'B'], 'A');
S.ENUM1_AB_SCHEMA_NAMESPACE_1 = enumOf('Enum1', ['A', 'B'], undefined, 'namespace1');
S.ENUM1_AB_SCHEMA_NAMESPACE_2 = enumOf('Enum1', ['A', 'B'], undefined, 'namespace2');
S.ENUM1_ABC_SCHEMA = enumOf('Enum1', ['A', 'B', 'C']);
S.ENUM1_BC_SCHEMA = enumOf('Enum1', ['B', 'C']);
S.ENUM2_AB_SCHEMA = enumOf('Enum2', ['A', 'B']);
S.ENUM_ABC_ENUM_DEFAULT_A_RECORD = rec('Record', [['Field', enumOf('Schema', ['A', 'B', 'C'], 'A')]]);
S.ENUM_AB_ENUM_DEFAULT_A_RECORD = rec('Record', [['Field', enumOf('Schema', ['A', 'B'], 'A')]]);
S.ENUM_ABC_FIELD_DEFAULT_B_ENUM_DEFAULT_A_RECORD = rec('Record', [
  ['Field', enumOf('Schema', ['A', 'B', 'C'], 'A'), 'B'],
]);
S.ENUM_AB_FIELD_DEFAULT_A_ENUM_DEFAULT_B_RECORD = rec('Record', [
  ['Field', enumOf('Schema', ['A', 'B'], 'B'), 'A'],
]);
S.EMPTY_UNION_SCHEMA = [];
S.NULL_UNION_SCHEMA = ['null'];
S.INT_UNION_SCHEMA = ['int'];
S.LONG_UNION_SCHEMA = ['long'];
S.FLOAT_UNION_SCHEMA = ['float'];
S.DOUBLE_UNION_SCHEMA = ['double'];
S.STRING_UNION_SCHEMA = ['string'];
S.BYTES_UNION_SCHEMA = ['bytes'];
S.INT_STRING_UNION_SCHEMA = ['int', 'string'];
S.STRING_INT_UNION_SCHEMA = ['string', 'int'];
S.INT_FLOAT_UNION_SCHEMA = ['int', 'float'];
S.INT_LONG_UNION_SCHEMA = ['int', 'long'];
S.INT_LONG_FLOAT_DOUBLE_UNION_SCHEMA = ['int', 'long', 'float', 'double'];
S.NULL_INT_ARRAY_UNION_SCHEMA = ['null', S.INT_ARRAY_SCHEMA];
S.NULL_INT_MAP_UNION_SCHEMA = ['null', S.INT_MAP_SCHEMA];
S.EMPTY_RECORD1 = rec('Record1', []);
S.EMPTY_RECORD2 = rec('Record2', []);
S.A_INT_RECORD1 = rec('Record1', [['a', 'int']]);
S.A_LONG_RECORD1 = rec('Record1', [['a', 'long']]);
S.A_INT_B_INT_RECORD1 = rec('Record1', [
  ['a', 'int'],
  ['b', 'int'],
]);
S.A_DINT_RECORD1 = rec('Record1', [['a', 'int', 0]]);
S.A_INT_B_DINT_RECORD1 = rec('Record1', [
  ['a', 'int'],
  ['b', 'int', 0],
]);
S.A_DINT_B_DINT_RECORD1 = rec('Record1', [
  ['a', 'int', 0],
  ['b', 'int', 0],
]);
S.FIXED_4_BYTES = { type: 'fixed', name: 'Fixed', size: 4 };
S.FIXED_8_BYTES = { type: 'fixed', name: 'Fixed', size: 8 };
S.A_DINT_B_DFIXED_4_BYTES_RECORD1 = rec('Record1', [
  ['a', 'int', 0],
  ['b', S.FIXED_4_BYTES],
]);
S.A_DINT_B_DFIXED_8_BYTES_RECORD1 = rec('Record1', [
  ['a', 'int', 0],
  ['b', S.FIXED_8_BYTES],
]);
S.A_DINT_B_DINT_STRING_UNION_RECORD1 = rec('Record1', [
  ['a', 'int', 0],
  ['b', S.INT_STRING_UNION_SCHEMA, 0],
]);
S.A_DINT_B_DINT_UNION_RECORD1 = rec('Record1', [
  ['a', 'int', 0],
  ['b', S.INT_UNION_SCHEMA, 0],
]);
S.A_DINT_B_DENUM_1_RECORD1 = rec('Record1', [
  ['a', 'int', 0],
  ['b', S.ENUM1_AB_SCHEMA],
]);
S.A_DINT_B_DENUM_2_RECORD1 = rec('Record1', [
  ['a', 'int', 0],
  ['b', S.ENUM2_AB_SCHEMA],
]);
const nsInner = (ns) => rec('InnerRecord1', [['a', 'int']], ns);
S.NS_RECORD1 = rec('Record1', [['f1', ['null', { type: 'array', items: nsInner('ns1') }]]]);
S.NS_RECORD2 = rec('Record1', [['f1', ['null', { type: 'array', items: nsInner('ns2') }]]]);
S.WITHOUT_NS = rec('Record', [['f1', 'int']]);
S.WITH_NS = rec('ns.Record', [['f1', 'int']]);
S.INT_LIST_RECORD = rec('List', [
  ['head', 'int'],
  ['tail', 'List'],
]);
S.LONG_LIST_RECORD = rec('List', [
  ['head', 'long'],
  ['tail', 'List'],
]);
// Declared in the test classes themselves.
S.RECORD1_WITH_ENUM_AB = rec('Record1', [['field1', S.ENUM1_AB_SCHEMA]]);
S.RECORD1_WITH_ENUM_ABC = rec('Record1', [['field1', S.ENUM1_ABC_SCHEMA]]);
S.RECORD1_WITH_INT = rec('Record1', [['field1', 'int']]);
S.RECORD2_WITH_INT = rec('Record2', [['field1', 'int']]);
S.UNION_INT_RECORD1 = ['int', S.RECORD1_WITH_INT];
S.UNION_INT_RECORD2 = ['int', S.RECORD2_WITH_INT];
S.UNION_INT_ENUM1_AB = ['int', S.ENUM1_AB_SCHEMA];
S.UNION_INT_FIXED_4_BYTES = ['int', S.FIXED_4_BYTES];
S.UNION_INT_BOOLEAN = ['int', 'boolean'];
S.UNION_INT_ARRAY_INT = ['int', S.INT_ARRAY_SCHEMA];
S.UNION_INT_MAP_INT = ['int', S.INT_MAP_SCHEMA];
S.UNION_INT_NULL = ['int', 'null'];
S.FIXED_4_ANOTHER_NAME = { type: 'fixed', name: 'AnotherName', size: 4 };

const cases = [];
const skipped = [];
const add = (file, reader, writer, compatible) => {
  if (!(reader in S) || !(writer in S)) {
    skipped.push(`${file}: ${reader}, ${writer}`);
    return;
  }
  cases.push({
    id: `${file.replace('.java', '')}#${cases.filter((c) => c.id.startsWith(file.replace('.java', ''))).length}`,
    description: `reader ${reader} reads writer ${writer}`,
    mode: 'BACKWARD',
    previous: S[writer],
    next: S[reader],
    compatible,
  });
};
{
  const text = show('TestSchemaCompatibility.java');
  const start = text.indexOf('COMPATIBLE_READER_WRITER_TEST_CASES = list(');
  const end = text.indexOf(');', start);
  for (const m of text.slice(start, end).matchAll(/new ReaderWriter\(\s*([A-Z0-9_]+),\s*([A-Z0-9_]+)\)/g))
    add('TestSchemaCompatibility.java', m[1], m[2], true);
}
for (const file of [
  'TestSchemaCompatibilityFixedSizeMismatch.java',
  'TestSchemaCompatibilityMissingEnumSymbols.java',
  'TestSchemaCompatibilityMissingUnionBranch.java',
  'TestSchemaCompatibilityNameMismatch.java',
  'TestSchemaCompatibilityReaderFieldMissingDefaultValue.java',
  'TestSchemaCompatibilityTypeMismatch.java',
]) {
  const text = show(file);
  for (const m of text.matchAll(/Arguments\.of\(\s*([A-Z0-9_]+),\s*([A-Z0-9_]+),/g))
    add(file, m[1], m[2], false);
}
const out = {
  source: `https://github.com/apache/avro/tree/${commit}/${dir} (TestSchemas.java, TestSchemaCompatibility*.java)`,
  license: 'Apache-2.0',
  meaning:
    "reader/writer pairs of Avro's Java SchemaCompatibility tests: next = reader, previous = writer, BACKWARD",
  skipped,
  cases,
};
writeFileSync(
  new URL('avro/apache-avro-schema-compatibility.json', import.meta.url),
  `${JSON.stringify(out, null, 2)}\n`,
);
console.log(cases.length, 'cases', cases.filter((c) => c.compatible).length, 'compatible; skipped', skipped);
