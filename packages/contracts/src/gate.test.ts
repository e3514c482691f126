import { createManualClock } from '@intelgraph/core';
import { describe, expect, it } from 'vitest';
import type { ContractAuditEvent } from './audit-hook.js';
import { createContractGate } from './gate.js';
import { createSchemaRegistry } from './registry.js';

const person = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['id', 'name'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    dob: { type: ['string', 'null'], format: 'date' },
    nickname: { type: 'string', deprecated: true, 'x-deprecation-window': '2026-06-30' },
    legacyId: { type: 'string', deprecated: true },
  },
};

async function setup(mode: 'enforce' | 'warn' | 'off' = 'enforce') {
  const clock = createManualClock(Date.UTC(2026, 3, 1));
  const registry = createSchemaRegistry({ clock });
  await registry.register('person', { format: 'json', schema: person });
  const events: ContractAuditEvent[] = [];
  const gate = createContractGate({
    registry,
    subject: 'person',
    mode,
    edge: 'ingest',
    clock,
    audit: (e) => void events.push(e),
  });
  return { clock, registry, gate, events };
}

describe('contract gate', () => {
  it('accepts a valid batch and audits the decision', async () => {
    const { gate, events } = await setup();
    const d = await gate.checkBatch([
      { id: '1', name: 'Ada' },
      { id: '2', name: 'Bob', dob: '1990-05-17' },
    ]);
    expect(d).toMatchObject({
      ok: true,
      outcome: 'accepted',
      total: 2,
      failed: 0,
      version: 1,
      edge: 'ingest',
    });
    expect(d.values).toEqual([
      { id: '1', name: 'Ada' },
      { id: '2', name: 'Bob', dob: '1990-05-17' },
    ]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'contract.gate.decision',
      subject: 'contract:person',
      data: { outcome: 'accepted', total: 2 },
    });
  });

  it('in enforce mode rejects the whole batch, naming each failing record with every error and a patch', async () => {
    const { gate, events } = await setup();
    const d = await gate.checkBatch([
      { id: '1', name: 'Ada' },
      { id: 2, fullName: 'Bob', dob: '17.05.1990' },
      { name: 'Cy', dob: 'yesterday' },
    ]);
    expect(d.ok).toBe(false);
    expect(d.outcome).toBe('rejected');
    expect(d.values).toEqual([]);
    expect(d.failed).toBe(2);
    expect(d.findings.map((f) => f.index)).toEqual([1, 2]);
    expect(d.findings[0]?.issues.map((i) => `${i.code} ${i.path}`).sort()).toEqual([
      'format /dob',
      'required /name',
      'type /id',
    ]);
    expect(d.findings[0]?.suggestion).toMatchObject({
      ok: true,
      patch: [
        { op: 'move', from: '/fullName', path: '/name' },
        { op: 'replace', path: '/id', value: '2' },
        { op: 'replace', path: '/dob', value: '1990-05-17' },
      ],
    });
    expect(d.findings[1]?.suggestion).toMatchObject({ ok: false });
    expect(events[0]?.data).toMatchObject({ outcome: 'rejected', failed: 2 });
    await expect(gate.enforce([{ id: 1 }])).rejects.toMatchObject({ code: 'CONTRACT_VIOLATION' });
  });

  it('in warn mode lets failing records through and reports them', async () => {
    const { gate } = await setup('warn');
    const d = await gate.checkBatch([{ id: '1' }, { id: '2', name: 'B' }]);
    expect(d).toMatchObject({ ok: true, outcome: 'warned', failed: 1 });
    expect(d.values).toEqual([{ id: '1' }, { id: '2', name: 'B' }]);
  });

  it('in off mode does not validate but still reports the decision', async () => {
    const { gate, events } = await setup('off');
    const d = await gate.check({ anything: true });
    expect(d).toMatchObject({ ok: true, outcome: 'skipped', version: null });
    expect(events[0]?.data).toMatchObject({ outcome: 'skipped' });
  });

  it('warns about deprecated fields, and fails them once the window has ended', async () => {
    const { gate, clock } = await setup();
    const before = await gate.check({ id: '1', name: 'A', nickname: 'Al', legacyId: 'x' });
    expect(before.ok).toBe(true);
    expect(before.findings[0]?.warnings.map((w) => `${w.code} ${w.path}`)).toEqual([
      'deprecated_field /nickname',
      'deprecated_field /legacyId',
    ]);
    clock.set(Date.UTC(2026, 5, 30, 23, 59));
    expect((await gate.check({ id: '1', name: 'A', nickname: 'Al' })).ok).toBe(true);
    clock.set(Date.UTC(2026, 6, 1));
    const after = await gate.check({ id: '1', name: 'A', nickname: 'Al' });
    expect(after.ok).toBe(false);
    expect(after.findings[0]?.issues).toEqual([
      { code: 'deprecated_field_expired', path: '/nickname', message: expect.stringContaining('2026-06-30') },
    ]);
  });

  it('follows the latest version after the refresh interval, or stays on a pinned one', async () => {
    const { registry, gate, clock } = await setup();
    const pinned = createContractGate({
      registry,
      subject: 'person',
      version: 1,
      mode: 'enforce',
      edge: 'export',
      clock,
    });
    expect((await gate.check({ id: '1', name: 'A' })).version).toBe(1);
    await registry.register('person', {
      format: 'json',
      schema: { ...person, properties: { ...person.properties, email: { description: 'e-mail' } } },
    });
    expect((await gate.check({ id: '1', name: 'A' })).version).toBe(1);
    clock.advance(5000);
    expect((await gate.check({ id: '1', name: 'A' })).version).toBe(2);
    expect((await pinned.check({ id: '1', name: 'A' })).version).toBe(1);
  });

  it('fills declared defaults into the passed-on values without touching the input', async () => {
    const registry = createSchemaRegistry();
    await registry.register('c', {
      format: 'json',
      schema: { type: 'object', properties: { n: { type: 'integer', default: 0 } } },
    });
    const gate = createContractGate({ registry, subject: 'c', mode: 'enforce', edge: 'ingest' });
    const input = {};
    const d = await gate.check(input);
    expect(d.values).toEqual([{ n: 0 }]);
    expect(input).toEqual({});
  });

  it('validates Avro payloads', async () => {
    const registry = createSchemaRegistry();
    await registry.register('a', {
      format: 'avro',
      schema: {
        type: 'record',
        name: 'P',
        fields: [
          { name: 'id', type: 'string' },
          { name: 'age', type: ['null', 'int'], default: null },
          { name: 'old', type: ['null', 'string'], default: null, deprecated: true },
        ],
      },
    });
    const gate = createContractGate({ registry, subject: 'a', mode: 'enforce', edge: 'export' });
    expect((await gate.check({ id: 'x', age: 3 })).ok).toBe(true);
    const bad = await gate.check({ id: 'x', age: 'three' });
    expect(bad.findings[0]?.issues[0]).toMatchObject({ path: '/age' });
    expect(bad.findings[0]?.suggestion).toMatchObject({ ok: false });
    const coerced = await gate.check({ id: 'x', age: '3' });
    expect(coerced.findings[0]?.suggestion).toMatchObject({
      ok: true,
      patch: [{ op: 'replace', path: '/age', value: 3 }],
    });
    expect((await gate.check({ id: 'x', old: 'y' })).findings[0]?.warnings[0]).toMatchObject({
      code: 'deprecated_field',
      path: '/old',
    });
  });

  it('refuses hostile input in every mode, and oversized or non-JSON text', async () => {
    const { gate, registry } = await setup('warn');
    const d = await gate.check(JSON.parse('{"id":"1","name":"A","__proto__":{"polluted":true}}'));
    expect(d.ok).toBe(false);
    expect(d.findings[0]?.issues[0]).toMatchObject({ code: 'hostile_input', path: '/__proto__' });
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = { d: deep };
    expect((await gate.check(deep)).ok).toBe(false);
    await expect(gate.checkJson('{"id": ')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(gate.checkJson(`"${'x'.repeat(6 * 1024 * 1024)}"`)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect((await gate.checkJson('[{"id":"1","name":"A"},{"id":"2","name":"B"}]')).total).toBe(2);
    expect(() =>
      createContractGate({ registry, subject: 'person', mode: 'strict' as never, edge: 'ingest' }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('skips screening only where the schema itself rules out hostile keys', async () => {
    const registry = createSchemaRegistry();
    const closed = { type: 'object', additionalProperties: false, properties: { id: { type: 'string' } } };
    await registry.register('closed', { format: 'json', schema: closed });
    expect((await registry.resolve('closed')).compiled.needsScreening).toBe(false);
    await registry.register('avro', {
      format: 'avro',
      schema: { type: 'record', name: 'R', fields: [{ name: 'id', type: 'string' }] },
    });
    expect((await registry.resolve('avro')).compiled.needsScreening).toBe(false);
    await registry.register('map', { format: 'avro', schema: { type: 'map', values: 'string' } });
    expect((await registry.resolve('map')).compiled.needsScreening).toBe(true);
    const gate = createContractGate({ registry, subject: 'closed', mode: 'warn', edge: 'ingest' });
    const d = await gate.check(JSON.parse('{"id":"1","__proto__":{"x":1}}'));
    expect(d.findings[0]?.issues[0]).toMatchObject({ code: 'additionalProperties', path: '/__proto__' });
    const mapGate = createContractGate({ registry, subject: 'map', mode: 'warn', edge: 'ingest' });
    expect((await mapGate.check(JSON.parse('{"__proto__":"x"}'))).ok).toBe(false);
  });

  it('reports each failing record of a large batch at its index', async () => {
    const { gate } = await setup();
    const batch = Array.from({ length: 500 }, (_, i) =>
      i % 100 === 7 ? { id: `${i}` } : { id: `${i}`, name: 'n' },
    );
    const d = await gate.checkBatch(batch);
    expect(d.findings.map((f) => f.index)).toEqual([7, 107, 207, 307, 407]);
    expect(d.findings.filter((f) => f.suggestion).length).toBe(5);
  });

  it('answers NOT_FOUND for an unknown subject', async () => {
    const registry = createSchemaRegistry();
    const gate = createContractGate({ registry, subject: 'nope', mode: 'enforce', edge: 'ingest' });
    await expect(gate.check({})).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
