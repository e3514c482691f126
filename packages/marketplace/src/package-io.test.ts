import { gzipSync } from 'node:zlib';
import { isIntelGraphError } from '@intelgraph/core';
import { createTar } from 'nanotar';
import { describe, expect, it } from 'vitest';
import { generatePublisherKeyPair } from './keys.js';
import { packTarball, unpackTarball } from './package-io.js';
import { signPluginPackage, verifyPluginPackage } from './signing.js';

const key = generatePublisherKeyPair();
const manifest = { name: 'tar-demo', version: '1.0.0', entry: 'index.js' };

describe('tarballs', () => {
  it('round-trip a signed package deterministically', async () => {
    const signed = await signPluginPackage(
      { manifest, files: { 'index.js': 'export const run = () => 1;', 'a/b.bin': new Uint8Array([0, 255]) } },
      key.privateKeyPem,
    );
    const tgz = packTarball(signed);
    expect(packTarball(signed)).toEqual(tgz);
    const back = unpackTarball(tgz);
    expect(await verifyPluginPackage(back, { trustedKeys: [key.publicKeyPem] })).toMatchObject(manifest);
  });

  it('strips a single top-level folder such as npm pack makes', async () => {
    const signed = await signPluginPackage({ manifest, files: { 'index.js': 'x' } }, key.privateKeyPem);
    const tar = createTar([
      { name: 'package/manifest.json', data: JSON.stringify(signed.manifest) },
      { name: 'package/signature.json', data: JSON.stringify(signed.signature) },
      { name: 'package/index.js', data: 'x' },
    ]);
    const pkg = unpackTarball(new Uint8Array(gzipSync(tar)));
    expect(await verifyPluginPackage(pkg, { trustedKeys: [key.publicKeyPem] })).toMatchObject(manifest);
  });

  it('refuses gzip bombs, garbage and missing manifests; neutralises traversal paths', () => {
    const code = (f: () => unknown) => {
      try {
        f();
        return 'ok';
      } catch (e) {
        return isIntelGraphError(e) ? e.code : 'thrown';
      }
    };
    const bomb = gzipSync(Buffer.alloc(25 * 1024 * 1024));
    expect(code(() => unpackTarball(new Uint8Array(bomb)))).toBe('PAYLOAD_TOO_LARGE');
    expect(code(() => unpackTarball(new Uint8Array([1, 2, 3])))).toBe('INVALID_INPUT');
    const evil = createTar([
      { name: 'manifest.json', data: JSON.stringify(manifest) },
      { name: '../escape.js', data: 'x' },
    ]);
    // nanotar normalises `../` away; whatever comes out is a safe relative path inside the package
    expect(Object.keys(unpackTarball(new Uint8Array(gzipSync(evil))).files)).toEqual(['escape.js']);
    const noManifest = createTar([{ name: 'index.js', data: 'x' }]);
    expect(code(() => unpackTarball(new Uint8Array(gzipSync(noManifest))))).toBe('INVALID_INPUT');
  });
});
