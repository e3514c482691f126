#!/usr/bin/env node
// Counts type assertions in non-test source, per package, with the TypeScript compiler API.
//
// The rule:
// - files: packages/<name>/src/**/*.ts and *.tsx, except tests (*.test.ts, *.test-d.ts, *.bench.ts) and
//   test/bench helpers (any src/testing/ folder, src/testing.ts);
// - counted: every `expr as T` and `<T>expr` assertion, each one separately (`x as unknown as T` is
//   two), except `as const` (a literal annotation, not a claim about a type);
// - not counted: `satisfies`, non-null `!`, type annotations, type guards.
//
// Usage: node scripts/count-casts.mjs [--list] [--files] [--json]
//   --list prints every counted cast as file:line: text; --files prints the count of each file that has
//   any, most first; --json prints { total, packages } (with --files, also { files }).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = new Set(process.argv.slice(2));

/** Whether a source path is test code or a testing helper, which the count leaves out. */
function isTestCode(path) {
  return /\.(test|test-d|bench)\.tsx?$/.test(path) || /(^|\/)src\/testing(\/|\.tsx?$)/.test(path);
}

function sourceFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function isAsConst(node) {
  const t = node.type;
  return (
    t !== undefined && ts.isTypeReferenceNode(t) && ts.isIdentifier(t.typeName) && t.typeName.text === 'const'
  );
}

/** The casts of one file, as { line, text }. */
function castsOf(path) {
  const text = readFileSync(path, 'utf8');
  const kind = path.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, kind);
  const found = [];
  const visit = (node) => {
    if ((ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) && !isAsConst(node)) {
      const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
      found.push({ line: line + 1, text: node.getText(sf).replace(/\s+/g, ' ').slice(0, 120) });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

const packagesDir = join(root, 'packages');
const packages = {};
const listed = [];
const perFile = {};
for (const name of readdirSync(packagesDir).sort()) {
  const src = join(packagesDir, name, 'src');
  let files;
  try {
    files = sourceFiles(src);
  } catch {
    continue;
  }
  let count = 0;
  for (const file of files.sort()) {
    const rel = relative(root, file);
    if (isTestCode(rel)) continue;
    const casts = castsOf(file);
    count += casts.length;
    if (casts.length > 0) perFile[rel] = casts.length;
    for (const c of casts) listed.push(`${rel}:${c.line}: ${c.text}`);
  }
  packages[name] = count;
}
const total = Object.values(packages).reduce((a, b) => a + b, 0);

const byCount = Object.entries(perFile).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
if (args.has('--json')) {
  const out = args.has('--files')
    ? { total, packages, files: Object.fromEntries(byCount) }
    : { total, packages };
  console.log(JSON.stringify(out, null, 2));
} else {
  if (args.has('--list')) for (const l of listed) console.log(l);
  if (args.has('--files')) for (const [file, n] of byCount) console.log(`${String(n).padStart(4)}  ${file}`);
  for (const [name, count] of Object.entries(packages)) console.log(`${name.padEnd(14)} ${count}`);
  console.log(`${'total'.padEnd(14)} ${total}`);
}
