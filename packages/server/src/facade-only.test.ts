import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The server acts for request actors, so it reaches the host only through its checked facade
// (`host.plugins`, `host.contracts`, …). `host.internals` is the unchecked escape hatch for tests and
// embedding; a request handler that used it would skip the authorization every facade method does.

const SRC = fileURLToPath(new URL('.', import.meta.url));
const FORBIDDEN_NAME = 'internals';

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourcesUnder(path));
    else if (/\.(ts|tsx|mts|cts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/**
 * Every use of `internals` as a member: `x.internals`, `x?.internals`, `x['internals']`,
 * `{ internals } = x` and the type `T['internals']`.
 */
function internalsUses(fileName: string, text: string): string[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const hits: string[] = [];
  const at = (node: ts.Node) => {
    const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    hits.push(`${fileName}:${line + 1}:${character + 1}: ${node.getText(sf).slice(0, 80)}`);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && node.name.text === FORBIDDEN_NAME) at(node);
    else if (
      ts.isElementAccessExpression(node) &&
      ts.isStringLiteralLike(node.argumentExpression) &&
      node.argumentExpression.text === FORBIDDEN_NAME
    )
      at(node);
    else if (
      ts.isIndexedAccessTypeNode(node) &&
      ts.isLiteralTypeNode(node.indexType) &&
      ts.isStringLiteral(node.indexType.literal) &&
      node.indexType.literal.text === FORBIDDEN_NAME
    )
      at(node);
    else if (
      ts.isBindingElement(node) &&
      ((node.propertyName &&
        ts.isIdentifier(node.propertyName) &&
        node.propertyName.text === FORBIDDEN_NAME) ||
        (!node.propertyName && ts.isIdentifier(node.name) && node.name.text === FORBIDDEN_NAME))
    )
      at(node);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return hits;
}

describe('the server uses the host facade only', () => {
  it('no source under packages/server/src reaches host.internals', () => {
    const hits = sourcesUnder(SRC).flatMap((file) =>
      internalsUses(relative(SRC, file), readFileSync(file, 'utf8')),
    );
    expect(hits).toEqual([]);
  });

  it('the check finds every form of access (so it fails when one is added)', () => {
    const sample = [
      'const a = host.internals.marketplace;',
      'const b = ctx.host?.internals;',
      "const c = host['internals'];",
      'const { internals } = host;',
      'const { internals: raw } = host;',
      "type Raw = ExtensionHost['internals'];",
      "const fine = 'internals'; const ok = host.plugins;",
    ].join('\n');
    expect(internalsUses('sample.ts', sample).map((h) => h.split(':')[1])).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
    ]);
  });
});
