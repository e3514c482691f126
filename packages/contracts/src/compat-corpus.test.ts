import { readdirSync, readFileSync } from 'node:fs';
import type { CompatibilityMode, SchemaFormat } from '@intelgraph/core';
import { describe, expect, it } from 'vitest';
import { checkCompatibility, checkCompatibilityWithHistory } from './compatibility.js';

// The golden corpus (test-corpus/): reference verdicts transcribed from Confluent Schema Registry and
// Apache Avro, plus our own cases. Every case where our verdict differs is listed here with its reason,
// and in docs/guides/data-contracts.md; a verdict that drifts either way fails.

interface CorpusCase {
  id: string;
  description: string;
  mode: CompatibilityMode;
  /** One previous version, or a whole history (oldest first). */
  previous?: unknown;
  history?: unknown[];
  next: unknown;
  compatible: boolean;
}

const root = new URL('../test-corpus/', import.meta.url);
function load(format: SchemaFormat): { file: string; source: string; cases: CorpusCase[] }[] {
  const dir = new URL(`${format}/`, root);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const doc = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as {
        source: string;
        cases: CorpusCase[];
      };
      return { file, source: doc.source, cases: doc.cases };
    });
}

/** Documented differences: we report a break the reference does not (never the other way round). */
const DOCUMENTED: Record<string, string> = {
  'diff-schema-examples#55':
    'required of an undeclared property: data without "bar" is now rejected; Confluent ignores required names without a property',
  'diff-schema-examples-2020-12#57': 'the same, in draft 2020-12',
};

for (const format of ['json', 'avro'] as const) {
  describe(`golden compatibility corpus (${format})`, () => {
    const files = load(format);
    const results = files.flatMap(({ cases }) =>
      cases.map((c) => ({
        c,
        got: c.history
          ? checkCompatibilityWithHistory(c.history, c.next, { format, mode: c.mode }).compatible
          : checkCompatibility(c.previous, c.next, { format, mode: c.mode }).compatible,
      })),
    );
    const disagreements = results.filter((r) => r.got !== r.c.compatible);

    it('names the source of every file and holds cases', () => {
      for (const f of files) {
        expect(f.source, f.file).toMatch(/\S/);
        expect(f.cases.length, f.file).toBeGreaterThan(0);
      }
    });

    it('never says compatible where the reference says incompatible', () => {
      expect(disagreements.filter((r) => r.got).map((r) => `${r.c.id}: ${r.c.description}`)).toEqual([]);
    });

    it('differs from the reference only in the documented cases, and agrees on at least 99%', () => {
      expect(disagreements.map((r) => r.c.id).sort()).toEqual(
        Object.keys(DOCUMENTED)
          .filter((id) => results.some((r) => r.c.id === id))
          .sort(),
      );
      const agreement = (results.length - disagreements.length) / results.length;
      expect(agreement).toBeGreaterThanOrEqual(0.99);
      console.info(
        `${format} corpus: ${results.length - disagreements.length}/${results.length} agree (${(agreement * 100).toFixed(1)}%)`,
      );
    });
  });
}
