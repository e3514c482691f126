import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { manifestScopes } from '@intelgraph/capabilities';
import { IntelGraphError, parseManifest, type Usage } from '@intelgraph/core';
import { z } from 'zod';
import { buildPlugin } from './build.js';

/** One fixture of `test/fixtures.json`. */
export interface PluginFixture {
  name: string;
  input: unknown;
  /** When present, the plugin's result must deep-equal it. */
  expect?: unknown;
  /** When present, the run must fail with this error code. */
  expectError?: string;
}

/** Budgets in the units {@link Usage} is measured in. */
export interface UsageBudgets {
  wallMs: number;
  cpuMs: number;
  memoryMB: number;
  rows: number;
  outputKB: number;
  logKB: number;
}

/** The outcome of one fixture. */
export interface PluginFixtureResult {
  name: string;
  passed: boolean;
  value?: unknown;
  error?: { code: string; message: string };
  usage: Usage;
  logs: string[];
  /** Why the fixture failed (a mismatch or an unexpected error), if it did. */
  reason?: string;
}

/** The report of {@link testPlugin}. */
export interface PluginTestReport {
  pluginId: string;
  budgets: UsageBudgets;
  grantedScopes: string[];
  results: PluginFixtureResult[];
  passed: boolean;
}

const FixturesSchema = z
  .array(
    z
      .object({
        name: z.string().min(1).max(200),
        input: z.unknown(),
        expect: z.unknown().optional(),
        expectError: z.string().optional(),
      })
      .strict(),
  )
  .min(1)
  .max(1000);

