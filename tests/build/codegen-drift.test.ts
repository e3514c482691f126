import { readFileSync } from 'node:fs';
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
