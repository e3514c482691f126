import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { lstat, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { IntelGraphError, isIntelGraphError, parseManifest } from '@intelgraph/core';
import {
  generatePublisherKeyPair,
  keyIdOf,
  type PluginPackage,
  packTarball,
  readPackage,
  signPluginPackage,
  verifyPluginPackageDetails,
  writePackageDir,
} from '@intelgraph/marketplace';
import { buildPlugin } from './build.js';
import { formatTestReport, testPlugin } from './plugin-test.js';
import { scaffoldPlugin } from './scaffold.js';

/** Where the CLI writes and what it reads from its environment (injected for tests). */
export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
}

const USAGE = `intelgraph-plugin <command> [options]

  keygen [--out <dir>]                      new ed25519 publisher key pair (publisher.key.pem, publisher.pub.pem)
  sign <dir|file.tgz> [--key <file>] [--out <dir|file.tgz>]
                                            sign a package folder or tarball in place (or into --out);
                                            signing build's dist/<name> re-signs dist/<name>-<version>.tgz too
  verify <dir|file.tgz> --key <file> [--key <file>…]
                                            verify a signed package against trusted public keys
  init <dir> [--name <name>]                scaffold a TypeScript plugin
  build <dir> [--key <file>] [--out <dir>] [--conditions <c>…] [--force]
                                            bundle with esbuild, sign, write <out>/<name>-<version>.tgz
                                            and <out>/<name>/; without a key it refuses to replace a
                                            signed build with an unsigned one unless --force
  test <dir> [--required-only] [--conditions <c>…]
                                            run test/fixtures.json in the sandbox against test/host.ts

The signing key is read from --key, else from the INTELGRAPH_PLUGIN_KEY environment variable (PEM text),
which is how CI passes a secret without writing it to disk.`;

async function privateKey(values: { key?: string[] | undefined }, io: CliIo): Promise<string | null> {
  const file = values.key?.[0];
  if (file) return readFile(resolve(io.cwd, file), 'utf8');
  return io.env.INTELGRAPH_PLUGIN_KEY ?? null;
}

async function writeOutput(out: string, pkg: PluginPackage): Promise<void> {
  if (out.endsWith('.tgz')) await writeFile(out, packTarball(pkg));
  else await replacePackageDir(out, pkg);
}

// A package folder is derived output: rewrite it whole, so no stale signature.json or file survives.
async function replacePackageDir(dir: string, pkg: PluginPackage): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await writePackageDir(dir, pkg);
}

async function isSigned(path: string): Promise<boolean> {
  if (!existsSync(path)) return false;
  try {
    return (await readPackage(path)).signature !== undefined;
  } catch {
    return false; // not a readable package: nothing signed to lose
  }
}

/**
 * `build` writes a pair, `<out>/<name>-<version>.tgz` and `<out>/<name>/`. Signing one of them in place
 * re-signs the other too when it holds the same plugin, so `verify` passes on either.
 */
async function buildTwinOf(path: string, pkg: PluginPackage): Promise<string | null> {
  const name = String(pkg.manifest.name);
  const version = String(pkg.manifest.version);
  const twin = path.endsWith('.tgz')
    ? join(dirname(path), name)
    : join(dirname(path), `${name}-${version}.tgz`);
  if (!existsSync(twin)) return null;
  try {
    const other = await readPackage(twin);
    return other.manifest.name === name && other.manifest.version === version ? twin : null;
  } catch {
    return null;
  }
}