function excerpt(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

async function loadHostDefinition(root: string): Promise<Record<string, Record<string, unknown>>> {
  const candidates = ['test/host.ts', 'test/host.js', 'test/host.mjs'].map((f) => join(root, f));
  const file = candidates.find((f) => existsSync(f));
  if (!file) return {};
  const { build } = await import('esbuild');
  const out = await build({
    entryPoints: [file],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    packages: 'external',
    write: false,
    logLevel: 'silent',
  });
  const tmp = await mkdtemp(join(root, '.intelgraph-test-'));
  try {
    const path = join(tmp, 'host.mjs');
    await writeFile(path, out.outputFiles[0]?.text ?? '');
    const mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
    if (typeof mod.default !== 'object' || mod.default === null)
      throw new IntelGraphError('INVALID_INPUT', `${file} must export default a host API definition`);
    return mod.default as Record<string, Record<string, unknown>>;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * Runs a plugin folder's fixtures in the real sandbox (`@intelgraph/sandbox`, isolated-vm): builds the
 * plugin, loads the fake host API `test/host.ts` (a `defineHostApi` definition: namespace → method →
 * `{ scope, handler }`) and `test/fixtures.json` (`[{ name, input, expect?, expectError? }]`), grants
 * the manifest's required and optional scopes, and reports each run's usage against the budgets.
 * Needs `--no-node-snapshot` (isolated-vm).
 *
 * @example
 * ```ts
 * import { testPlugin } from '@intelgraph/plugin-kit';
 * const report = await testPlugin('examples/plugins/sample-enricher');
 * if (!report.passed) process.exitCode = 1;
 * ```
 */
export async function testPlugin(
  dir: string,
  options: { grant?: 'all' | 'required'; conditions?: string[] } = {},
): Promise<PluginTestReport> {
  const root = resolve(dir);
  const { pkg } = await buildPlugin(root, options.conditions ? { conditions: options.conditions } : {});
  const manifest = parseManifest(pkg.manifest);
  const code = pkg.files[manifest.entry] as string;
  const fixtures = FixturesSchema.parse(
    JSON.parse(await readFile(join(root, 'test', 'fixtures.json'), 'utf8')),
  ) as PluginFixture[];
  const definition = await loadHostDefinition(root);

  let sandboxModule: typeof import('@intelgraph/sandbox');
  try {
    sandboxModule = await import('@intelgraph/sandbox');
  } catch (e) {
    throw new IntelGraphError('UNAVAILABLE', 'intelgraph-plugin test needs @intelgraph/sandbox installed', {
      cause: e,
    });
  }
  const { defineHostApi, scopeHostApi } = await import('@intelgraph/capabilities');
  const { required, optional } = manifestScopes(manifest);
  const grantedScopes = options.grant === 'required' ? required : [...required, ...optional];
  const hostApi = defineHostApi(definition as Parameters<typeof defineHostApi>[0]);
  const b = sandboxModule.resolveBudgets(manifest.budgets);
  const sandbox = sandboxModule.createSandbox({ poolSize: 1 });
  const results: PluginFixtureResult[] = [];
  try {
    for (const fx of fixtures) {
      const r = await sandbox.run({
        code,
        manifest,
        input: fx.input,
        api: scopeHostApi(hostApi, grantedScopes),
      });
      const logs = r.logs.map((l) => `[${l.level}] ${l.message}`);
      let passed: boolean;
      let reason: string | undefined;
      if (r.ok) {
        passed =
          fx.expectError === undefined && (fx.expect === undefined || isDeepStrictEqual(r.value, fx.expect));
        if (!passed)
          reason =
            fx.expectError !== undefined
              ? `expected error ${fx.expectError}, got a result: ${excerpt(r.value)}`
              : `result differs from expect\n       expected: ${excerpt(fx.expect)}\n       actual:   ${excerpt(r.value)}`;
      } else {
        passed = fx.expectError === r.error.code;
        if (!passed)
          reason =
            fx.expectError !== undefined
              ? `expected error ${fx.expectError}, got error ${r.error.code}: ${r.error.message}`
              : `expected a result, got error ${r.error.code}: ${r.error.message}`;
      }
      results.push({
        name: fx.name,
        passed,
        ...(r.ok ? { value: r.value } : { error: { code: r.error.code, message: r.error.message } }),
        usage: r.usage,
        logs,
        ...(reason === undefined ? {} : { reason }),
      });
    }
  } finally {
    await sandbox.close();
  }
  return {
    pluginId: manifest.name,
    budgets: b,
    grantedScopes,
    results,
    passed: results.every((r) => r.passed),
  };
}

/**
 * Formats a {@link PluginTestReport} as the CLI prints it: one line per fixture with usage against
 * budgets (wall, CPU, heap, rows, output).
 *
 * @example
 * ```ts
 * import { formatTestReport, testPlugin } from '@intelgraph/plugin-kit';
 * console.log(formatTestReport(await testPlugin('my-plugin')));
 * ```
 */
export function formatTestReport(report: PluginTestReport): string {
  const b = report.budgets;
  const pct = (used: number, limit: number) => `${limit > 0 ? Math.round((used / limit) * 100) : 0}%`;
  const lines = [
    `${report.pluginId}: ${report.results.filter((r) => r.passed).length}/${report.results.length} fixtures passed`,
    `granted: ${report.grantedScopes.join(', ') || '(none)'}`,
  ];
  for (const r of report.results) {
    const u = r.usage;
    lines.push(
      `${r.passed ? 'PASS' : 'FAIL'} ${r.name}` +
        `  wall ${u.wallMs.toFixed(1)}/${b.wallMs} ms (${pct(u.wallMs, b.wallMs)})` +
        `  cpu ${u.cpuMs.toFixed(1)}/${b.cpuMs} ms (${pct(u.cpuMs, b.cpuMs)})` +
        `  heap ${(u.heapBytes / 1048576).toFixed(1)}/${b.memoryMB} MB` +
        `  rows ${u.rows}/${b.rows}` +
        `  output ${(u.outputBytes / 1024).toFixed(1)}/${b.outputKB} KB` +
        (r.reason ? `\n     ${r.reason}` : ''),
    );
    for (const l of r.logs) lines.push(`     ${l}`);
  }
  return lines.join('\n');
}
