import { isIntelGraphError } from '@intelgraph/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generatePublisherKeyPair, keyIdOf } from './keys.js';
import { decodePackage, encodePackage, type PluginPackage } from './package.js';
import { signPluginPackage, verifyPluginPackage, verifyPluginPackageDetails } from './signing.js';

const publisher = generatePublisherKeyPair();
const stranger = generatePublisherKeyPair();

const base: PluginPackage = {
  manifest: {
    name: 'sample-enricher',
    version: '1.2.3',
    entry: 'index.js',
    description: 'Scores entities',
    tags: ['enrichment', 'graph'],
    capabilities: { graph: ['read'], network: false },
    budgets: { ms: 800, memoryMB: 64, rows: 1000 },
  },
  files: {
    'index.js': 'exports.run = async (input, api) => api.graph.search({ q: input.q, limit: 10 });',
    'assets/logo.bin': new Uint8Array([0, 1, 2, 250, 255]),
    'README.md': '# sample',
  },
};

async function reasonOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isIntelGraphError(e, 'SIGNATURE_INVALID')) return String(e.details.reason);
    throw e;
  }
  return 'verified';
}

const trusted = { trustedKeys: [publisher.publicKeyPem] };

describe('signPluginPackage / verifyPluginPackage', () => {
  it('round-trips and returns the validated manifest', async () => {
    const pkg = await signPluginPackage(base, publisher.privateKeyPem);
    expect(pkg.signature.keyId).toBe(publisher.keyId);
    expect(Object.keys(pkg.signature.files).sort()).toEqual(['README.md', 'assets/logo.bin', 'index.js']);
    const manifest = await verifyPluginPackage(pkg, trusted);
    expect(manifest.name).toBe('sample-enricher');
    expect(manifest.capabilities).toEqual({ graph: ['read'], network: false });
  });

  it('survives encoding for storage or transfer', async () => {
    const pkg = await signPluginPackage(base, publisher.privateKeyPem);
    const back = decodePackage(JSON.parse(JSON.stringify(encodePackage(pkg))));
    const details = await verifyPluginPackageDetails(back, trusted);
    expect(details.keyId).toBe(keyIdOf(publisher.publicKeyPem));
    expect(details.code).toContain('api.graph.search');
    expect(details.codeSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects a missing signature', async () => {
    expect(await reasonOf(verifyPluginPackage(base, trusted))).toBe('missing_signature');
  });

  it('rejects a malformed signature', async () => {
    const pkg = await signPluginPackage(base, publisher.privateKeyPem);
    expect(
      await reasonOf(
        verifyPluginPackage({ ...pkg, signature: { ...pkg.signature, signature: '%%' } }, trusted),
      ),
    ).toBe('malformed_signature');
    expect(await reasonOf(verifyPluginPackage({ ...pkg, signature: 'abc' }, trusted))).toBe(
      'malformed_signature',
    );
    expect(
      await reasonOf(verifyPluginPackage({ ...pkg, signature: { ...pkg.signature, extra: 1 } }, trusted)),
    ).toBe('malformed_signature');
  });

  it('rejects a signature from an unknown key', async () => {
    const pkg = await signPluginPackage(base, stranger.privateKeyPem);
    expect(await reasonOf(verifyPluginPackage(pkg, trusted))).toBe('unknown_key');
  });

  it('rejects a signature that claims a trusted key id but was made with another key', async () => {
    const pkg = await signPluginPackage(base, stranger.privateKeyPem);
    const forged = { ...pkg, signature: { ...pkg.signature, keyId: publisher.keyId } };
    expect(await reasonOf(verifyPluginPackage(forged, trusted))).toBe('bad_signature');
  });

  it('rejects a modified file, an added file and a missing file', async () => {
    const pkg = await signPluginPackage(base, publisher.privateKeyPem);
    const modified = { ...pkg, files: { ...pkg.files, 'index.js': `${pkg.files['index.js']} ` } };
    expect(await reasonOf(verifyPluginPackage(modified, trusted))).toBe('file_modified');
    const added = { ...pkg, files: { ...pkg.files, 'extra.js': 'steal()' } };
    expect(await reasonOf(verifyPluginPackage(added, trusted))).toBe('file_added');
    const { 'README.md': _dropped, ...rest } = pkg.files;
    expect(await reasonOf(verifyPluginPackage({ ...pkg, files: rest }, trusted))).toBe('file_missing');
  });

  it('rejects a changed manifest and a changed file hash list', async () => {
    const pkg = await signPluginPackage(base, publisher.privateKeyPem);
    const escalated = {
      ...pkg,
      manifest: { ...pkg.manifest, capabilities: { graph: ['read', 'write'], network: false } },
    };
    expect(await reasonOf(verifyPluginPackage(escalated, trusted))).toBe('bad_signature');
    const files = { ...pkg.files, 'index.js': 'evil()' };
    const rehashed = {
      ...pkg,
      files,
      signature: {
        ...pkg.signature,
        files: {
          ...pkg.signature.files,
          'index.js': (await signPluginPackage({ ...base, files }, stranger.privateKeyPem)).signature.files[
            'index.js'
          ] as string,
        },
      },
    };
    expect(await reasonOf(verifyPluginPackage(rehashed, trusted))).toBe('bad_signature');
  });

  it('rejects revoked keys from a resolver', async () => {
    const pkg = await signPluginPackage(base, publisher.privateKeyPem);
    const { createPublicKey } = await import('node:crypto');
    const key = createPublicKey(publisher.publicKeyPem);
    expect(await reasonOf(verifyPluginPackage(pkg, { resolveKey: () => ({ key, status: 'revoked' }) }))).toBe(
      'key_revoked',
    );
    expect(await reasonOf(verifyPluginPackage(pkg, { resolveKey: () => ({ key, status: 'retired' }) }))).toBe(
      'verified',
    );
  });

  it('refuses unsafe paths and a missing entry before signing', async () => {
    await expect(
      signPluginPackage({ ...base, files: { ...base.files, '../x.js': '' } }, publisher.privateKeyPem),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(
      signPluginPackage({ ...base, files: { 'other.js': '' } }, publisher.privateKeyPem),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(() => decodePackage(JSON.parse('{"manifest":{},"files":{"__proto__":"AA=="}}'))).toThrow(
      /forbidden/,
    );
  });

  it('property: any byte flip in any file or manifest field fails verification', async () => {
    const pkg = await signPluginPackage(base, publisher.privateKeyPem);
    const fileTargets = Object.keys(pkg.files);
    const manifestStrings: [string, string][] = [];
    const walk = (v: unknown, path: string): void => {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
        manifestStrings.push([path, JSON.stringify(v)]);
      else if (v && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
    };
    walk(pkg.manifest, '');
    const setAt = (obj: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> => {
      const copy = structuredClone(obj);
      const parts = path.split('.');
      let cur: Record<string, unknown> = copy;
      for (const p of parts.slice(0, -1)) cur = cur[p] as Record<string, unknown>;
      cur[parts.at(-1) as string] = value;
      return copy;
    };
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({
            kind: fc.constant('file' as const),
            target: fc.nat(fileTargets.length - 1),
            at: fc.nat(),
            bit: fc.integer({ min: 0, max: 7 }),
          }),
          fc.record({
            kind: fc.constant('manifest' as const),
            target: fc.nat(manifestStrings.length - 1),
            at: fc.nat(),
            bit: fc.integer({ min: 0, max: 7 }),
          }),
        ),
        async ({ kind, target, at, bit }) => {
          if (kind === 'file') {
            const path = fileTargets[target] as string;
            const bytes = new Uint8Array(Buffer.from(pkg.files[path] as string | Uint8Array));
            const i = at % bytes.length;
            bytes[i] = (bytes[i] as number) ^ (1 << bit);
            const tampered = { ...pkg, files: { ...pkg.files, [path]: bytes } };
            expect(await reasonOf(verifyPluginPackage(tampered, trusted))).not.toBe('verified');
          } else {
            const [path, json] = manifestStrings[target] as [string, string];
            const bytes = Buffer.from(json);
            const i = at % bytes.length;
            bytes[i] = (bytes[i] as number) ^ (1 << bit);
            let value: unknown;
            try {
              value = JSON.parse(bytes.toString('utf8'));
            } catch {
              value = bytes.toString('latin1'); // no longer JSON: keep the flipped bytes as a string
            }
            const tampered = { ...pkg, manifest: setAt(pkg.manifest, path, value) };
            const r = await reasonOf(verifyPluginPackage(tampered, trusted)).catch((e: unknown) =>
              isIntelGraphError(e) ? e.code : 'thrown',
            );
            expect(r).not.toBe('verified');
          }
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });
});
