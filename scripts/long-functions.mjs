#!/usr/bin/env node
// Lists long functions in non-test source, with the TypeScript compiler API.
//
// The rule ("one file per concern sharing a context; as a guide, no function over about 150 lines"):
// - files: packages/<name>/src/**/*.ts and *.tsx, except tests (*.test.ts, *.test-d.ts, *.bench.ts),
//   declaration files (*.d.ts) and generated code (any generated/ folder);
// - measured: every function-like node (function declarations and expressions, arrow functions,
//   methods, constructors, accessors), by the lines its body spans, first to last inclusive, nested
//   closures included: a factory returning an object of closures counts its whole body, so a
//   348-line factory counts as 348 even if no single closure in it is long.
//
// Usage: node scripts/long-functions.mjs [--max N] [--all] [--json]
//   --max N   the most lines a function may span (default 150); exit 1 when any spans more;
//   --all     print every function over 0 lines in the table, not only those over the max;
//   --json    print { max, over: [...] } instead of the table.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Whether a source path is test code, a declaration file or generated code, which the check leaves out. */
export function isExcluded(path) {
  return (
    /\.(test|test-d|bench)\.tsx?$/.test(path) || path.endsWith('.d.ts') || /(^|\/)generated\//.test(path)
  );
}

function sourceFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(entry.name)) out.push(path);
  }
  return out;
}

/** A readable name for a function-like node: its own name, or the variable or property it is bound to. */
function nameOf(node, sf) {
  if (node.name !== undefined) return node.name.getText(sf);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (parent !== undefined) {
    if (
      (ts.isVariableDeclaration(parent) ||
        ts.isPropertyAssignment(parent) ||
        ts.isPropertyDeclaration(parent)) &&
      parent.name !== undefined
    )
      return parent.name.getText(sf);
    if (ts.isBinaryExpression(parent) && parent.right === node) return parent.left.getText(sf);
    if (ts.isCallExpression(parent)) return `<callback of ${parent.expression.getText(sf).slice(0, 40)}>`;
  }
  return '<anonymous>';
}

/**
 * The function-like nodes of one TypeScript source text, each as { name, line, lines }, where `line` is
 * where the function starts (1-based) and `lines` how many lines its body spans, nested functions included.
 */
export function functionsOf(text, path = 'source.ts') {
  const kind = path.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, kind);
  const found = [];
  const visit = (node) => {
    if (ts.isFunctionLike(node) && node.body !== undefined) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const bodyStart = sf.getLineAndCharacterOfPosition(node.body.getStart(sf)).line;
      const bodyEnd = sf.getLineAndCharacterOfPosition(node.body.getEnd()).line;
      found.push({ name: nameOf(node, sf), line: start + 1, lines: bodyEnd - bodyStart + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** Every function of packages/*\/src, as { file, name, line, lines }, longest first. */
export function measureRepo(dir = root) {
  const packagesDir = join(dir, 'packages');
  const all = [];
  for (const name of readdirSync(packagesDir).sort()) {
    let files;
    try {
      files = sourceFiles(join(packagesDir, name, 'src'));
    } catch {
      continue;
    }
    for (const file of files.sort()) {
      const rel = relative(dir, file);
      if (isExcluded(rel)) continue;
      for (const fn of functionsOf(readFileSync(file, 'utf8'), file)) all.push({ file: rel, ...fn });
    }
  }
  return all.sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file) || a.line - b.line);
}

function main(argv) {
  const at = argv.indexOf('--max');
  const max = at === -1 ? 150 : Number(argv[at + 1]);
  if (!Number.isInteger(max) || max < 1) {
    console.error('long-functions: --max wants a positive whole number of lines');
    return 2;
  }
  const all = measureRepo();
  const over = all.filter((f) => f.lines > max);
  if (argv.includes('--json')) {
    console.log(JSON.stringify({ max, over }, null, 2));
  } else {
    const shown = argv.includes('--all') ? all : over;
    for (const f of shown) console.log(`${String(f.lines).padStart(5)}  ${f.file}:${f.line}  ${f.name}`);
    console.log(
      over.length === 0
        ? `long-functions: no function spans more than ${max} lines (${all.length} measured)`
        : `long-functions: ${over.length} function(s) span more than ${max} lines; split them into per-concern modules`,
    );
  }
  return over.length === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
