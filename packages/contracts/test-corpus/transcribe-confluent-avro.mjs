// Transcribes Confluent Schema Registry's AvroCompatibilityTest (multi-version histories under every mode).
// Usage: node transcribe-confluent-avro.mjs <schema-registry git dir>
// The schemaStringN literals are joined and parsed; each `checker.isCompatible(next, previous…)` under
// `CompatibilityChecker.<MODE>_CHECKER` becomes { history (oldest first), next, mode, compatible }.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const gitDir = process.argv[2];
if (!gitDir) throw new Error('usage: transcribe-confluent-avro.mjs <git dir>');
const commit = execFileSync('git', ['--git-dir', gitDir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
const path = 'core/src/test/java/io/confluent/kafka/schemaregistry/avro/AvroCompatibilityTest.java';
const text = execFileSync('git', ['--git-dir', gitDir, 'show', `${commit}:${path}`], { encoding: 'utf8' });

const schemas = {};
for (const m of text.matchAll(/String schemaString(\d+) = ((?:\s*\+?\s*"(?:[^"\\]|\\.)*")+);/g)) {
  const literal = [...m[2].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => JSON.parse(`"${x[1]}"`)).join('');
  schemas[`schema${m[1]}`] = JSON.parse(literal);
}
const cases = [];
const checks =
  /CompatibilityChecker\.(\w+)_CHECKER|(assertTrue|assertFalse)\(\s*"((?:[^"\\]|\\.)*)"\s*,\s*checker\.isCompatible\(\s*(schema\d+)\s*,\s*(?:Collections\.singletonList|Arrays\.asList)\(([^)]*)\)\s*\)\.isEmpty\(\)\s*\)/g;
let mode = null;
for (const m of text.matchAll(checks)) {
  if (m[1]) {
    mode = m[1];
    continue;
  }
  const history = m[5].split(',').map((s) => s.trim());
  cases.push({
    id: `AvroCompatibilityTest#${cases.length}`,
    description: `${mode}: ${JSON.parse(`"${m[3]}"`)} (${m[4]} after ${history.join(', ')})`,
    mode,
    history: history.map((h) => schemas[h]),
    next: schemas[m[4]],
    // Confluent asserts isEmpty() (compatible) with assertTrue, a non-empty error list with assertFalse.
    compatible: m[2] === 'assertTrue',
  });
}
if (cases.some((c) => !c.next || c.history.some((h) => !h))) throw new Error('unresolved schema name');
writeFileSync(
  new URL('avro/confluent-avro-compatibility-test.json', import.meta.url),
  `${JSON.stringify(
    {
      source: `https://github.com/confluentinc/schema-registry/blob/${commit}/${path}`,
      license: 'Confluent Community License (test data, transcribed for interoperability testing)',
      meaning: 'history (oldest first) then next, under mode; compatible is what Confluent asserts',
      cases,
    },
    null,
    2,
  )}\n`,
);
console.log(cases.length, 'cases', Object.keys(schemas));
