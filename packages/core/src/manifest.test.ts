import { describe, expect, it } from 'vitest';
import { IntelGraphError } from './errors.js';
import { parseManifest, validateManifest } from './manifest.js';

const seed = {
  name: 'sample-enricher',
  version: '0.1.0',
  entry: 'index.js',
  capabilities: { graph: ['read'], cases: ['read', 'write'], network: false },
  budgets: { ms: 800, memoryMB: 256, rows: 50000 },
  permissions: ['use:nl2cypher'],
};

function issuesOf(input: unknown) {
  const r = validateManifest(input);
  if (r.ok) throw new Error('expected the manifest to be rejected');
  return r.issues;
}

describe('plugin manifest', () => {
  it('accepts the original manifest form as is', () => {
    const m = parseManifest(seed);
    expect(m.name).toBe('sample-enricher');
    expect(m.capabilities).toEqual({ graph: ['read'], cases: ['read', 'write'], network: false });
    expect(m.budgets).toEqual({ ms: 800, memoryMB: 256, rows: 50000 });
  });

  it('accepts the extensions: metadata, network allowlist, cpu/output budgets, optional capabilities', () => {
    const m = parseManifest({
      ...seed,
      description: 'Scores entities',
      publisher: 'intelgraph-labs',
      tags: ['enrichment'],
      inputSchema: { subject: 'enricher-input', version: 1 },
      outputSchema: { subject: 'enricher-output' },
      capabilities: { graph: ['read'], network: { allow: ['api.example.com', '*.example.org:443'] } },
      optionalCapabilities: { cases: ['write'] },
      reasons: {
        'cases:write': 'to file findings as a case',
        'net:api.example.com:443': 'to look up registrations',
      },
      budgets: { ms: 800, cpuMs: 200, memoryMB: 64, rows: 10, outputKB: 64 },
    });
    expect(m.capabilities.network).toEqual({ allow: ['api.example.com', '*.example.org:443'] });
    expect(m.budgets.cpuMs).toBe(200);
    expect(m.optionalCapabilities).toEqual({ cases: ['write'] });
  });

  it('applies defaults for missing capabilities and budgets', () => {
    const m = parseManifest({ name: 'x', version: '1.0.0', entry: 'index.js' });
    expect(m.capabilities).toEqual({});
    expect(m.budgets).toEqual({});
  });

  it('reports every issue with its path', () => {
    const issues = issuesOf({ name: 'Bad Name', version: 'one', entry: '../escape.js', budgets: { ms: -1 } });
    const paths = issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['name', 'version', 'entry', 'budgets.ms']));
  });

  it('throws INVALID_INPUT with the issues in details', () => {
    try {
      parseManifest({ ...seed, version: '1' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(IntelGraphError);
      const err = e as IntelGraphError;
      expect(err.code).toBe('INVALID_INPUT');
      expect((err.details.issues as { path: string[] }[])[0]?.path).toEqual(['version']);
    }
  });

  it('rejects hostile shapes: prototype keys, unknown keys, absolute entries, bad scopes', () => {
    expect(
      issuesOf(
        JSON.parse(`{"name":"x","version":"1.0.0","entry":"i.js","capabilities":{"__proto__":["read"]}}`),
      )[0]?.path,
    ).toEqual(['capabilities', '__proto__']);
    expect(issuesOf({ ...seed, extra: 1 })[0]?.code).toBe('unrecognized_keys');
    expect(issuesOf({ ...seed, entry: '/etc/passwd' })[0]?.path).toEqual(['entry']);
    expect(issuesOf({ ...seed, permissions: ['rm -rf'] })[0]?.path).toEqual(['permissions', 0]);
    expect(issuesOf({ ...seed, capabilities: { network: true } })[0]?.path).toEqual([
      'capabilities',
      'network',
    ]);
    expect(issuesOf({ ...seed, capabilities: { graph: ['READ'] } })[0]?.path).toEqual([
      'capabilities',
      'graph',
      0,
    ]);
    expect(issuesOf(null)[0]?.code).toBe('invalid_type');
    expect(issuesOf('manifest')[0]?.code).toBe('invalid_type');
  });
});
