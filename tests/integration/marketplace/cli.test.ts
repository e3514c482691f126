import { mkdir, mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packTarball, readPackage } from '@intelgraph/marketplace';
import { runCli } from '@intelgraph/plugin-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const examples = join(import.meta.dirname, '..', '..', '..', 'examples', 'plugins');

/** The export condition that resolves the workspace packages to their TypeScript sources. */
const SOURCE = '@intelgraph/source';

async function cli(args: string[], cwd: string, env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { cwd, env, stdout: (l) => out.push(l), stderr: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('intelgraph-plugin CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ig-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keygen, sign, verify a folder and a tarball; every tamper case fails with SIGNATURE_INVALID', async () => {
    expect((await cli(['keygen', '--out', 'keys'], dir)).code).toBe(0);
    expect((await cli(['keygen', '--out', 'keys'], dir)).code).toBe(2); // never overwrites a key
    expect((await cli(['keygen', '--out', 'other'], dir)).code).toBe(0);
    const pkgDir = join(dir, 'pkg');
    await mkdir(join(pkgDir, 'lib'), { recursive: true });
    await writeFile(
      join(pkgDir, 'manifest.json'),
      JSON.stringify({
        name: 'cli-demo',
        version: '1.0.0',
        entry: 'index.js',
        capabilities: { graph: ['read'] },
      }),
    );
    await writeFile(join(pkgDir, 'index.js'), 'export async function run() { return 1; }');
    await writeFile(join(pkgDir, 'lib', 'data.bin'), new Uint8Array([1, 2, 3]));

    const signed = await cli(['sign', 'pkg', '--key', 'keys/publisher.key.pem'], dir);
    expect(signed.code).toBe(0);
    expect((await readdir(pkgDir)).sort()).toEqual(['index.js', 'lib', 'manifest.json', 'signature.json']);
    expect((await cli(['verify', 'pkg', '--key', 'keys/publisher.pub.pem'], dir)).out).toMatch(
      /^OK cli-demo@1.0.0/,
    );
    // CI style: the key comes from the environment, the output is a tarball
    const secret = await readFile(join(dir, 'keys', 'publisher.key.pem'), 'utf8');
    expect(
      (await cli(['sign', 'pkg', '--out', 'cli-demo.tgz'], dir, { INTELGRAPH_PLUGIN_KEY: secret })).code,
    ).toBe(0);
    expect((await cli(['verify', 'cli-demo.tgz', '--key', 'keys/publisher.pub.pem'], dir)).code).toBe(0);

    const unknown = await cli(['verify', 'pkg', '--key', 'other/publisher.pub.pem'], dir);
    expect([unknown.code, unknown.err]).toEqual([
      1,
      expect.stringMatching(/^SIGNATURE_INVALID \(unknown_key\)/),
    ]);

    const pkg = await readPackage(pkgDir);
    const tamper = async (name: string, change: (files: Record<string, string | Uint8Array>) => void) => {
      const files = { ...pkg.files };
      change(files);
      await writeFile(join(dir, name), packTarball({ ...pkg, files }));
      return cli(['verify', name, '--key', 'keys/publisher.pub.pem'], dir);
    };
    expect(
      (
        await tamper('modified.tgz', (f) => {
          f['index.js'] = 'export async function run() { return 2; }';
        })
      ).err,
    ).toMatch(/file_modified/);
    expect(
      (
        await tamper('added.tgz', (f) => {
          f['extra.js'] = 'x';
        })
      ).err,
    ).toMatch(/file_added/);
    expect(
      (
        await tamper('missing.tgz', (f) => {
          delete f['lib/data.bin'];
        })
      ).err,
    ).toMatch(/file_missing/);

    await unlink(join(pkgDir, 'signature.json'));
    expect((await cli(['verify', 'pkg', '--key', 'keys/publisher.pub.pem'], dir)).err).toMatch(
      /missing_signature/,
    );
    await writeFile(join(pkgDir, 'signature.json'), '{"format":"nope"}');
    expect((await cli(['verify', 'pkg', '--key', 'keys/publisher.pub.pem'], dir)).err).toMatch(
      /malformed_signature/,
    );
    expect((await cli(['verify', 'pkg'], dir)).code).toBe(2);
    expect((await cli(['frobnicate'], dir)).code).toBe(2);
  });

  it('init scaffolds a plugin that typechecks against the author kit layout', async () => {
    const r = await cli(['init', 'my-plugin'], dir);
    expect(r.code).toBe(0);
    expect((await readdir(join(dir, 'my-plugin'))).sort()).toEqual([
      '.gitignore',
      'README.md',
      'package.json',
      'src',
      'test',
      'tsconfig.json',
    ]);
    // The private key stays out of git, the public key (which the guide says to commit) does not.
    const ignore = (await readFile(join(dir, 'my-plugin', '.gitignore'), 'utf8')).split('\n');
    expect(ignore).toEqual(expect.arrayContaining(['node_modules/', 'dist/', '*.key.pem']));
    expect(ignore).not.toContain('*.pem');
    expect(ignore.some((l) => l.includes('pub'))).toBe(false);
    // The scaffold's README says how to install the kit from tarballs when it is not published.
    expect(await readFile(join(dir, 'my-plugin', 'README.md'), 'utf8')).toMatch(
      /npm install --save-dev \/tmp\/ig\/intelgraph-core-0\.1\.0\.tgz/,
    );
    expect((await cli(['init', 'my-plugin'], dir)).code).toBe(1); // not empty
    expect((await cli(['init', 'Bad Name'], dir)).code).toBe(1);
  });

  it('test runs the fixtures in the real sandbox and prints usage against budgets', async () => {
    const r = await cli(['test', join(examples, 'sample-enricher'), '--conditions', SOURCE], dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('sample-enricher: 3/3 fixtures passed');
    expect(r.out).toMatch(/PASS scores acme entities, best first {2}wall [\d.]+\/800 ms/);
  });

  it('build bundles and signs into a tarball that verifies', async () => {
    const out = join(dir, 'build-out');
    const r = await cli(
      [
        'build',
        join(examples, 'case-exporter'),
        '--key',
        'keys/publisher.key.pem',
        '--out',
        out,
        '--conditions',
        SOURCE,
      ],
      dir,
    );
    expect(r.code).toBe(0);
    const v = await cli(
      ['verify', join(out, 'case-exporter-0.1.0.tgz'), '--key', 'keys/publisher.pub.pem'],
      dir,
    );
    expect(v.out).toMatch(/^OK case-exporter@0.1.0/);
  });

  it('build never silently replaces a signed build with an unsigned one', async () => {
    const out = join(dir, 'build-guard');
    const build = (...extra: string[]) =>
      cli(['build', join(examples, 'case-exporter'), '--out', out, '--conditions', SOURCE, ...extra], dir);
    const tgz = join(out, 'case-exporter-0.1.0.tgz');
    const verify = () => cli(['verify', tgz, '--key', 'keys/publisher.pub.pem'], dir);

    expect((await build('--key', 'keys/publisher.key.pem')).code).toBe(0);
    const refused = await build();
    expect([refused.code, refused.err]).toEqual([
      1,
      expect.stringMatching(
        /^CONFLICT \(signed_output_exists\): refusing to replace a signed build .*signed\. Pass --key.*--force/,
      ),
    ]);
    expect((await verify()).code).toBe(0); // untouched
    // With a key it rebuilds and re-signs; with --force it writes the unsigned build, folder included.
    expect((await build('--key', 'keys/publisher.key.pem')).code).toBe(0);
    expect((await verify()).code).toBe(0);
    const forced = await build('--force');
    expect([forced.code, forced.out]).toEqual([0, expect.stringContaining('UNSIGNED')]);
    expect((await readPackage(tgz)).signature).toBeUndefined();
    expect((await readdir(join(out, 'case-exporter'))).includes('signature.json')).toBe(false);
    // An unsigned build may replace an unsigned one.
    expect((await build()).code).toBe(0);
  });

  it('sign dist/<name> re-signs the build tarball too, and signing the tarball re-signs the folder', async () => {
    const out = join(dir, 'build-sign');
    expect(
      (await cli(['build', join(examples, 'case-exporter'), '--out', out, '--conditions', SOURCE], dir)).code,
    ).toBe(0);
    const tgz = join(out, 'case-exporter-0.1.0.tgz');
    const folder = join(out, 'case-exporter');
    const verify = (p: string, key = 'keys/publisher.pub.pem') => cli(['verify', p, '--key', key], dir);
    expect((await verify(tgz)).err).toMatch(/missing_signature/);

    const s = await cli(['sign', folder, '--key', 'keys/publisher.key.pem'], dir);
    expect([s.code, s.out]).toEqual([0, expect.stringContaining(tgz)]);
    expect((await verify(folder)).code).toBe(0);
    expect((await verify(tgz)).out).toMatch(/^OK case-exporter@0.1.0/);

    // The other direction, with the other key: both follow.
    expect((await cli(['sign', tgz, '--key', 'other/publisher.key.pem'], dir)).code).toBe(0);
    expect((await verify(tgz, 'other/publisher.pub.pem')).code).toBe(0);
    expect((await verify(folder, 'other/publisher.pub.pem')).code).toBe(0);
    expect((await verify(folder)).err).toMatch(/unknown_key/);
  });

  it('a failing fixture prints what was expected and what actually came back', async () => {
    // A plugin folder inside the repository, so esbuild resolves the author kit from its node_modules.
    const plugin = await mkdtemp(join(import.meta.dirname, '.fixture-plugin-'));
    try {
      await mkdir(join(plugin, 'src'));
      await mkdir(join(plugin, 'test'));
      await writeFile(
        join(plugin, 'src', 'index.ts'),
        `import { definePlugin } from '@intelgraph/marketplace/plugin';
export default definePlugin({
  manifest: { name: 'fixture-report', version: '0.1.0', entry: 'index.js', budgets: { ms: 2000 } },
  async run(input: { fail?: boolean }) {
    if (input.fail) throw new Error('asked to fail');
    return { n: 1 };
  },
});
`,
      );
      await writeFile(
        join(plugin, 'test', 'fixtures.json'),
        JSON.stringify([
          { name: 'wrong value', input: {}, expect: { n: 2 } },
          { name: 'error expected, value came', input: {}, expectError: 'BUDGET_EXCEEDED' },
          { name: 'other error', input: { fail: true }, expectError: 'BUDGET_EXCEEDED' },
          { name: 'value expected, error came', input: { fail: true }, expect: { n: 1 } },
        ]),
      );
      const r = await cli(['test', plugin, '--conditions', SOURCE], dir);
      expect(r.code).toBe(1);
      expect(r.out).toContain('fixture-report: 0/4 fixtures passed');
      expect(r.out).toMatch(
        /FAIL wrong value[^\n]*\n\s+result differs from expect\n\s+expected: \{"n":2\}\n\s+actual: +\{"n":1\}/,
      );
      expect(r.out).toMatch(/expected error BUDGET_EXCEEDED, got a result: \{"n":1\}/);
      expect(r.out).toMatch(/expected error BUDGET_EXCEEDED, got error PLUGIN_ERROR: .*asked to fail/);
      expect(r.out).toMatch(/expected a result, got error PLUGIN_ERROR: .*asked to fail/);
    } finally {
      await rm(plugin, { recursive: true, force: true });
    }
  });
});
