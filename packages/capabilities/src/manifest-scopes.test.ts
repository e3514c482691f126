import { parseManifest } from '@intelgraph/core';
import { describe, expect, it } from 'vitest';
import { manifestScopes } from './manifest-scopes.js';

describe('manifestScopes', () => {
  it('maps the original manifest form: capability lists, network false and permissions', () => {
    const m = parseManifest({
      name: 'sample-enricher',
      version: '0.1.0',
      entry: 'index.js',
      capabilities: { graph: ['read'], cases: ['read', 'write'], network: false },
      budgets: { ms: 800, memoryMB: 256, rows: 50000 },
      permissions: ['use:nl2cypher'],
    });
    expect(manifestScopes(m)).toEqual({
      required: ['cases:read', 'cases:write', 'graph:read', 'use:nl2cypher'],
      optional: [],
    });
  });

  it('maps network allowlists to net: scopes and keeps optional ones apart', () => {
    const m = parseManifest({
      name: 'x',
      version: '1.0.0',
      entry: 'i.js',
      capabilities: { graph: ['read'], network: { allow: ['api.example.com', '*.example.org:443'] } },
      optionalCapabilities: { cases: ['write'], graph: ['read'], network: { allow: ['extra.example.net'] } },
    });
    expect(manifestScopes(m)).toEqual({
      required: ['graph:read', 'net:*.example.org:443', 'net:api.example.com'],
      optional: ['cases:write', 'net:extra.example.net'],
    });
  });

  it('gives nothing for an empty manifest (deny by default)', () => {
    expect(manifestScopes(parseManifest({ name: 'x', version: '1.0.0', entry: 'i.js' }))).toEqual({
      required: [],
      optional: [],
    });
  });
});
