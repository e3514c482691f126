import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runContractsCli } from './cli-program.js';
import { createContractGate } from './gate.js';
import { createSchemaRegistry } from './registry.js';

const root = join(import.meta.dirname, '..', '..', '..');

const TODAY = Date.parse('2026-12-06T12:00:00Z');

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runContractsCli(argv, {
    now: () => TODAY,
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    cwd: root,
  });
  return { code, out, err };
}

function tmp(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ig-contracts-'));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('intelgraph-contracts CLI', () => {
  it('validate: the golden set passes (valid samples conform, .invalid samples are rejected)', async () => {
    const r = await run(
      'validate',
      'contracts/person.v1.json',
      'contracts/person.v2.json',
      'contracts/person.v3.json',
      'contracts/person-avro.v1.avsc',
      '--samples',
      'contracts/samples/person.v1.valid.json',
      'contracts/samples/person.v1.missing-name.invalid.json',
      'contracts/samples/person.v1.bad-types.invalid.json',
      'contracts/samples/person.v2.valid.json',
      'contracts/samples/person.v3.valid.json',
      'contracts/samples/person.v3.extra-field.invalid.json',
      'contracts/samples/person-avro.v1.valid.json',
      'contracts/samples/person-avro.v1.wrong-type.invalid.json',
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('ok: 4 schema(s), 8 sample file(s)');
  });

  it('validate: a violating sample exits 1 with every error path; github format prints annotations', async () => {
    const bad = tmp('person.v1.feed.json', JSON.stringify([{ id: 1 }, { id: 'ok', name: 'A' }]));
    const human = await run('validate', 'contracts/person.v1.json', '--samples', bad);
    expect(human.code).toBe(1);
    expect(human.out).toContain('record 0:');
    expect(human.out).toMatch(/\/id .*must be string/);
    expect(human.out).toContain('/name  /name is required');
    const gh = await run('validate', 'contracts/person.v1.json', '--samples', bad, '--format', 'github');
    expect(gh.code).toBe(1);
    expect(gh.out.split('\n').filter((l) => l.startsWith('::error file='))).toHaveLength(2);
    const json = await run('validate', 'contracts/person.v1.json', '--samples', bad, '--format', 'json');
    expect(JSON.parse(json.out)).toMatchObject({ command: 'validate', ok: false, result: { failures: 1 } });
  });

  it('validate: a golden failing sample that passes is a violation', async () => {
    const wrong = tmp('person.v1.oops.invalid.json', JSON.stringify({ id: 'a', name: 'b' }));
    const r = await run('validate', 'contracts/person.v1.json', '--samples', wrong);
    expect(r.code).toBe(1);
    expect(r.out).toContain('expected to be rejected');
  });

  it('check: compatible exits 0, incompatible exits 1 listing every issue', async () => {
    expect(
      (await run('check', 'contracts/person.v1.json', 'contracts/person.v2.json', '--mode', 'BACKWARD')).code,
    ).toBe(0);
    const r = await run(
      'check',
      'contracts/person.v2.json',
      'contracts/person.v3.json',
      '--mode',
      'BACKWARD',
      '--format',
      'json',
    );
    expect(r.code).toBe(1);
    const body = JSON.parse(r.out) as { result: { issues: { code: string }[] } };
    expect(body.result.issues.map((i) => i.code)).toEqual(
      expect.arrayContaining([
        'backward/content-model-closed',
        'backward/required-added',
        'backward/property-removed',
      ]),
    );
    expect(
      (
        await run(
          'check',
          'contracts/person-avro.v1.avsc',
          'contracts/person-avro.v2.avsc',
          '--mode',
          'FULL_TRANSITIVE',
        )
      ).code,
    ).toBe(0);
  });

  it('diff: prints the typed change list and exits 0', async () => {
    const r = await run('diff', 'contracts/person.v1.json', 'contracts/person.v2.json', '--format', 'json');
    expect(r.code).toBe(0);
    const kinds = (JSON.parse(r.out) as { result: { kind: string }[] }).result.map((c) => c.kind);
    expect(kinds).toEqual(expect.arrayContaining(['deprecated', 'property-added']));
    const human = await run('diff', 'contracts/person.v1.json', 'contracts/person.v3.json');
    expect(human.out).toContain('breaks BACKWARD');
  });

  it('suggest: prints a patch that fixes the payload, exit 1 when none does', async () => {
    const r = await run(
      'suggest',
      'contracts/person.v1.json',
      'contracts/samples/person.v1.missing-name.invalid.json',
      '--format',
      'json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).result.patch).toEqual([
      expect.objectContaining({ op: 'move', from: '/fullName', path: '/name' }),
    ]);
    const hopeless = tmp('p.json', JSON.stringify({ id: 'x', name: { first: 'A' } }));
    expect((await run('suggest', 'contracts/person.v1.json', hopeless)).code).toBe(1);
  });

  it('bad usage and unreadable input exit 2 with a clear reason', async () => {
    expect((await run()).code).toBe(2);
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run('check', 'contracts/person.v1.json', 'contracts/person.v2.json')).err).toContain(
      'needs --mode',
    );
    expect((await run('diff', 'contracts/person.v1.json', '--bogus')).code).toBe(2);
    const notJson = tmp('schema.json', 'type: object\n');
    const r = await run('diff', notJson, 'contracts/person.v1.json');
    expect(r.code).toBe(2);
    expect(r.err).toContain('is not valid JSON');
    const missing = await run('diff', 'contracts/nope.json', 'contracts/person.v1.json');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('cannot read');
    const huge = tmp('huge.json', `"${'x'.repeat(6 * 1024 * 1024)}"`);
    expect((await run('suggest', 'contracts/person.v1.json', huge)).err).toContain('too large');
    const badSchema = tmp('bad.json', JSON.stringify({ type: 'strin' }));
    const bad = await run('check', badSchema, 'contracts/person.v1.json', '--mode', 'NONE');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(badSchema);
    expect(bad.err).toContain('invalid JSON Schema');
    expect((await run('suggest', badSchema, 'contracts/person.v1.json')).err).toContain(badSchema);
    expect((await run('validate', badSchema)).code).toBe(1);
    const warnSchema = tmp('warn.json', JSON.stringify({ type: 'string', format: 'nope' }));
    const warned = await run('validate', warnSchema);
    expect(warned.code).toBe(0);
    expect(warned.out).toContain('unknown format "nope"');
    expect((await run('--help')).code).toBe(0);
  });

  it('validate decides like the runtime gate: an expired deprecation fails with a patch, an open one warns', async () => {
    const schema = {
      type: 'object',
      required: ['id'],
      properties: {
        id: { type: 'string' },
        birthDate: { type: 'string' },
        dob: {
          type: 'string',
          deprecated: true,
          'x-deprecation-window': '2026-01-31',
          'x-replaced-by': 'birthDate',
        },
        nick: { type: 'string', deprecated: true, 'x-deprecation-window': '2027-06-30' },
      },
    };
    const schemaPath = tmp('person.json', JSON.stringify(schema));
    const sample = tmp('person.sample.json', JSON.stringify({ id: 'p1', dob: '1990-01-01', nick: 'A' }));
    const r = await run('validate', schemaPath, '--samples', sample);
    expect(r.code).toBe(1);
    expect(r.out).toContain('deprecated_field_expired');
    expect(r.out).toContain('deprecated_field]');
    expect(r.out).toContain('"op":"move","from":"/dob","path":"/birthDate"');

    const registry = createSchemaRegistry();
    await registry.register('person', { format: 'json', schema });
    const gate = createContractGate({
      registry,
      subject: 'person',
      mode: 'enforce',
      edge: 'ingest',
      clock: { now: () => TODAY },
    });
    const decision = await gate.check({ id: 'p1', dob: '1990-01-01', nick: 'A' });
    expect(decision.ok).toBe(false);
    const finding = decision.findings[0];
    expect(finding?.issues.map((i) => i.code)).toEqual(['deprecated_field_expired']);
    expect(finding?.warnings.map((i) => i.code)).toEqual(['deprecated_field']);
    expect(finding?.suggestion).toMatchObject({
      ok: true,
      patch: [{ op: 'move', from: '/dob', path: '/birthDate' }],
    });

    const open = await run(
      'validate',
      schemaPath,
      '--samples',
      tmp('person.ok.json', JSON.stringify({ id: 'p1', nick: 'A' })),
    );
    expect(open.code).toBe(0);
    expect(open.out).toContain('⚠');
    const gh = await run('validate', schemaPath, '--samples', sample, '--format', 'github');
    expect(gh.out).toContain('::warning');
    expect(gh.out).toContain('::error');
  });

  it('migrate: moves records between versions along the golden rules, and names a missing step', async () => {
    const up = await run(
      'migrate',
      '--from',
      '1',
      '--to',
      '2',
      'contracts/samples/person.v1.valid.json',
      '--format',
      'json',
    );
    expect(up.code).toBe(0);
    const records = JSON.parse(up.out) as Record<string, unknown>[];
    expect(records[0]).toEqual({ id: 'p-1', name: 'Ada Lovelace', birthDate: '1815-12-10' });
    expect(records.every((r) => !('dob' in r))).toBe(true);
    const back = await run(
      'migrate',
      '--from',
      '2',
      '--to',
      '1',
      tmp('person.v2.json', JSON.stringify(records)),
      '--contracts',
      join(root, 'contracts'),
    );
    expect(back.code).toBe(0);
    expect(back.out).toContain('"dob": "1815-12-10"');
    const missing = await run(
      'migrate',
      '--from',
      '1',
      '--to',
      '3',
      'contracts/samples/person.v1.valid.json',
    );
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no migration from version 2 to 3');
    expect(
      (await run('migrate', '--from', 'x', '--to', '2', 'contracts/samples/person.v1.valid.json')).code,
    ).toBe(2);
  });
});
