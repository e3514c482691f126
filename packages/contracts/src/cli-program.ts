import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { IntelGraphError, isIntelGraphError, parseInput, type SchemaFormat } from '@intelgraph/core';
import { COMPATIBILITY_MODES, CompatibilityModeSchema, checkCompatibility } from './compatibility.js';
import { type CompiledContract, compileContract } from './compiled-contract.js';
import { diffSchemas } from './diff.js';
import { parseJsonText } from './input-guard.js';
import type { ContractIssue } from './issue.js';
import { CONTRACT_LIMITS } from './limits.js';
import { createMigrationRules, RuleInputSchema } from './migration-rules.js';
import { errorMessage, isObj } from './narrow.js';
import { decideRecord, suggestRecordPatch } from './record-decision.js';
import { createSchemaRegistry } from './registry.js';

/** Where the CLI writes; injected so tests capture output. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd?: string;
  /** The clock deprecation windows are judged by (epoch ms); the system clock when omitted. */
  now?: () => number;
}

/** Exit codes: 0 ok, 1 violations, 2 bad usage or unreadable input. */
export const EXIT = Object.freeze({ ok: 0, violations: 1, usage: 2 });

const USAGE = `Usage: intelgraph-contracts <command> [options]

Commands:
  validate <schemas...> --samples <files...>   validate sample payloads against contracts (CI gate)
  check <old> <new> --mode <MODE>              compatibility check (${COMPATIBILITY_MODES.join(', ')})
  diff <old> <new>                             typed change list between two schemas
  suggest <schema> <payload>                   a JSON Patch that makes the payload conform
  migrate --from <v> --to <v> <samples>        migrate records between versions of a subject

Options:
  --format human|json|github   output format (default human; github prints workflow annotations)
  --schema-format json|avro    schema language (default: avro for .avsc files, json otherwise)
  -h, --help                   this text

Migrate: the subject is --subject, or the sample file name up to its first dot; its versions are
<contracts>/<subject>.v1.json (or .avsc), .v2…, and its rules <contracts>/migrations/<subject>.json
(an array of { from, to, operations, samples? }); --contracts defaults to ./contracts. The migrated
records are printed (--format json for the document alone).

Samples: a file holds one payload or an array of payloads. It is checked against the schema whose file
name (without extension) starts its own name, or against the only schema given. Files named *.invalid.json
are golden failing samples: each of their payloads must be rejected.
Exit codes: 0 ok, 1 violations, 2 bad usage or unreadable input.
`;

class UsageError extends Error {}

type OutputFormat = 'human' | 'json' | 'github';

interface Finding {
  level: 'error' | 'warning' | 'notice';
  file: string;
  title: string;
  message: string;
}

function escapeData(s: string): string {
  return s.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}
function escapeProperty(s: string): string {
  return escapeData(s).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

async function readJsonFile(path: string, what: string): Promise<unknown> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (cause) {
    throw new UsageError(`cannot read ${what} ${path}: ${errorMessage(cause)}`);
  }
  if (size > CONTRACT_LIMITS.maxPayloadBytes)
    throw new UsageError(
      `${what} ${path} is too large: ${size} bytes, the limit is ${CONTRACT_LIMITS.maxPayloadBytes}`,
    );
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new UsageError(`cannot read ${what} ${path}: ${errorMessage(cause)}`);
  }
  try {
    return parseJsonText(bytes, `${what} ${path}`, CONTRACT_LIMITS.maxPayloadBytes);
  } catch (e) {
    throw new UsageError(isIntelGraphError(e) ? e.message : String(e));
  }
}

function schemaFormatOf(path: string, override: string | undefined): SchemaFormat {
  if (override !== undefined) {
    if (override !== 'json' && override !== 'avro')
      throw new UsageError(`unknown --schema-format ${override}; use json or avro`);
    return override;
  }
  return path.endsWith('.avsc') ? 'avro' : 'json';
}

function topLevelArray(contract: CompiledContract): boolean {
  const s = contract.schema;
  if (contract.format === 'avro')
    return typeof s === 'object' && s !== null && !Array.isArray(s) && s.type === 'array';
  return typeof s === 'object' && s !== null && !Array.isArray(s) && s.type === 'array';
}

function stem(path: string): string {
  return basename(path).replace(/\.(json|avsc)$/u, '');
}

