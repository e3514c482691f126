import { lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { IntelGraphError } from '@intelgraph/core';
import { createTar, parseTar } from 'nanotar';
import {
  assertPackageShape,
  fileBytes,
  isSafePackagePath,
  PACKAGE_LIMITS,
  type PluginPackage,
} from './package.js';

const MANIFEST = 'manifest.json';
const SIGNATURE = 'signature.json';

function parseJsonFile(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new IntelGraphError('INVALID_INPUT', `${name} is not valid JSON`, { cause: e });
  }
}

function fromEntries(entries: Map<string, Uint8Array>): PluginPackage {
  const manifestBytes = entries.get(MANIFEST);
  if (!manifestBytes) throw new IntelGraphError('INVALID_INPUT', `the package has no ${MANIFEST}`);
  const manifest = parseJsonFile(new TextDecoder().decode(manifestBytes), MANIFEST);
  const sigBytes = entries.get(SIGNATURE);
  const files: Record<string, Uint8Array> = {};
  for (const [path, bytes] of entries) {
    if (path === MANIFEST || path === SIGNATURE) continue;
    if (!isSafePackagePath(path))
      throw new IntelGraphError(
        'INVALID_INPUT',
        `unsafe file path in package: ${JSON.stringify(path.slice(0, 80))}`,
      );
    files[path] = bytes;
  }
  const pkg = {
    manifest: manifest as Record<string, unknown>,
    files,
    ...(sigBytes ? { signature: parseJsonFile(new TextDecoder().decode(sigBytes), SIGNATURE) } : {}),
  };
  assertPackageShape(pkg);
  return pkg as PluginPackage;
}

/**
 * Reads a package from a folder (`manifest.json`, optional `signature.json`, every other file) or from
 * a `.tgz` made by {@link packTarball}. Symbolic links are refused. The result is not verified.
 *
 * @example
 * ```ts
 * import { readPackage, verifyPluginPackage } from '@intelgraph/marketplace';
 * const manifest = await verifyPluginPackage(await readPackage('dist/sample-enricher.tgz'), { trustedKeys: [pem] });
 * ```
 */
export async function readPackage(path: string): Promise<PluginPackage> {
  const info = await lstat(path);
  if (info.isFile()) return unpackTarball(new Uint8Array(await readFile(path)));
  if (!info.isDirectory())
    throw new IntelGraphError('INVALID_INPUT', `${path} is neither a folder nor a file`);
  const entries = new Map<string, Uint8Array>();
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isSymbolicLink())
        throw new IntelGraphError('INVALID_INPUT', `symbolic links are not allowed in a package: ${full}`);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        if (entries.size >= PACKAGE_LIMITS.maxFiles + 2)
          throw new IntelGraphError(
            'PAYLOAD_TOO_LARGE',
            `a package holds at most ${PACKAGE_LIMITS.maxFiles} files`,
          );
        const bytes = new Uint8Array(await readFile(full));
        total += bytes.byteLength;
        if (total > PACKAGE_LIMITS.maxTotalBytes)
          throw new IntelGraphError(
            'PAYLOAD_TOO_LARGE',
            `a package holds at most ${PACKAGE_LIMITS.maxTotalBytes} bytes`,
          );
        entries.set(relative(path, full).split(sep).join('/'), bytes);
      }
    }
  };
  await walk(path);
  return fromEntries(entries);
}

/**
 * Writes a package to a folder: `manifest.json`, `signature.json` (when signed) and the files.
 *
 * @example
 * ```ts
 * import { writePackageDir } from '@intelgraph/marketplace';
 * await writePackageDir('dist/sample-enricher', signed);
 * ```
 */
export async function writePackageDir(dir: string, pkg: PluginPackage): Promise<void> {
  assertPackageShape(pkg);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, MANIFEST), `${JSON.stringify(pkg.manifest, null, 2)}\n`);
  if (pkg.signature) await writeFile(join(dir, SIGNATURE), `${JSON.stringify(pkg.signature, null, 2)}\n`);
  for (const [path, content] of Object.entries(pkg.files)) {
    const target = join(dir, ...path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, fileBytes(content));
  }
}

/**
 * Packs a package into a gzipped tarball (deterministic: sorted entries, zero mtimes).
 *
 * @example
 * ```ts
 * import { packTarball } from '@intelgraph/marketplace';
 * await writeFile('sample-enricher-1.0.0.tgz', packTarball(signed));
 * ```
 */
export function packTarball(pkg: PluginPackage): Uint8Array {
  assertPackageShape(pkg);
  const entries = [
    { name: MANIFEST, data: `${JSON.stringify(pkg.manifest, null, 2)}\n` },
    ...(pkg.signature ? [{ name: SIGNATURE, data: `${JSON.stringify(pkg.signature, null, 2)}\n` }] : []),
    ...Object.keys(pkg.files)
      .sort()
      .map((name) => ({ name, data: fileBytes(pkg.files[name] as string | Uint8Array) })),
  ];
  return new Uint8Array(gzipSync(createTar(entries, { attrs: { mtime: 0, mode: '644' } })));
}

/**
 * Unpacks a tarball made by {@link packTarball} (a single top-level folder, as `npm pack` makes, is
 * stripped). Decompression is capped, so a gzip bomb fails with `PAYLOAD_TOO_LARGE`.
 *
 * @example
 * ```ts
 * import { unpackTarball } from '@intelgraph/marketplace';
 * const pkg = unpackTarball(new Uint8Array(await readFile('plugin.tgz')));
 * ```
 */
export function unpackTarball(bytes: Uint8Array): PluginPackage {
  let tar: Uint8Array;
  try {
    tar = new Uint8Array(gunzipSync(bytes, { maxOutputLength: PACKAGE_LIMITS.maxTotalBytes * 2 }));
  } catch (e) {
    const tooBig = (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    throw new IntelGraphError(
      tooBig ? 'PAYLOAD_TOO_LARGE' : 'INVALID_INPUT',
      tooBig ? 'the tarball expands too far' : 'not a gzipped tarball',
      {
        cause: e,
      },
    );
  }
  const items = parseTar(tar);
  const entries = new Map<string, Uint8Array>();
  for (const item of items) {
    if (item.type === 'directory') continue;
    if (item.type !== 'file' && item.type !== undefined)
      throw new IntelGraphError(
        'INVALID_INPUT',
        `tarball entry ${item.name} is a ${item.type}; only files are allowed`,
      );
    entries.set(item.name.replace(/^\.\//, ''), item.data ?? new Uint8Array());
  }
  if (!entries.has(MANIFEST)) {
    const tops = new Set([...entries.keys()].map((k) => k.split('/')[0]));
    const [top] = tops;
    if (tops.size === 1 && top !== undefined && entries.has(`${top}/${MANIFEST}`)) {
      const stripped = new Map<string, Uint8Array>();
      for (const [k, v] of entries) stripped.set(k.slice(top.length + 1), v);
      return fromEntries(stripped);
    }
  }
  return fromEntries(entries);
}
