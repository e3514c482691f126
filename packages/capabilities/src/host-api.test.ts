import type { HostCallRecord } from '@intelgraph/core';
import { IntelGraphError, parseManifest } from '@intelgraph/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineHostApi, hostMethod, scopeHostApi } from './host-api.js';
import { manifestScopes } from './manifest-scopes.js';
import { anyScopeCovers } from './scope.js';

const rows = [
  { id: 'e1', name: 'Acme' },
  { id: 'e2', name: 'Globex' },
];

function hostApi() {
  return defineHostApi({
    graph: {
      search: hostMethod({
        scope: 'graph:read',
        input: z.object({ q: z.string(), limit: z.number().int().positive().max(100) }).strict(),
        handler: async ({ limit }, ctx) => rows.slice(0, Math.min(limit, ctx.rowsRemaining)),
      }),
      merge: { scope: 'graph:write', handler: async () => ({ merged: true }) },
    },
    cases: {
      get: { scope: 'cases:read', handler: async (input: { id: string }) => ({ id: input.id }) },
      create: { scope: 'cases:write', handler: async () => null },
      whoami: { scope: 'cases:read', handler: async (_: unknown, ctx) => ctx.context.orgId },
      boom: {
        scope: 'cases:read',
        handler: async () => {
          throw new Error('connection string postgres://secret@db');
        },
      },
    },
  });
}

describe('defineHostApi', () => {
  it('lists methods with their scopes', () => {
    expect(hostApi().methods.map((m) => `${m.path}=${m.scope}`)).toEqual([
      'cases.boom=cases:read',
      'cases.create=cases:write',
      'cases.get=cases:read',
      'cases.whoami=cases:read',
      'graph.merge=graph:write',
      'graph.search=graph:read',
    ]);
  });

  it('refuses dangerous names, bad scopes and missing handlers at definition time', () => {
    const h = async () => 1;
    expect(() => defineHostApi(JSON.parse('{"graph":{"then":{"scope":"graph:read"}}}'))).toThrow(
      /not allowed/,
    );
    expect(() => defineHostApi(JSON.parse('{"__proto__":{}}'))).toThrow(/not allowed/);
    expect(() => defineHostApi({ constructor: { x: { scope: 'graph:read', handler: h } } })).toThrow(
      /not allowed/,
    );
    expect(() => defineHostApi({ graph: { search: { scope: 'graph', handler: h } } })).toThrow(/not a scope/);
    expect(() => defineHostApi({ graph: { search: { scope: 'graph:read' } as never } })).toThrow(
      /no handler/,
    );
  });
});