function print(
  io: CliIo,
  format: OutputFormat,
  command: string,
  ok: boolean,
  findings: Finding[],
  result: unknown,
  human: string[],
): void {
  if (format === 'json') {
    io.stdout(`${JSON.stringify({ command, ok, findings, result }, null, 2)}\n`);
    return;
  }
  if (format === 'github') {
    for (const f of findings)
      io.stdout(
        `::${f.level} file=${escapeProperty(f.file)},title=${escapeProperty(f.title)}::${escapeData(f.message)}\n`,
      );
    io.stdout(`${ok ? 'ok' : 'failed'}: ${command}\n`);
    return;
  }
  for (const line of human) io.stdout(`${line}\n`);
}

function issueLines(issues: readonly ContractIssue[], indent = '    '): string[] {
  return issues.map((i) => `${indent}${i.path || '/'}  ${i.message}  [${i.code}]`);
}

async function validateCommand(
  io: CliIo,
  args: string[],
  values: CliValues,
  format: OutputFormat,
): Promise<number> {
  const samples = values.samples ?? [];
  if (args.length === 0) throw new UsageError('validate needs at least one schema file');
  const cwd = io.cwd ?? process.cwd();
  const now = io.now?.() ?? Date.now();
  const contracts: { path: string; stem: string; contract: CompiledContract | null }[] = [];
  const findings: Finding[] = [];
  const human: string[] = [];
  let failures = 0;
  for (const path of args) {
    const schema = await readJsonFile(resolve(cwd, path), 'schema');
    try {
      const contract = compileContract(schemaFormatOf(path, values['schema-format']), schema);
      contracts.push({ path, stem: stem(path), contract });
      human.push(`✓ schema ${path}`);
      for (const w of contract.warnings) {
        human.push(`  ⚠ ${w}`);
        findings.push({ level: 'warning', file: path, title: 'schema warning', message: w });
      }
    } catch (e) {
      if (!isIntelGraphError(e, 'INVALID_INPUT')) throw e;
      failures += 1;
      contracts.push({ path, stem: stem(path), contract: null });
      findings.push({ level: 'error', file: path, title: 'invalid schema', message: e.message });
      human.push(`✗ schema ${path}: ${e.message}`);
    }
  }
  for (const sample of samples) {
    const name = basename(sample);
    const target =
      contracts.length === 1
        ? contracts[0]
        : contracts
            .filter((c) => name.startsWith(`${c.stem}.`) || name === `${c.stem}.json`)
            .sort((a, b) => b.stem.length - a.stem.length)[0];
    if (!target) throw new UsageError(`no schema matches sample ${sample}; name it <schema>.<anything>.json`);
    if (!target.contract) continue;
    const compiled: CompiledContract = target.contract;
    const expectInvalid = /\.invalid\.json$/u.test(name);
    const data = await readJsonFile(resolve(cwd, sample), 'sample');
    const records = Array.isArray(data) && !topLevelArray(compiled) ? data : [data];
    const problems: { index: number; issues: ContractIssue[]; record: unknown }[] = [];
    const warned: { index: number; warnings: ContractIssue[] }[] = [];
    records.forEach((record, index) => {
      // The runtime gate's own decision: validation plus deprecation windows at the same clock.
      const d = decideRecord(compiled, structuredClone(record), now);
      if (!d.ok) problems.push({ index, issues: d.issues, record });
      if (d.warnings.length > 0) warned.push({ index, warnings: d.warnings });
    });
    for (const w of warned) {
      human.push(`⚠ ${sample} record ${w.index}:`, ...issueLines(w.warnings));
      for (const i of w.warnings)
        findings.push({
          level: 'warning',
          file: sample,
          title: `contract ${stem(target.path)}`,
          message: `record ${w.index} ${i.path || '/'}: ${i.message}`,
        });
    }
    if (expectInvalid) {
      const accepted = records.map((_, i) => i).filter((i) => !problems.some((p) => p.index === i));
      if (accepted.length > 0) {
        failures += 1;
        findings.push({
          level: 'error',
          file: sample,
          title: 'golden failing sample passed',
          message: `${sample} is marked .invalid but ${target.path} accepts record(s) ${accepted.join(', ')}`,
        });
        human.push(
          `✗ ${sample}: expected to be rejected by ${target.path}, but it accepts record(s) ${accepted.join(', ')}`,
        );
      } else
        human.push(`✓ ${sample} (${records.length} record(s)) is rejected by ${target.path}, as expected`);
      continue;
    }
    if (problems.length === 0) {
      human.push(`✓ ${sample} (${records.length} record(s)) conforms to ${target.path}`);
      continue;
    }
    failures += 1;
    human.push(`✗ ${sample} violates ${target.path}:`);
    for (const p of problems) {
      human.push(`  record ${p.index}:`, ...issueLines(p.issues));
      const fix = suggestRecordPatch(compiled, p.record, now);
      if (fix.ok && fix.patch.length > 0)
        human.push(
          '    suggested patch:',
          ...fix.patch.map(
            (op) =>
              `      ${JSON.stringify({ ...op, reason: undefined, confidence: undefined })}  (${op.reason})`,
          ),
        );
      for (const i of p.issues)
        findings.push({
          level: 'error',
          file: sample,
          title: `contract ${stem(target.path)}`,
          message: `record ${p.index} ${i.path || '/'}: ${i.message}`,
        });
    }
  }
  const ok = failures === 0;
  human.push(
    ok
      ? `ok: ${contracts.length} schema(s), ${samples.length} sample file(s)`
      : `failed: ${failures} problem(s)`,
  );
  print(
    io,
    format,
    'validate',
    ok,
    findings,
    { schemas: contracts.length, samples: samples.length, failures },
    human,
  );
  return ok ? EXIT.ok : EXIT.violations;
}