async function command(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      key: { type: 'string', multiple: true },
      out: { type: 'string' },
      name: { type: 'string' },
      'required-only': { type: 'boolean' },
      force: { type: 'boolean' },
      conditions: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [cmd, target] = positionals;
  if (values.help || cmd === undefined || cmd === 'help') {
    io.stdout(USAGE);
    return cmd === undefined && !values.help ? 2 : 0;
  }
  const at = (p: string) => resolve(io.cwd, p);
  const need = (what: string): string => {
    if (target === undefined) throw new UsageError(`${cmd} needs ${what}`);
    return at(target);
  };

  switch (cmd) {
    case 'keygen': {
      const dir = at(values.out ?? '.');
      await mkdir(dir, { recursive: true });
      const priv = join(dir, 'publisher.key.pem');
      const pub = join(dir, 'publisher.pub.pem');
      if (existsSync(priv) || existsSync(pub)) throw new UsageError(`${dir} already holds a key pair`);
      const pair = generatePublisherKeyPair();
      await writeFile(priv, pair.privateKeyPem, { mode: 0o600 });
      await writeFile(pub, pair.publicKeyPem);
      io.stdout(
        `key id ${pair.keyId}\nprivate key: ${priv} (keep it secret; never commit it)\npublic key:  ${pub}`,
      );
      return 0;
    }
    case 'sign': {
      const path = need('a package folder or .tgz');
      const key = await privateKey(values, io);
      if (!key) throw new UsageError('sign needs --key <file> or INTELGRAPH_PLUGIN_KEY');
      const { signature: _old, ...unsigned } = await readPackage(path);
      const signed = await signPluginPackage(unsigned, key);
      const targets = [values.out ? at(values.out) : path];
      if (!values.out) {
        const twin = await buildTwinOf(path, signed);
        if (twin) targets.push(twin);
      }
      for (const t of targets) await writeOutput(t, signed);
      io.stdout(
        `signed ${String(signed.manifest.name)}@${String(signed.manifest.version)} with key ${signed.signature.keyId} (${Object.keys(signed.files).length} files) → ${targets.join(', ')}`,
      );
      return 0;
    }
    case 'verify': {
      const path = need('a package folder or .tgz');
      const keys = await Promise.all((values.key ?? []).map((k) => readFile(at(k), 'utf8')));
      if (keys.length === 0) throw new UsageError('verify needs at least one --key <public key file>');
      const v = await verifyPluginPackageDetails(await readPackage(path), { trustedKeys: keys });
      io.stdout(
        `OK ${v.manifest.name}@${v.manifest.version} signed by ${v.keyId}; ${Object.keys(v.files).length} files, digest ${v.packageDigest}`,
      );
      return 0;
    }
    case 'init': {
      const dir = need('a folder');
      const written = await scaffoldPlugin(dir, values.name === undefined ? {} : { name: values.name });
      io.stdout(`created ${written.length} files in ${dir}:\n  ${written.join('\n  ')}`);
      return 0;
    }
    case 'build': {
      const dir = need('a plugin folder');
      const { pkg, bytes } = await buildPlugin(
        dir,
        values.conditions ? { conditions: values.conditions } : {},
      );
      const manifest = parseManifest(pkg.manifest);
      const key = await privateKey(values, io);
      const out = values.out ? at(values.out) : join(dir, 'dist');
      await mkdir(out, { recursive: true });
      const tgz = join(out, `${manifest.name}-${manifest.version}.tgz`);
      const folder = join(out, manifest.name);
      if (!key && !values.force) {
        const signedOnes = [];
        for (const p of [tgz, folder]) if (await isSigned(p)) signedOnes.push(p);
        if (signedOnes.length > 0)
          throw new IntelGraphError(
            'CONFLICT',
            `refusing to replace a signed build with an unsigned one: ${signedOnes.join(' and ')} ${signedOnes.length > 1 ? 'are' : 'is'} signed. Pass --key <file> (or INTELGRAPH_PLUGIN_KEY) to build and re-sign, or --force to write the unsigned build anyway`,
            { details: { reason: 'signed_output_exists', paths: signedOnes } },
          );
      }
      const signed = key ? await signPluginPackage(pkg, key) : pkg;
      await writeFile(tgz, packTarball(signed));
      await replacePackageDir(folder, signed);
      io.stdout(
        `built ${manifest.name}@${manifest.version}: ${bytes} bytes → ${tgz}` +
          (key ? ` (signed by ${keyIdOf(key)})` : ' (UNSIGNED: pass --key or INTELGRAPH_PLUGIN_KEY to sign)'),
      );
      return 0;
    }
    case 'test': {
      const dir = need('a plugin folder');
      if (!(await lstat(join(dir, 'test', 'fixtures.json')).catch(() => null)))
        throw new UsageError(`${dir}/test/fixtures.json is missing`);
      const report = await testPlugin(dir, {
        grant: values['required-only'] ? 'required' : 'all',
        ...(values.conditions ? { conditions: values.conditions } : {}),
      });
      io.stdout(formatTestReport(report));
      return report.passed ? 0 : 1;
    }
    default:
      throw new UsageError(`unknown command "${cmd}"`);
  }
}

class UsageError extends Error {}

/**
 * Runs the `intelgraph-plugin` CLI with arguments (without `node` and the script) and returns the
 * exit code: 0 success, 1 failure (for example `SIGNATURE_INVALID`), 2 usage error.
 *
 * @example
 * ```ts
 * import { runCli } from '@intelgraph/plugin-kit';
 * const code = await runCli(['verify', 'dist/sample-enricher-0.1.0.tgz', '--key', 'publisher.pub.pem']);
 * ```
 */
export async function runCli(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const full: CliIo = {
    stdout: io.stdout ?? ((l) => process.stdout.write(`${l}\n`)),
    stderr: io.stderr ?? ((l) => process.stderr.write(`${l}\n`)),
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
  };
  try {
    return await command(argv, full);
  } catch (e) {
    if (
      e instanceof UsageError ||
      (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      full.stderr(`${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (isIntelGraphError(e)) {
      const reason = e.details.reason === undefined ? '' : ` (${String(e.details.reason)})`;
      full.stderr(`${e.code}${reason}: ${e.message}`);
      return 1;
    }
    full.stderr(e instanceof Error ? e.message : String(e));
    return 1;
  }
}

/** Re-runs the current process with `--no-node-snapshot` when `test` needs isolated-vm and it is missing. */
export function relaunchForSandbox(argv: string[]): number | null {
  if (argv[0] !== 'test' || process.execArgv.includes('--no-node-snapshot')) return null;
  const r = spawnSync(
    process.execPath,
    ['--no-node-snapshot', ...process.execArgv, ...process.argv.slice(1)],
    {
      stdio: 'inherit',
    },
  );
  return r.status ?? 1;
}
