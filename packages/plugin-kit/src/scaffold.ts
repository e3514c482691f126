import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { IntelGraphError } from '@intelgraph/core';

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

function readme(name: string): string {
  return `# ${name}

An IntelGraph plugin.

\`\`\`sh
npm install                        # the author kit (@intelgraph/plugin-kit), definePlugin's types and the sandbox
npx intelgraph-plugin keygen       # once: publisher.key.pem (secret, git-ignored) and publisher.pub.pem (commit it)
npx intelgraph-plugin test .       # run test/fixtures.json in the sandbox
npx intelgraph-plugin build . --key publisher.key.pem   # dist/${name}-0.1.0.tgz, signed
\`\`\`

If the \`@intelgraph/*\` packages are not on your registry (a pre-release, or a fork), install them from
tarballs instead: in a clone of IntelGraph Extensions run \`pnpm install && pnpm build\` and
\`pnpm -r --filter "./packages/**" exec pnpm pack --pack-destination /tmp/ig\`, then here, instead of
\`npm install\`:

\`\`\`sh
npm install --save-dev /tmp/ig/intelgraph-core-0.1.0.tgz /tmp/ig/intelgraph-capabilities-0.1.0.tgz \\
  /tmp/ig/intelgraph-marketplace-0.1.0.tgz /tmp/ig/intelgraph-plugin-kit-0.1.0.tgz \\
  /tmp/ig/intelgraph-sandbox-0.1.0.tgz
\`\`\`

Every \`@intelgraph/*\` package the kit depends on must be in the same command, or npm looks it up on the
registry.
`;
}

function files(name: string): Record<string, string> {
  return {
    'package.json': `${JSON.stringify(
      {
        name,
        private: true,
        version: '0.1.0',
        type: 'module',
        scripts: {
          build: 'intelgraph-plugin build .',
          test: 'intelgraph-plugin test .',
        },
        devDependencies: {
          '@intelgraph/marketplace': '^0.1.0',
          '@intelgraph/plugin-kit': '^0.1.0',
          '@intelgraph/sandbox': '^0.1.0',
        },
      },
      null,
      2,
    )}\n`,
    'tsconfig.json': `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
        },
        include: ['src', 'test'],
      },
      null,
      2,
    )}\n`,
    'src/index.ts': `import { definePlugin } from '@intelgraph/marketplace/plugin';

/** The input contract of this plugin. */
export interface Input {
  q: string;
}

export default definePlugin({
  manifest: {
    name: '${name}',
    version: '0.1.0',
    entry: 'index.js',
    description: 'Describe what the plugin does; it is searched.',
    tags: ['example'],
    capabilities: { graph: ['read'] },
    reasons: { 'graph:read': 'Reads the entities it enriches.' },
    budgets: { ms: 800, memoryMB: 64, rows: 1000 },
  },
  async run(input: Input, api) {
    const entities = await api.graph.search({ q: input.q, limit: 10 });
    return { count: entities.length, ids: entities.map((e) => e.id) };
  },
});
`,
    'test/host.ts': `// The fake host API the plugin runs against in \`intelgraph-plugin test\`: namespace → method →
// { scope, handler }, exactly like the host's defineHostApi().
export default {
  graph: {
    search: {
      scope: 'graph:read',
      handler: async ({ q, limit }: { q: string; limit?: number }) =>
        [{ id: 'e1', type: 'Organization', label: \`\${q} Corp\`, properties: {} }].slice(0, limit ?? 10),
    },
  },
};
`,
    'test/fixtures.json': `${JSON.stringify(
      [{ name: 'finds one entity', input: { q: 'acme' }, expect: { count: 1, ids: ['e1'] } }],
      null,
      2,
    )}\n`,
    // The private key stays out of git; the public key (publisher.pub.pem) is meant to be committed.
    '.gitignore': 'node_modules/\ndist/\n*.tgz\n*.key.pem\n.intelgraph-test-*/\n',
    'README.md': readme(name),
  };
}

/**
 * Scaffolds a TypeScript plugin in an empty (or new) folder: `src/index.ts` with `definePlugin`,
 * `test/host.ts` (a fake host API), `test/fixtures.json`, `package.json`, `tsconfig.json` and a
 * `.gitignore` that keeps keys and builds out of git. Returns the files written.
 *
 * @example
 * ```ts
 * import { scaffoldPlugin } from '@intelgraph/plugin-kit';
 * await scaffoldPlugin('plugins/my-enricher'); // name taken from the folder
 * ```
 */
export async function scaffoldPlugin(dir: string, options: { name?: string } = {}): Promise<string[]> {
  const root = resolve(dir);
  const name = options.name ?? basename(root);
  if (!NAME.test(name))
    throw new IntelGraphError('INVALID_INPUT', `"${name}" is not a plugin name (lowercase, digits, . _ -)`);
  await mkdir(root, { recursive: true });
  if ((await readdir(root)).length > 0) throw new IntelGraphError('CONFLICT', `${root} is not empty`);
  const out = files(name);
  for (const [path, content] of Object.entries(out)) {
    await mkdir(join(root, ...path.split('/').slice(0, -1)), { recursive: true });
    await writeFile(join(root, ...path.split('/')), content);
  }
  return Object.keys(out);
}