async function fileExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function migrateCommand(
  io: CliIo,
  args: string[],
  values: CliValues,
  format: OutputFormat,
): Promise<number> {
  const version = (k: 'from' | 'to'): number => {
    const v = Number(values[k]);
    if (!Number.isInteger(v) || v < 1)
      throw new UsageError(`migrate needs --${k} <version> (a whole number from 1)`);
    return v;
  };
  const from = version('from');
  const to = version('to');
  const [samplePath] = args;
  if (args.length !== 1 || samplePath === undefined)
    throw new UsageError('migrate needs exactly one samples file');
  const cwd = io.cwd ?? process.cwd();
  // The subject defaults to the file name up to its first dot.
  const subject = values.subject ?? basename(samplePath).replace(/\..*$/su, '');
  const dir = resolve(cwd, values.contracts ?? 'contracts');
  const registry = createSchemaRegistry();
  await registry.setCompatibility('NONE', subject);
  for (let v = 1; v <= Math.max(from, to); v++) {
    const json = resolve(dir, `${subject}.v${v}.json`);
    const avsc = resolve(dir, `${subject}.v${v}.avsc`);
    const file = (await fileExists(json)) ? json : (await fileExists(avsc)) ? avsc : null;
    if (!file) throw new UsageError(`no schema for ${subject} version ${v}: expected ${json} or ${avsc}`);
    const schemaFormat = schemaFormatOf(file, values['schema-format']);
    compileNamed(schemaFormat, await readJsonFile(file, 'schema'), file);
    await registry.register(subject, { format: schemaFormat, schema: await readJsonFile(file, 'schema') });
  }
  const rules = createMigrationRules({ registry });
  const rulesPath = resolve(dir, 'migrations', `${subject}.json`);
  if (await fileExists(rulesPath)) {
    const list = await readJsonFile(rulesPath, 'migration rules');
    if (!Array.isArray(list)) throw new UsageError(`${rulesPath} must hold an array of rules`);
    for (const entry of list) {
      const { samples = [], ...rule }: Record<string, unknown> = isObj(entry) ? entry : {};
      try {
        await rules.register(subject, parseInput(RuleInputSchema, rule, 'migration rule'), {
          samples: Array.isArray(samples) ? samples : [],
        });
      } catch (e) {
        if (isIntelGraphError(e))
          throw new IntelGraphError(e.code, `${rulesPath}: ${e.message}`, { cause: e, details: e.details });
        throw e;
      }
    }
  }
  const data = await readJsonFile(resolve(cwd, samplePath), 'sample');
  const records = Array.isArray(data) ? data : [data];
  let r: Awaited<ReturnType<typeof rules.migrate>>;
  try {
    r = await rules.migrate(subject, records, { from, to });
  } catch (e) {
    if (!isIntelGraphError(e, 'NOT_FOUND')) throw e;
    throw new UsageError(e.message);
  }
  const route = r.steps.map((s) => `v${s.from}→v${s.to} (${s.via})`).join(', ') || 'no step';
  if (format === 'json' && r.ok) {
    io.stdout(`${JSON.stringify(r.records, null, 2)}\n`);
    return EXIT.ok;
  }
  const findings: Finding[] = r.ok
    ? []
    : r.failures.flatMap((f) =>
        f.issues.map<Finding>((i) => ({
          level: 'error',
          file: samplePath,
          title: `migrate ${subject} v${from}→v${to}`,
          message: `record ${f.index} ${i.path || '/'}: ${i.message}`,
        })),
      );
  const human = r.ok
    ? [
        `✓ ${records.length} record(s) of ${subject} migrated v${from}→v${to} via ${route}`,
        JSON.stringify(r.records, null, 2),
      ]
    : [
        `✗ ${r.failures.length} record(s) of ${subject} fail version ${to} after ${route}:`,
        ...r.failures.flatMap((f) => [`  record ${f.index}:`, ...issueLines(f.issues)]),
      ];
  print(io, format, 'migrate', r.ok, findings, r, human);
  return r.ok ? EXIT.ok : EXIT.violations;
}

