import {
  createAuditTrail,
  createManualClock,
  createMemoryAuditStore,
  isIntelGraphError,
} from '@intelgraph/core';
import { describe, expect, it } from 'vitest';
import { auditTrailHook } from './audit-hook.js';
import { createContractCache } from './compiled-contract.js';
import { createSchemaRegistry } from './registry.js';

const v1 = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['id', 'name'],
  properties: { id: { type: 'string' }, name: { type: 'string' } },
};
const v2 = { ...v1, properties: { ...v1.properties, email: { type: 'string', format: 'email' } } };
const v2closedIncompatible = { ...v1, required: ['id', 'name', 'email'], properties: v2.properties };

async function rejects(p: Promise<unknown>, code: string): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    expect(isIntelGraphError(e, code as never)).toBe(true);
    return (e as { details: Record<string, unknown> }).details;
  }
  throw new Error(`expected ${code}`);
}

describe('schema registry', () => {
  it('registers versions 1..n, returns the latest and a given version', async () => {
    const clock = createManualClock(Date.UTC(2026, 3, 1));
    const registry = createSchemaRegistry({ clock });
    const r1 = await registry.register('person', { format: 'json', schema: v1 });
    expect(r1).toMatchObject({
      subject: 'person',
      version: 1,
      format: 'json',
      created: true,
      deletedAt: null,
    });
    expect(r1.createdAt).toBe('2026-04-01T00:00:00.000Z');
    await registry.setCompatibility('NONE', 'person');
    const r2 = await registry.register('person', { format: 'json', schema: v2 });
    expect(r2.version).toBe(2);
    expect((await registry.getLatest('person')).version).toBe(2);
    expect((await registry.getVersion('person', 1)).schema).toEqual(v1);
    expect(await registry.listSubjects()).toEqual(['person']);
    expect((await registry.listVersions('person')).map((r) => r.version)).toEqual([1, 2]);
  });

  it('is idempotent for a schema identical to a live version (key order does not matter)', async () => {
    const registry = createSchemaRegistry();
    await registry.register('person', { format: 'json', schema: v1 });
    const again = await registry.register('person', {
      format: 'json',
      schema: { properties: v1.properties, required: v1.required, type: 'object', $schema: v1.$schema },
    });
    expect(again).toMatchObject({ version: 1, created: false });
  });

  it('rejects an incompatible schema with SCHEMA_INCOMPATIBLE listing every issue (default BACKWARD)', async () => {
    const registry = createSchemaRegistry();
    await registry.register('person', { format: 'json', schema: v1 });
    expect(await registry.getCompatibility('person')).toBe('BACKWARD');
    const details = await rejects(
      registry.register('person', { format: 'json', schema: v2closedIncompatible }),
      'SCHEMA_INCOMPATIBLE',
    );
    expect(details.mode).toBe('BACKWARD');
    expect((details.issues as { code: string }[]).map((i) => i.code).sort()).toEqual([
      'backward/property-added',
      'backward/required-added',
    ]);
    expect((await registry.listVersions('person')).length).toBe(1);
  });

  it('honours per-subject modes over the registry-wide one', async () => {
    const registry = createSchemaRegistry({ defaultCompatibility: 'FULL' });
    await registry.setCompatibility('FORWARD');
    expect(await registry.getCompatibility()).toBe('FORWARD');
    await registry.setCompatibility('NONE', 'a');
    expect(await registry.getCompatibility('a')).toBe('NONE');
    expect(await registry.getCompatibility('b')).toBe('FORWARD');
    await registry.setCompatibility(null);
    expect(await registry.getCompatibility('b')).toBe('FULL');
    await expect(registry.setCompatibility('SIDEWAYS' as never, 'a')).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('soft-deletes without ever reusing a version number, and ignores deleted versions for compatibility', async () => {
    const registry = createSchemaRegistry();
    await registry.register('s', { format: 'json', schema: { type: 'string' } });
    await registry.register('s', { format: 'json', schema: { type: ['string', 'null'] } });
    const deleted = await registry.deleteVersion('s', 2);
    expect(deleted.deletedAt).not.toBeNull();
    await rejects(registry.getVersion('s', 2), 'NOT_FOUND');
    expect((await registry.getVersion('s', 2, { includeDeleted: true })).version).toBe(2);
    expect((await registry.getLatest('s')).version).toBe(1);
    const r3 = await registry.register('s', { format: 'json', schema: { type: ['string', 'integer'] } });
    expect(r3.version).toBe(3);
    await rejects(registry.deleteVersion('s', 2), 'NOT_FOUND');
    await registry.deleteVersion('s', 1);
    await registry.deleteVersion('s', 3);
    await rejects(registry.getLatest('s'), 'NOT_FOUND');
    expect(await registry.listSubjects()).toEqual([]);
    expect((await registry.register('s', { format: 'json', schema: { type: 'boolean' } })).version).toBe(4);
  });

  it('transitive modes check every live version', async () => {
    const registry = createSchemaRegistry();
    await registry.setCompatibility('NONE', 'p');
    await registry.register('p', {
      format: 'json',
      schema: { type: 'object', properties: { a: { type: 'integer' } } },
    });
    await registry.register('p', {
      format: 'json',
      schema: { type: 'object', properties: { a: { type: 'string' } } },
    });
    await registry.register('p', {
      format: 'json',
      schema: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
    });
    const next = { type: 'object', properties: { a: { type: ['string', 'null'] } }, required: ['a'] };
    await registry.setCompatibility('BACKWARD', 'p');
    expect(await registry.testCompatibility('p', { format: 'json', schema: next })).toEqual({
      compatible: true,
      issues: [],
    });
    await registry.setCompatibility('BACKWARD_TRANSITIVE', 'p');
    const r = await registry.testCompatibility('p', { format: 'json', schema: next });
    // v3 alone accepts it; v2 (a optional) and v1 (a integer) do not.
    expect([...new Set(r.issues.map((i) => i.version))]).toEqual([1, 2]);
    const details = await rejects(
      registry.register('p', { format: 'json', schema: next }),
      'SCHEMA_INCOMPATIBLE',
    );
    expect((details.issues as { path: string }[]).map((i) => i.path)).toContain('/properties/a/type');
  });

  it('refuses to mix formats in one subject', async () => {
    const registry = createSchemaRegistry();
    await registry.register('x', { format: 'json', schema: { type: 'string' } });
    const details = await rejects(
      registry.register('x', { format: 'avro', schema: 'string' }),
      'SCHEMA_INCOMPATIBLE',
    );
    expect((details.issues as { code: string }[])[0]?.code).toBe('format-changed');
  });

  it('rejects bad subjects, versions, formats and schemas with INVALID_INPUT', async () => {
    const registry = createSchemaRegistry();
    await rejects(registry.register('../etc', { format: 'json', schema: {} }), 'INVALID_INPUT');
    await rejects(registry.register('ok', { format: 'xml' as never, schema: {} }), 'INVALID_INPUT');
    await rejects(registry.register('ok', { format: 'json', schema: { type: 'strng' } }), 'INVALID_INPUT');
    await rejects(registry.register('ok', { format: 'json', schema: '{"type":"string"}' }), 'INVALID_INPUT');
    await rejects(
      registry.register('ok', { format: 'json', schema: { $ref: 'https://example.com/remote.json' } }),
      'INVALID_INPUT',
    );
    await rejects(
      registry.register('ok', { format: 'json', schema: JSON.parse('{"__proto__":{"x":1}}') }),
      'INVALID_INPUT',
    );
    await rejects(
      registry.register('ok', { format: 'json', schema: { description: 'x'.repeat(2 * 1024 * 1024) } }),
      'INVALID_INPUT',
    );
    await rejects(
      registry.register('ok', { format: 'avro', schema: { type: 'record', name: 'R' } }),
      'INVALID_INPUT',
    );
    await rejects(
      registry.register('ok', { format: 'avro', schema: { type: 'record', fields: [] } }),
      'INVALID_INPUT',
    );
    await rejects(registry.register('ok', { format: 'avro', schema: '{"type":"int"}' }), 'INVALID_INPUT');
    await rejects(registry.getVersion('ok', 0), 'INVALID_INPUT');
    expect(await registry.listSubjects()).toEqual([]);
  });

  it('accepts what the JSON Schema draft accepts and keeps strict-mode findings as warnings', async () => {
    const registry = createSchemaRegistry();
    const cases: [string, unknown, string][] = [
      ['fmt', { type: 'string', format: 'no-such-format' }, 'unknown format "no-such-format"'],
      ['connect', { type: 'integer', 'connect.type': 'int16' }, 'unknown keyword: "connect.type"'],
      ['items', { type: 'array', additionalItems: false }, 'additionalItems'],
    ];
    for (const [subject, schema, warning] of cases) {
      const r = await registry.register(subject, { format: 'json', schema });
      expect(r.created).toBe(true);
      expect(r.warnings.join('\n')).toContain(warning);
      expect((await registry.resolve(subject)).compiled.warnings).toEqual(r.warnings);
    }
    const branchDefault = { oneOf: [{ type: 'string', default: 'x' }, { type: 'null' }] };
    expect(
      (await registry.register('branch-default', { format: 'json', schema: branchDefault })).created,
    ).toBe(true);
    expect((await registry.validate('fmt', 'anything')).ok).toBe(true);
    expect((await registry.validate('connect', 3)).ok).toBe(true);
    expect(
      (await registry.register('plain', { format: 'json', schema: { type: 'string' } })).warnings,
    ).toEqual([]);
  });

  it('compiles each schema once and serves the compiled contract from cache', async () => {
    const cache = createContractCache();
    const registry = createSchemaRegistry({ cache });
    await registry.register('person', { format: 'json', schema: v1 });
    const a = await registry.resolve('person');
    const b = await registry.resolve('person', 1);
    expect(a.compiled).toBe(b.compiled);
    expect(cache.size).toBe(1);
    expect(await registry.validate('person', { id: 'p1', name: 'Ada' })).toEqual({
      ok: true,
      value: { id: 'p1', name: 'Ada' },
    });
    expect(await registry.validate('person', { id: 'p1' })).toMatchObject({
      ok: false,
      issues: [{ code: 'required', path: '/name' }],
    });
  });

  it('audits registrations, deletions and mode changes into a verifiable chain', async () => {
    const trail = createAuditTrail({ store: createMemoryAuditStore(), clock: createManualClock() });
    const registry = createSchemaRegistry({ audit: auditTrailHook(trail, { orgId: 'acme' }) });
    await registry.register('person', { format: 'json', schema: v1 });
    await registry.setCompatibility('FULL', 'person');
    await registry.deleteVersion('person', 1);
    const events = await trail.list();
    expect(events.map((e) => e.type)).toEqual([
      'contract.schema.registered',
      'contract.compatibility.set',
      'contract.schema.deleted',
    ]);
    expect(events[0]?.subject).toBe('contract:person');
    expect((await trail.verify()).ok).toBe(true);
  });

  it('keeps versions unique when registrations race', async () => {
    const registry = createSchemaRegistry();
    await registry.setCompatibility('NONE', 'race');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        registry.register('race', { format: 'json', schema: { type: 'string', maxLength: i + 1 } }),
      ),
    );
    expect(results.map((r) => r.version).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
