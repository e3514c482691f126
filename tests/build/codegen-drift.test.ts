import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen.js';

// The committed GraphQL types (the server's resolver types, the web app's operation types)
// are what `pnpm codegen` makes from packages/server/schema.graphql and the app's operations. The SDL
// file itself follows the type definitions (tests/integration/http/graphql-sdl.test.ts), so a change to
// the schema that is not regenerated fails here. `pnpm codegen:check` is the same check from the shell.
const root = join(import.meta.dirname, '..', '..');
const SERVER_TYPES = 'packages/server/src/graphql/generated/types.ts';
const WEB_TYPES = 'examples/marketplace-app/src/generated/graphql.ts';

/** Runs the generator in memory (nothing written) with the repository's config. */
async function regenerate(overrides: Partial<typeof config> = {}): Promise<Map<string, string>> {
  const outputs: { filename: string; content: string }[] = await generate(
    { ...config, ...overrides, cwd: root, silent: true },
    false,
  );
  return new Map(outputs.map((o) => [o.filename.replace(`${root}/`, ''), o.content]));
}

describe('generated GraphQL types', () => {
  it('are what pnpm codegen makes from the SDL and the web app operations (run pnpm codegen)', async () => {
    const fresh = await regenerate();
    expect([...fresh.keys()].sort()).toEqual([WEB_TYPES, SERVER_TYPES].sort());
    for (const [file, content] of fresh) {
      expect(readFileSync(join(root, file), 'utf8'), `${file} is stale: run pnpm codegen`).toBe(content);
    }
  });

  it('change when the schema changes, so a stale file cannot pass', async () => {
    const server = config.generates[SERVER_TYPES];
    if (!server || Array.isArray(server) || typeof server !== 'object') throw new Error('no server output');
    const sdl = readFileSync(join(root, 'packages/server/schema.graphql'), 'utf8');
    const probe = `${sdl}\nextend type Query {\n  "probe"\n  codegenProbe(limit: Int!): Int\n}\n`;
    const fresh = await regenerate({ generates: { [SERVER_TYPES]: { ...server, schema: probe } } });
    const content = fresh.get(SERVER_TYPES) ?? '';
    expect(content).toContain("export type QueryCodegenProbeArgs = {\n  limit: Scalars['Int']['input'];\n};");
    expect(content).not.toBe(readFileSync(join(root, SERVER_TYPES), 'utf8'));
  });
});

/**
 * Every `operation<Data, Variables>(`…`)` in the web app names the generated types of the operation it
 * sends: `query ReviewQueue` is `operation<ReviewQueueQuery, ReviewQueueQueryVariables>`. The
 * generator makes the types per operation name; this ties each declaration to its own pair, so two
 * operations' types cannot be swapped unnoticed.
 */
const OPERATIONS_DIR = 'examples/marketplace-app/src/api/operations';
const DECLARATION =
  /operation<\s*(\w+)\s*,\s*(\w+)\s*,?\s*>\(\s*(?:\/\* GraphQL \*\/)?\s*`\s*(query|mutation|subscription)\s+(\w+)/g;

function operationPairs(source: string): { data: string; variables: string; expected: string }[] {
  return [...source.matchAll(DECLARATION)].map(([, data = '', variables = '', kind = '', name = '']) => ({
    data,
    variables,
    expected: `${name}${kind.charAt(0).toUpperCase()}${kind.slice(1)}`,
  }));
}

describe('web app operations', () => {
  const files = readdirSync(join(root, OPERATIONS_DIR)).filter((f) => f.endsWith('.ts'));

  it.each(files)('%s: each operation is typed with its own generated pair', (file) => {
    const source = readFileSync(join(root, OPERATIONS_DIR, file), 'utf8');
    const pairs = operationPairs(source);
    // Every declaration is matched by the pattern, so none escapes the check.
    expect(pairs.length).toBe(source.split('operation<').length - 1);
    expect(pairs.length).toBeGreaterThan(0);
    for (const p of pairs) expect([p.data, p.variables]).toEqual([p.expected, `${p.expected}Variables`]);
  });

  it('a swapped pair is caught', () => {
    const swapped =
      'operation<ReviewDenyMutation, ReviewDenyMutationVariables>(/* GraphQL */ `\n  mutation ReviewApprove($id: ID!) { x }`)';
    const [p] = operationPairs(swapped);
    expect(p).toEqual({
      data: 'ReviewDenyMutation',
      variables: 'ReviewDenyMutationVariables',
      expected: 'ReviewApproveMutation',
    });
  });
});