describe('scopeHostApi', () => {
  it('exposes only granted methods; others are absent and denied', async () => {
    const api = scopeHostApi(hostApi(), ['graph:read']);
    expect(api.methods).toEqual(['graph.search']);
    expect(api.has('graph.merge')).toBe(false);
    await expect(api.call('graph.merge', {})).rejects.toMatchObject({ code: 'CAPABILITY_DENIED' });
    await expect(api.call('__proto__.x', {})).rejects.toMatchObject({ code: 'CAPABILITY_DENIED' });
    const client = api.client();
    expect(Object.keys(client)).toEqual(['graph']);
    expect(Object.keys(client.graph ?? {})).toEqual(['search']);
    expect(Object.getPrototypeOf(client)).toBe(null);
  });

  it('a wildcard grant shows every action of the resource', () => {
    expect(scopeHostApi(hostApi(), ['cases:*']).methods).toEqual([
      'cases.boom',
      'cases.create',
      'cases.get',
      'cases.whoami',
    ]);
  });

  it('records scope, method, rows, ms and outcome of every call', async () => {
    let t = 0;
    const api = scopeHostApi(hostApi(), ['graph:read', 'cases:read'], {
      now: () => (t += 5),
      context: { orgId: 'acme' },
    });
    const calls: HostCallRecord[] = [];
    const onCall = (c: HostCallRecord) => calls.push(c);
    expect(await api.call('graph.search', { q: 'a', limit: 10 }, { onCall, rowsRemaining: 1 })).toEqual([
      rows[0],
    ]);
    expect(await api.call('cases.get', { id: 'c1' }, { onCall })).toEqual({ id: 'c1' });
    expect(await api.call('cases.whoami', undefined, { onCall })).toBe('acme');
    await expect(api.call('graph.search', { q: 1 }, { onCall })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(calls).toEqual([
      { scope: 'graph:read', method: 'graph.search', rows: 1, ms: 5, ok: true },
      { scope: 'cases:read', method: 'cases.get', rows: 1, ms: 5, ok: true },
      { scope: 'cases:read', method: 'cases.whoami', rows: 1, ms: 5, ok: true },
      { scope: 'graph:read', method: 'graph.search', rows: 0, ms: 5, ok: false, error: 'INVALID_INPUT' },
    ]);
  });

  it('refuses prototype keys in arguments and hides host error details', async () => {
    const api = scopeHostApi(hostApi(), ['cases:read']);
    await expect(
      api.call('cases.get', JSON.parse('{"id":"x","__proto__":{"polluted":true}}')),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const err = await api.call('cases.boom', {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INTERNAL', message: 'host method cases.boom failed' });
    expect(String((err as Error).message)).not.toContain('secret');
  });

  it('refuses calls once the run is aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(
      scopeHostApi(hostApi(), ['cases:read']).call('cases.get', { id: 'x' }, { signal: ac.signal }),
    ).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
  });

  it('property: for random manifests and grants, the visible surface is exactly the granted scopes', () => {
    const api = hostApi();
    const actions = fc.subarray(['read', 'write']);
    fc.assert(
      fc.property(
        fc.record({ graph: actions, cases: actions, extra: actions }),
        fc.record({ graph: actions, cases: actions }),
        fc.array(
          fc.constantFrom(
            'graph:read',
            'graph:write',
            'cases:read',
            'cases:write',
            'graph:*',
            'cases:*',
            'use:x',
          ),
          { maxLength: 6 },
        ),
        (caps, optional, extraGrants) => {
          const { required, optional: opt } = manifestScopes(
            parseManifest({
              name: 'p',
              version: '1.0.0',
              entry: 'i.js',
              capabilities: caps,
              optionalCapabilities: optional,
            }),
          );
          // Grant every required scope, a seed-chosen part of the optional ones, and some extra grants.
          const granted = [...required, ...opt.filter((_, i) => i % 2 === 0), ...extraGrants];
          const scoped = scopeHostApi(api, granted);
          const expected = api.methods.filter((m) => anyScopeCovers(granted, m.scope)).map((m) => m.path);
          expect(scoped.methods).toEqual(expected);
          for (const m of api.methods) {
            const grantedExactly = granted.some((g) => g === m.scope || g === `${m.scope.split(':')[0]}:*`);
            expect(scoped.has(m.path)).toBe(grantedExactly);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('scopeHostApi: a run-level signal and a per-call guard', () => {
  it('refuses every call once the run is aborted, with the abort reason, and before the handler', async () => {
    const run = new AbortController();
    let handled = 0;
    const api = scopeHostApi(
      defineHostApi({
        graph: { search: { scope: 'graph:read', handler: async () => ++handled } },
      }),
      ['graph:read'],
      { signal: run.signal },
    );
    expect(await api.call('graph.search', {})).toBe(1);
    run.abort(new IntelGraphError('KILL_SWITCH', 'stopped by the kill switch'));
    const calls: HostCallRecord[] = [];
    await expect(api.call('graph.search', {}, { onCall: (c) => calls.push(c) })).rejects.toMatchObject({
      code: 'KILL_SWITCH',
    });
    expect(handled).toBe(1);
    expect(calls).toMatchObject([{ method: 'graph.search', ok: false, error: 'KILL_SWITCH' }]);
  });

  it('runs the guard before each call; a guard that throws refuses the call', async () => {
    let allow = true;
    const seen: string[] = [];
    const api = scopeHostApi(hostApi(), ['graph:read'], {
      beforeCall: (path) => {
        seen.push(path);
        if (!allow) throw new IntelGraphError('CAPABILITY_DENIED', 'grant revoked');
      },
    });
    await api.call('graph.search', { q: 'a', limit: 1 });
    allow = false;
    await expect(api.call('graph.search', { q: 'a', limit: 1 })).rejects.toMatchObject({
      code: 'CAPABILITY_DENIED',
    });
    expect(seen).toEqual(['graph.search', 'graph.search']);
  });

  it('hands handlers a signal that aborts with the run', async () => {
    const run = new AbortController();
    const api = scopeHostApi(
      defineHostApi({
        graph: {
          wait: {
            scope: 'graph:read',
            handler: (_: unknown, ctx) =>
              new Promise((_resolve, reject) => {
                ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
              }),
          },
        },
      }),
      ['graph:read'],
      { signal: run.signal },
    );
    const pending = api.call('graph.wait', {}, { signal: new AbortController().signal });
    run.abort(new IntelGraphError('KILL_SWITCH', 'stop'));
    await expect(pending).rejects.toMatchObject({ code: 'KILL_SWITCH' });
  });
});
