import { describe, expect, it } from 'vitest';
import { anyScopeCovers, isScope, parseScope, ScopeSchema, scopeCovers } from './scope.js';

describe('scopes', () => {
  it('parses resource:action and network scopes with optional wildcard and port', () => {
    expect(parseScope('graph:read')).toEqual({ text: 'graph:read', resource: 'graph', action: 'read' });
    expect(parseScope('net:*.example.org:443')).toEqual({
      text: 'net:*.example.org:443',
      resource: 'net',
      action: '*.example.org',
      port: 443,
    });
    expect(ScopeSchema.parse('Graph:Read')).toBe('graph:read');
  });

  it('rejects malformed scopes with INVALID_INPUT', () => {
    for (const bad of [
      'graph',
      ':read',
      'graph:',
      '__proto__:x',
      'net:a..b',
      'net:host:0',
      'net:host:70000',
      'a:b c',
      'x'.repeat(400),
    ]) {
      expect(isScope(bad), bad).toBe(false);
    }
    expect(() => parseScope('nope')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(isScope(42)).toBe(false);
  });

  it('covers exactly, by action wildcard, by subdomain wildcard and by port', () => {
    expect(scopeCovers('graph:read', 'graph:read')).toBe(true);
    expect(scopeCovers('graph:read', 'graph:write')).toBe(false);
    expect(scopeCovers('graph:*', 'graph:write')).toBe(true);
    expect(scopeCovers('graph:*', 'cases:read')).toBe(false);
    expect(scopeCovers('net:*.example.org', 'net:api.example.org')).toBe(true);
    expect(scopeCovers('net:*.example.org', 'net:a.b.example.org:8443')).toBe(true);
    expect(scopeCovers('net:*.example.org', 'net:example.org')).toBe(false);
    expect(scopeCovers('net:*.example.org', 'net:evilexample.org')).toBe(false);
    expect(scopeCovers('net:api.example.com:443', 'net:api.example.com:443')).toBe(true);
    expect(scopeCovers('net:api.example.com:443', 'net:api.example.com:80')).toBe(false);
    expect(scopeCovers('net:api.example.com', 'net:api.example.com:8080')).toBe(true);
    expect(scopeCovers('bad', 'bad')).toBe(false);
    expect(anyScopeCovers(['graph:read', 'cases:*'], 'cases:write')).toBe(true);
    expect(anyScopeCovers([], 'cases:write')).toBe(false);
  });
});
