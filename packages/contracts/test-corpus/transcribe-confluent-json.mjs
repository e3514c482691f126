// Transcribes Confluent Schema Registry's JSON Schema diff examples into the golden corpus.
// Usage: node transcribe-confluent-json.mjs <schema-registry git dir>
// Each case becomes { id, source, description, mode: 'BACKWARD', previous, next, compatible }:
// Confluent's `compatible` flag means "update may follow original" under BACKWARD.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const gitDir = process.argv[2];
if (!gitDir) throw new Error('usage: transcribe-confluent-json.mjs <git dir>');
const commit = execFileSync('git', ['--git-dir', gitDir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
const files = [
  'diff-schema-examples.json',
  'diff-schema-examples-2020-12.json',
  'diff-combined-schema-examples.json',
  'diff-combined-schema-examples-2020-12.json',
];
for (const file of files) {
  const path = `json-schema-provider/src/test/resources/${file}`;
  const text = execFileSync('git', ['--git-dir', gitDir, 'show', `${commit}:${path}`], { encoding: 'utf8' });
  // One file has trailing commas (Jackson reads it leniently); no string in the data ends with one.
  const cases = JSON.parse(text.replace(/,(\s*[}\]])/g, '$1'));
  const out = {
    source: `https://github.com/confluentinc/schema-registry/blob/${commit}/${path}`,
    license: 'Confluent Community License (test data, transcribed for interoperability testing)',
    meaning: "BACKWARD with original_schema as the previous version: Confluent's `compatible` flag",
    cases: cases.map((c, i) => ({
      id: `${file.replace('.json', '')}#${i}`,
      description: c.description,
      mode: 'BACKWARD',
      previous: c.original_schema,
      next: c.update_schema,
      compatible: c.compatible,
      confluentChanges: c.changes,
    })),
  };
  writeFileSync(new URL(`json/confluent-${file}`, import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
  console.log(file, out.cases.length);
}
