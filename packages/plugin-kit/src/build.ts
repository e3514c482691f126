import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IntelGraphError, parseManifest } from '@intelgraph/core';
import type { PluginPackage } from '@intelgraph/marketplace';

/** Options of {@link buildPlugin}. */
export interface BuildPluginOptions {
  /** The plugin's source entry, relative to its folder. Default `src/index.ts`. */
  entry?: string;
  /** Minify the bundle. Default false (readable code is easier to review). */
  minify?: boolean;
  /**
   * Extra package.json `exports` conditions for resolving imports, for example `['@intelgraph/source']`
   * inside the IntelGraph monorepo, whose packages are not built.
   */
  conditions?: string[];
}

/** What {@link buildPlugin} produces: an unsigned package and the bundle's size. */
export interface BuiltPlugin {
  pkg: PluginPackage;
  bytes: number;
}

/**
 * Bundles a TypeScript plugin (a module whose default export is `definePlugin({ manifest, run })`) into
 * one ES module with esbuild, and returns an unsigned package: the manifest taken from the definition,
 * and the bundle as its `entry` file. Sign it with {@link signPluginPackage}.
 *
 * @example
 * ```ts
 * import { signPluginPackage } from '@intelgraph/marketplace';
 * import { buildPlugin } from '@intelgraph/plugin-kit';
 * const { pkg } = await buildPlugin('examples/plugins/sample-enricher');
 * const signed = await signPluginPackage(pkg, privateKeyPem);
 * ```
 */
export async function buildPlugin(dir: string, options: BuildPluginOptions = {}): Promise<BuiltPlugin> {
  const root = resolve(dir);
  const entry = options.entry ?? 'src/index.ts';
  const { build } = await import('esbuild');
  const result = await build({
    stdin: {
      contents: [
        `import plugin from ${JSON.stringify(`./${entry}`)};`,
        'export const manifest = plugin.manifest;',
        'export async function run(input, api) { return plugin.run(input, api); }',
      ].join('\n'),
      resolveDir: root,
      sourcefile: 'intelgraph-plugin-entry.js',
      loader: 'js',
    },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: options.conditions ?? [],
    target: 'es2022',
    minify: options.minify ?? false,
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  }).catch((e: unknown) => {
    throw new IntelGraphError(
      'INVALID_INPUT',
      `esbuild could not bundle ${root}: ${e instanceof Error ? e.message : String(e)}`,
      {
        cause: e,
      },
    );
  });
  const code = result.outputFiles[0]?.text;
  if (code === undefined) throw new IntelGraphError('INTERNAL', 'esbuild produced no output');
  // The manifest lives in the TypeScript definition; load the bundle once (the author's own code, on
  // the author's machine) to read it.
  const tmp = await mkdtemp(join(tmpdir(), 'intelgraph-plugin-'));
  let manifestValue: unknown;
  try {
    const file = join(tmp, 'bundle.mjs');
    await writeFile(file, code);
    manifestValue = ((await import(pathToFileURL(file).href)) as { manifest?: unknown }).manifest;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  if (typeof manifestValue !== 'object' || manifestValue === null)
    throw new IntelGraphError(
      'INVALID_INPUT',
      `${entry} must export default definePlugin({ manifest, run })`,
    );
  const manifest = parseManifest(JSON.parse(JSON.stringify(manifestValue)));
  return {
    pkg: {
      manifest: JSON.parse(JSON.stringify(manifestValue)) as Record<string, unknown>,
      files: { [manifest.entry]: code },
    },
    bytes: Buffer.byteLength(code),
  };
}
