import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// Comments, test names, docs and user-visible strings must stand on their own: a reader of this
// repository has no planning documents, issue tracker numbers or work-session history, so a sentence
// that points at one ("as the planning document's demo asked", "see issue N", "measured in session N",
// "§N of a document outside the repository") says nothing to them. Say what the thing is or does
// instead, and link docs/architecture.md or another page of docs/ (with an anchor) where a reference
// helps. Public standards may be cited by section ("RFC 9162 §2.1").
//
// The patterns are assembled from parts so that this file does not match them itself.

const ROOT = join(import.meta.dirname, '..', '..');
const SCANNED_DIRS = ['packages', 'examples', 'scripts', 'bench', 'tests', 'docs', 'contracts', '.ci'];
const SCANNED_ROOT_FILES = ['README.md', 'run'];
const EXTENSIONS = new Set(['.ts', '.tsx', '.mts', '.mjs', '.cjs', '.js', '.md', '.json', '.graphql', '.sh']);
const SKIPPED_DIRS = new Set([
  'node_modules',
  'dist',
  '.changeset',
  '.git',
  '.tools',
  'coverage',
  'screenshots',
]);
const SKIPPED_FILES = new Set(['CHANGELOG.md']);
// Third-party corpora transcribed verbatim (their own wording, with their sources named in each file).
const SKIPPED_PATHS = [/^packages\/contracts\/test-corpus\/(?!own-cases)/];

const S = 'se' + 'ed';
const SEC = '\u00a7';
const RULES: { name: string; pattern: RegExp }[] = [
  { name: 'a planning document', pattern: new RegExp(`\\bthe ${S}\\b`, 'i') },
  { name: 'a planning document', pattern: new RegExp(`\\b${S}'s\\b`, 'i') },
  {
    name: 'a planning document',
    pattern: new RegExp(`\\b${S}[- ](shaped|mix|k6|dod|dc-|demo|manifest|sample|ceiling|sprint)\\b`, 'i'),
  },
  { name: 'a planning document', pattern: new RegExp(`\\bspr${'int'} (plan|v?\\d)`, 'i') },
  { name: 'an issue number', pattern: new RegExp(`\\biss${'ue'} #?\\d`, 'i') },
  { name: 'a work session', pattern: new RegExp(`\\bsess${'ion'} \\d`, 'i') },
  { name: 'an outside architecture document', pattern: new RegExp(`\\barchitecture(\\.md)? ?${SEC}`, 'i') },
  {
    name: 'an outside architecture document',
    pattern: new RegExp(`steer${'ing'} repo|\\.\\./sha${'red'}/`, 'i'),
  },
  // A section sign before a number, unless it cites a public standard (RFC 9162 §2.1).
  { name: 'a numbered section', pattern: new RegExp(`(?<!\\bRFC \\d+ )${SEC} ?\\d`) },
  { name: 'a numbered section', pattern: new RegExp(`\\bsect${'ion'} \\d`, 'i') },
];

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIPPED_DIRS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile() && !SKIPPED_FILES.has(entry.name)) {
      // Extensionless files are the CI scripts (`.ci/run`); LICENSE texts are not ours to reword.
      const script = extname(entry.name) === '' && relative(ROOT, dir).startsWith('.ci');
      if (EXTENSIONS.has(extname(entry.name)) || script) yield path;
    }
  }
}

/** Every line of the scanned files that matches a rule, as `path:line: [rule] text`. */
function hits(): string[] {
  const found: string[] = [];
  const paths = [
    ...SCANNED_DIRS.flatMap((d) => [...files(join(ROOT, d))]),
    ...SCANNED_ROOT_FILES.map((f) => join(ROOT, f)),
  ];
  for (const path of paths) {
    const rel = relative(ROOT, path).split('\\').join('/');
    if (SKIPPED_PATHS.some((p) => p.test(rel))) continue;
    const lines = readFileSync(path, 'utf8').split('\n');
    lines.forEach((line, i) => {
      const rule = RULES.find((r) => r.pattern.test(line));
      if (rule !== undefined) found.push(`${rel}:${i + 1}: [${rule.name}] ${line.trim().slice(0, 160)}`);
    });
  }
  return found.sort();
}

describe('comments, test names and docs stand on their own', () => {
  it('cite no planning document, issue number, work session or outside section', () => {
    expect(
      hits(),
      'say what the thing is or does; link docs/architecture.md where a reference helps',
    ).toEqual([]);
  });

  it('catch each kind of reference, and let a public standard be cited by section', () => {
    const caught = (line: string) => RULES.some((r) => r.pattern.test(line));
    for (const line of [
      `// runs the ${S}'s demo`,
      `// The ${S} mix at 40 connections`,
      `// accepts the ${S}-shaped task`,
      `// see spr${'int'} plan ${SEC}4.1`,
      `// fixed in Iss${'ue'} 16`,
      `// measured in sess${'ion'} 3`,
      `// (ARCHITECTURE ${SEC}2)`,
      `// see data-contracts ${SEC}7`,
      `// the host in sect${'ion'} 7`,
    ]) {
      expect(caught(line), line).toBe(true);
    }
    for (const line of [
      `// RFC 9162 ${SEC}2.1.3.2: inclusion proofs`,
      '// the random seed and clock origin of a run',
      '// every issue and path of a failing record',
      '// see docs/architecture.md#the-hot-path-a-plugin-run',
    ]) {
      expect(caught(line), line).toBe(false);
    }
  });
});
