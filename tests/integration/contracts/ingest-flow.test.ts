import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createPgSchemaRegistryStore } from '@intelgraph/adapters/postgres';
import {
  applyMappingPatch,
  auditTrailHook,
  createContractGate,
  createSchemaRegistry,
  type MappingPatchOperation,
} from '@intelgraph/contracts';
import {
  createAuditTrail,
  createManualClock,
  createMemoryAuditStore,
  isIntelGraphError,
} from '@intelgraph/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqlBackends } from '../../support/sql.js';

const root = join(import.meta.dirname, '..', '..', '..');
const personV1 = JSON.parse(readFileSync(join(root, 'contracts', 'person.v1.json'), 'utf8')) as unknown;
const personV2 = JSON.parse(readFileSync(join(root, 'contracts', 'person.v2.json'), 'utf8')) as unknown;

describe.each(sqlBackends())('ingest under a contract on $name: blocked, patched, passed', ({ open }) => {
  // Opening a backend (PGlite compiles WASM) belongs in a hook, which has the longer hook timeout.
  let opened: Awaited<ReturnType<typeof open>>;
  beforeEach(async () => {
    opened = await open();
  });
  afterEach(async () => {
    await opened.close();
  });

  it('is blocked by a violation, fixed by the mapping patch, and then proceeds', async () => {
    const { db } = opened;
    const clock = createManualClock(Date.UTC(2026, 3, 1));
    const trail = createAuditTrail({ store: createMemoryAuditStore(), clock });
    const audit = auditTrailHook(trail, { actor: { userId: 'ingest-bot', orgId: 'acme' }, orgId: 'acme' });
    const registry = createSchemaRegistry({ store: createPgSchemaRegistryStore(db), clock, audit });
    await registry.register('person', { format: 'json', schema: personV1 });
    await registry.register('person', { format: 'json', schema: personV2 });
    const gate = createContractGate({
      registry,
      subject: 'person',
      mode: 'enforce',
      edge: 'ingest',
      audit,
      clock,
    });

    const written: unknown[] = [];
    const ingest = async (records: unknown[]) => {
      written.push(...(await gate.enforce(records)));
    };
    const feed = [
      { id: 'p-1', name: 'Ada Lovelace', dob: '1815-12-10' },
      { id: 2, full_name: 'Alan Turing', dob: '23.06.1912' },
    ];

    // 1. Blocked: nothing is written, the answer names the record, every error and a patch.
    let violation: unknown;
    await ingest(feed).catch((e: unknown) => {
      violation = e;
    });
    expect(isIntelGraphError(violation, 'CONTRACT_VIOLATION')).toBe(true);
    expect(written).toEqual([]);
    const decision = (violation as { details: { decision: Awaited<ReturnType<typeof gate.checkBatch>> } })
      .details.decision;
    expect(decision.version).toBe(2);
    const finding = decision.findings.find((f) => f.index === 1);
    expect(finding?.issues.map((i) => i.path).sort()).toEqual(['/dob', '/id', '/name']);
    expect(finding?.warnings.map((w) => w.code)).toEqual(['deprecated_field']);
    const suggestion = finding?.suggestion;
    expect(suggestion?.ok).toBe(true);
    const patch = (suggestion as { patch: MappingPatchOperation[] }).patch;

    // 2. Fix: apply the patch and re-validate in one call (the contract test).
    const fixed = applyMappingPatch((await registry.resolve('person')).compiled, feed[1], patch);
    expect(fixed).toEqual({ ok: true, value: { id: '2', name: 'Alan Turing', dob: '1912-06-23' } });

    // 3. Proceeds.
    await ingest([feed[0], fixed.ok ? fixed.value : null]);
    expect(written).toHaveLength(2);

    const events = await trail.list();
    expect(
      events
        .filter((e) => e.type === 'contract.gate.decision')
        .map((e) => (e.data as { outcome: string }).outcome),
    ).toEqual(['rejected', 'warned']); // accepted, with warnings: both records still use the deprecated dob
    expect((await trail.verify()).ok).toBe(true);
  });
});

describe('intelgraph-contracts as a process', () => {
  const run = promisify(execFile);
  const cli = async (...args: string[]) => {
    try {
      const r = await run(
        process.execPath,
        ['--conditions=@intelgraph/source', '--import', 'tsx', 'packages/contracts/src/cli.ts', ...args],
        { cwd: root },
      );
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };

  it('exits 0, 1 and 2 as documented', async () => {
    const ok = await cli(
      'validate',
      'contracts/person.v1.json',
      '--samples',
      'contracts/samples/person.v1.valid.json',
      'contracts/samples/person.v1.missing-name.invalid.json',
    );
    expect(ok.code).toBe(0);
    const incompatible = await cli(
      'check',
      'contracts/person.v2.json',
      'contracts/person.v3.json',
      '--mode',
      'BACKWARD',
      '--format',
      'github',
    );
    expect(incompatible.code).toBe(1);
    expect(incompatible.stdout).toMatch(/^::error file=contracts\/person\.v3\.json,title=BACKWARD /m);
    const usage = await cli('check', 'contracts/person.v1.json');
    expect(usage.code).toBe(2);
  });
});