async function loadPair(
  io: CliIo,
  args: string[],
  values: CliValues,
): Promise<{ old: unknown; next: unknown; schemaFormat: SchemaFormat; paths: [string, string] }> {
  const [a, b] = args;
  if (args.length !== 2 || a === undefined || b === undefined)
    throw new UsageError('expected exactly two schema files: <old> <new>');
  const cwd = io.cwd ?? process.cwd();
  const schemaFormat = schemaFormatOf(b, values['schema-format']);
  const old = await readJsonFile(resolve(cwd, a), 'schema');
  const next = await readJsonFile(resolve(cwd, b), 'schema');
  compileNamed(schemaFormat, old, a);
  compileNamed(schemaFormat, next, b);
  return { old, next, schemaFormat, paths: [a, b] };
}

/** Compiles a schema read from a file; a file that is JSON but not a valid schema is named in the error. */
function compileNamed(schemaFormat: SchemaFormat, schema: unknown, path: string): CompiledContract {
  try {
    return compileContract(schemaFormat, schema);
  } catch (e) {
    if (!isIntelGraphError(e, 'INVALID_INPUT')) throw e;
    throw new IntelGraphError('INVALID_INPUT', `${path}: ${e.message}`, { cause: e });
  }
}

async function checkCommand(
  io: CliIo,
  args: string[],
  values: CliValues,
  format: OutputFormat,
): Promise<number> {
  const mode = String(values.mode ?? '').toUpperCase();
  const known = CompatibilityModeSchema.safeParse(mode);
  if (!known.success) throw new UsageError(`check needs --mode, one of ${COMPATIBILITY_MODES.join(', ')}`);
  const { old, next, schemaFormat, paths } = await loadPair(io, args, values);
  const r = checkCompatibility(old, next, { format: schemaFormat, mode: known.data });
  const findings = r.issues.map<Finding>((i) => ({
    level: 'error',
    file: paths[1],
    title: `${mode} ${i.code}`,
    message: `${i.path || '/'}: ${i.message}`,
  }));
  const human = r.compatible
    ? [`✓ ${paths[1]} is ${mode} compatible with ${paths[0]}`]
    : [
        `✗ ${paths[1]} is not ${mode} compatible with ${paths[0]} (${r.issues.length} issue(s)):`,
        ...issueLines(r.issues, '  '),
      ];
  print(io, format, 'check', r.compatible, findings, r, human);
  return r.compatible ? EXIT.ok : EXIT.violations;
}

async function diffCommand(
  io: CliIo,
  args: string[],
  values: CliValues,
  format: OutputFormat,
): Promise<number> {
  const { old, next, schemaFormat, paths } = await loadPair(io, args, values);
  const changes = diffSchemas(old, next, { format: schemaFormat });
  const breaks = (c: (typeof changes)[number]): string =>
    c.breaks.backward && c.breaks.forward
      ? 'breaks BACKWARD and FORWARD'
      : c.breaks.backward
        ? 'breaks BACKWARD'
        : c.breaks.forward
          ? 'breaks FORWARD'
          : 'compatible';
  const findings = changes.map<Finding>((c) => ({
    level: c.breaks.backward || c.breaks.forward ? 'warning' : 'notice',
    file: paths[1],
    title: `${c.kind} (${breaks(c)})`,
    message: `${c.path || '/'}: ${c.message}`,
  }));
  const human =
    changes.length === 0
      ? ['no changes']
      : changes.map((c) => `${c.kind.padEnd(28)} ${(c.path || '/').padEnd(32)} ${breaks(c)}\n  ${c.message}`);
  print(io, format, 'diff', true, findings, changes, human);
  return EXIT.ok;
}

