// Builds and signs the sample plugins. Run from the repository root:
//   ./run pnpm exec node --conditions=@intelgraph/source --import tsx examples/plugins/build.ts
// It writes examples/plugins/dist/<name>-<version>.tgz, an unpacked folder per plugin, and the demo
// publisher's public key. The demo key pair is generated on first build into examples/plugins/.keys/
// (git-ignored); no private key is ever committed.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  generatePublisherKeyPair,
  type PublisherKeyPair,
  packTarball,
  publicKeyPem,
  type SignedPluginPackage,
  signPluginPackage,
  writePackageDir,
} from '@intelgraph/marketplace';
import { buildPlugin } from '@intelgraph/plugin-kit';

/** The sample plugins, by folder. */
export const SAMPLE_PLUGINS = ['sample-enricher', 'heatmap-overlay', 'case-exporter'] as const;
/** The publisher id the samples are signed as. */
export const SAMPLE_PUBLISHER = 'intelgraph-examples';

const here = import.meta.dirname;

/**
 * Builds and signs every sample plugin in memory. Pass a key pair to sign with it, otherwise a fresh
 * one is generated (what tests and the demo do: nothing touches the disk).
 */
export async function buildSamplePlugins(
  key: Pick<PublisherKeyPair, 'privateKeyPem'> = generatePublisherKeyPair(),
): Promise<{
  publisher: string;
  publicKeyPem: string;
  packages: SignedPluginPackage[];
}> {
  const packages: SignedPluginPackage[] = [];
  for (const name of SAMPLE_PLUGINS) {
    const { pkg } = await buildPlugin(join(here, name), { conditions: ['@intelgraph/source'] });
    packages.push(await signPluginPackage(pkg, key.privateKeyPem));
  }
  return { publisher: SAMPLE_PUBLISHER, publicKeyPem: publicKeyPem(key.privateKeyPem), packages };
}

async function demoKey(): Promise<{ privateKeyPem: string }> {
  const dir = join(here, '.keys');
  const file = join(dir, 'publisher.key.pem');
  if (existsSync(file)) return { privateKeyPem: await readFile(file, 'utf8') };
  await mkdir(dir, { recursive: true });
  const pair = generatePublisherKeyPair();
  await writeFile(file, pair.privateKeyPem, { mode: 0o600 });
  return pair;
}

async function main(): Promise<void> {
  const out = join(here, 'dist');
  await mkdir(out, { recursive: true });
  const built = await buildSamplePlugins(await demoKey());
  await writeFile(join(out, 'publisher.pub.pem'), built.publicKeyPem);
  for (const pkg of built.packages) {
    const { name, version } = pkg.manifest as { name: string; version: string };
    await writeFile(join(out, `${name}-${version}.tgz`), packTarball(pkg));
    await writePackageDir(join(out, name), pkg);
    console.log(`${name}@${version} signed by ${pkg.signature.keyId}`);
  }
  console.log(`public key: ${join(out, 'publisher.pub.pem')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