async function suggestCommand(
  io: CliIo,
  args: string[],
  values: CliValues,
  format: OutputFormat,
): Promise<number> {
  const [schemaPath, payloadPath] = args;
  if (args.length !== 2 || schemaPath === undefined || payloadPath === undefined)
    throw new UsageError('suggest needs <schema> <payload>');
  const cwd = io.cwd ?? process.cwd();
  const schema = await readJsonFile(resolve(cwd, schemaPath), 'schema');
  const payload = await readJsonFile(resolve(cwd, payloadPath), 'payload');
  const compiled = compileNamed(schemaFormatOf(schemaPath, values['schema-format']), schema, schemaPath);
  const s = suggestRecordPatch(compiled, payload, io.now?.() ?? Date.now());
  if (s.ok) {
    const human =
      s.patch.length === 0
        ? [`✓ ${payloadPath} already conforms to ${schemaPath}`]
        : [JSON.stringify(s.patch, null, 2)];
    const findings = s.patch.map<Finding>((o) => ({
      level: 'notice',
      file: payloadPath,
      title: `${o.op} ${o.path}`,
      message: `${o.reason} (confidence ${o.confidence})`,
    }));
    print(io, format, 'suggest', true, findings, s, human);
    return EXIT.ok;
  }
  const findings = s.issues.map<Finding>((i) => ({
    level: 'error',
    file: payloadPath,
    title: 'no fix',
    message: `${i.path || '/'}: ${i.message}`,
  }));
  print(io, format, 'suggest', false, findings, s, [
    `✗ no patch makes ${payloadPath} conform to ${schemaPath}; remaining issues:`,
    ...issueLines(s.issues, '  '),
  ]);
  return EXIT.violations;
}

/** The options of the CLI, for node:util parseArgs. */
const CLI_OPTIONS = {
  samples: { type: 'string', multiple: true },
  mode: { type: 'string' },
  format: { type: 'string' },
  'schema-format': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  subject: { type: 'string' },
  contracts: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

/** Parses the command line; throws parseArgs' error on an unknown or malformed option. */
function parseCli(argv: readonly string[]) {
  return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: CLI_OPTIONS });
}

/** The parsed options, typed from {@link CLI_OPTIONS}. */
type CliValues = ReturnType<typeof parseCli>['values'];

/**
 * Runs the `intelgraph-contracts` CLI with the given arguments and returns its exit code.
 *
 * @example
 * ```ts
 * import { runContractsCli } from '@intelgraph/contracts';
 * const code = await runContractsCli(['check', 'v1.json', 'v2.json', '--mode', 'BACKWARD'], {
 *   stdout: (t) => process.stdout.write(t),
 *   stderr: (t) => process.stderr.write(t),
 * });
 * ```
 */
export async function runContractsCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseCli>;
  try {
    parsed = parseCli(argv);
  } catch (e) {
    io.stderr(`${errorMessage(e)}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  // --samples takes the files after it: `--samples a.json b.json` (and repeated --samples a --samples b).
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    (values.help ? io.stdout : io.stderr)(USAGE);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const format = values.format ?? 'human';
  if (format !== 'human' && format !== 'json' && format !== 'github') {
    io.stderr(`unknown --format ${format}; use human, json or github\n`);
    return EXIT.usage;
  }
  let args = rest;
  const vals: CliValues = { ...values };
  const firstSample = vals.samples?.[0];
  if (command === 'validate' && vals.samples && firstSample !== undefined) {
    // parseArgs gives --samples one value each time; the remaining positionals after the first sample
    // are samples too (so a shell glob works: `validate contracts/*.json --samples samples/*.json`).
    const idx = argv.indexOf(firstSample);
    const afterSamples = rest.filter((p) => argv.indexOf(p) > idx);
    args = rest.filter((p) => argv.indexOf(p) < idx);
    vals.samples = [...vals.samples, ...afterSamples];
  }
  try {
    switch (command) {
      case 'validate':
        return await validateCommand(io, args, vals, format);
      case 'check':
        return await checkCommand(io, args, vals, format);
      case 'diff':
        return await diffCommand(io, args, vals, format);
      case 'suggest':
        return await suggestCommand(io, args, vals, format);
      case 'migrate':
        return await migrateCommand(io, args, vals, format);
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`error: ${e.message}\n`);
      return EXIT.usage;
    }
    if (isIntelGraphError(e, 'INVALID_INPUT')) {
      io.stderr(`error: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
}
