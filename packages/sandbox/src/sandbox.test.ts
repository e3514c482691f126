import { defineHostApi, scopeHostApi } from '@intelgraph/capabilities';
import {
  createManualClock,
  digestJson,
  IntelGraphError,
  parseManifest,
  sequentialIds,
  sha256Hex,
} from '@intelgraph/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createSandbox } from './sandbox.js';

const manifest = {
  name: 'sample-enricher',
  version: '0.1.0',
  entry: 'index.js',
  capabilities: { graph: ['read'], cases: ['read', 'write'], network: false },
  budgets: { ms: 1000, memoryMB: 32, rows: 50 },
  permissions: ['use:nl2cypher'],
};

const entities = Array.from({ length: 20 }, (_, i) => ({ id: `e${i}`, name: `Entity ${i}` }));
let neverSettles = 0;
const hostApi = defineHostApi({
  graph: {
    search: {
      scope: 'graph:read',
      handler: async (input: { q: string; limit?: number }, ctx) =>
        entities.slice(0, Math.min(input.limit ?? 10, ctx.rowsRemaining)),
    },
    hang: {
      scope: 'graph:read',
      handler: (_: unknown, ctx) =>
        new Promise((resolve) => {
          neverSettles += 1;
          ctx.signal.addEventListener('abort', () => resolve(null));
        }),
    },
    huge: { scope: 'graph:read', handler: async () => 'x'.repeat(64 * 1024) },
    // Ignores ctx.rowsRemaining (no limit push-down), so only the rows budget stops a greedy plugin.
    page: { scope: 'graph:read', handler: async () => entities.slice(0, 10) },
  },
  cases: {
    get: {
      scope: 'cases:read',
      handler: async (input: { id: string }) => {
        throw new IntelGraphError('NOT_FOUND', `no case ${input.id}`);
      },
    },
  },
});
const api = scopeHostApi(hostApi, ['graph:read', 'cases:read']);

const clock = createManualClock(Date.UTC(2026, 3, 1));
// These unit tests look at the engine itself (isolate counts, contexts): in-process. Process isolation,
// the default, is covered by tests/integration/sandbox.
const sandbox = createSandbox({
  isolation: 'in-process',
  poolSize: 2,
  clock,
  ids: sequentialIds(),
  maxValueKB: 32,
});
afterAll(() => sandbox.close());

const ENRICHER_CJS = `
module.exports.run = async function (args, api) {
  const entities = await api.graph.search({ q: args.q, limit: 3 });
  return entities.map((e) => ({ id: e.id, score: e.name.length }));
};`;

describe('createSandbox: running plugins', () => {
  it('runs the CommonJS sample enricher with a host call and full provenance', async () => {
    const r = await sandbox.run({ code: ENRICHER_CJS, manifest, input: { q: 'acme' }, api });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toEqual([
      { id: 'e0', score: 8 },
      { id: 'e1', score: 8 },
      { id: 'e2', score: 8 },
    ]);
    expect(r.usage).toMatchObject({
      rows: 3,
      outputBytes: Buffer.byteLength(JSON.stringify(r.value)),
      logBytes: 0,
    });
    expect(r.usage.heapBytes).toBeGreaterThan(0);
    expect(r.provenance).toMatchObject({
      runId: expect.stringMatching(/^run_\d{6}$/),
      plugin: {
        id: 'sample-enricher',
        version: '0.1.0',
        manifestSha256: digestJson(parseManifest(manifest)),
        codeSha256: sha256Hex(ENRICHER_CJS),
      },
      grantedScopes: ['cases:read', 'graph:read'],
      inputSha256: digestJson({ q: 'acme' }),
      hostCalls: [{ scope: 'graph:read', method: 'graph.search', rows: 3, ok: true }],
      outcome: 'ok',
      startedAt: '2026-04-01T00:00:00.000Z',
      endedAt: '2026-04-01T00:00:00.000Z',
    });
    expect(r.provenance.usage).toEqual(r.usage);
  });

  it('runs an ES module exporting run, and a default-exported { run }', async () => {
    const esm = await sandbox.run({
      code: 'export async function run(input, api) { return { n: input.n + 1, ns: Object.keys(api) }; }',
      manifest,
      input: { n: 41 },
      api,
    });
    expect(esm).toMatchObject({ ok: true, value: { n: 42, ns: ['cases', 'graph'] } });
    const dflt = await sandbox.run({ code: 'export default { run: async () => "d" };', manifest });
    expect(dflt).toMatchObject({ ok: true, value: 'd' });
  });

  it('gives every run a fresh context, while compiled code stays cached', async () => {
    const code =
      'module.exports.run = async () => { const seen = globalThis.leak; globalThis.leak = 1; return seen ?? null; }';
    const before = sandbox.stats().isolatesCreated;
    for (let i = 0; i < 5; i++)
      expect(await sandbox.run({ code, manifest })).toMatchObject({ ok: true, value: null });
    expect(sandbox.stats().isolatesCreated).toBe(before);
  });

  it('does not keep finished contexts alive (CommonJS and ES modules, small heap)', async () => {
    const own = createSandbox({ isolation: 'in-process', poolSize: 1 });
    const small = { ...manifest, budgets: { memoryMB: 8 } };
    for (const code of [
      'module.exports.run = async (i) => i.n',
      'export async function run(i) { return i.n; }',
    ]) {
      for (let n = 0; n < 300; n++) {
        const r = await own.run({ code, manifest: small, input: { n } });
        expect(r.ok ? r.value : r.error.code).toBe(n);
      }
    }
    expect(own.stats().isolatesCreated).toBe(1);
    await own.close();
  });

  it('captures console output with level, time and PII redaction', async () => {
    const r = await sandbox.run({
      code: `module.exports.run = async () => {
        console.log('hello', { a: 1 });
        console.warn('contact bob@example.com');
        console.error(new Error('bad'));
        console.info('card 4111 1111 1111 1111');
        console.debug('d');
        return null;
      }`,
      manifest,
    });
    expect(r.logs.map((l) => [l.level, l.message.split('\n')[0]])).toEqual([
      ['log', 'hello {"a":1}'],
      ['warn', 'contact [email]'],
      ['error', 'Error: bad'],
      ['info', 'card [card]'],
      ['debug', 'd'],
    ]);
    expect(r.logs.every((l) => l.at === '2026-04-01T00:00:00.000Z')).toBe(true);
    expect(r.usage.logBytes).toBeGreaterThan(0);
    expect(r.logsTruncated).toBe(false);
  });

  it('delivers typed host errors to the plugin, and reports uncaught ones as PLUGIN_ERROR', async () => {
    const caught = await sandbox.run({
      code: 'module.exports.run = async (i, api) => { try { await api.cases.get({ id: "c9" }); } catch (e) { return [e.name, e.code, e.message]; } }',
      manifest,
      api,
    });
    expect(caught).toMatchObject({ ok: true, value: ['HostApiError', 'NOT_FOUND', 'no case c9'] });
    const uncaught = await sandbox.run({
      code: 'module.exports.run = (i, api) => api.cases.get({ id: "c9" })',
      manifest,
      api,
    });
    expect(uncaught.ok).toBe(false);
    if (uncaught.ok) return;
    expect(uncaught.error.code).toBe('PLUGIN_ERROR');
    expect(uncaught.error.details).toMatchObject({ hostErrorCode: 'NOT_FOUND' });
    expect(uncaught.provenance.hostCalls).toEqual([
      expect.objectContaining({ method: 'cases.get', ok: false, error: 'NOT_FOUND' }),
    ]);
  });

  it("reports the plugin's own throw with its message and only plugin stack frames", async () => {
    const r = await sandbox.run({
      code: 'function inner() { throw new TypeError("bad input: 42"); }\nexport async function run() { inner(); }',
      manifest,
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBeInstanceOf(IntelGraphError);
    expect(r.error.code).toBe('PLUGIN_ERROR');
    expect(r.error.message).toBe('bad input: 42');
    const stack = String(r.error.details.stack);
    expect(stack).toMatch(/^TypeError: bad input: 42\n\s+at inner \(plugin:sample-enricher@0\.1\.0:1:/);
    expect(stack).not.toMatch(/intelgraph:bootstrap|node_modules|file:|node:|isolated-vm/);
    expect(r.provenance.outcome).toBe('PLUGIN_ERROR');
  });

  it('reports syntax errors, missing run, imports and non-JSON results as PLUGIN_ERROR', async () => {
    const cases = [
      'module.exports.run = async () => {',
      'module.exports.other = 1;',
      'import fs from "node:fs"; export async function run() { return fs; }',
      'export async function run() { return 10n; }',
      'export async function run() { const a = {}; a.self = a; return a; }',
    ];
    for (const code of cases) {
      const r = await sandbox.run({ code, manifest });
      expect(r.ok, code).toBe(false);
      if (!r.ok) expect(r.error.code, code).toBe('PLUGIN_ERROR');
    }
  });

  it('copies values in and out: the plugin cannot mutate host data', async () => {
    const r = await sandbox.run({
      code: 'module.exports.run = async (i, api) => { const rows = await api.graph.search({ q: "x", limit: 1 }); rows[0].name = "mutated"; i.x = 2; return rows; }',
      manifest,
      input: { x: 1 },
      api,
    });
    expect(r).toMatchObject({ ok: true, value: [{ id: 'e0', name: 'mutated' }] });
    expect(entities[0]?.name).toBe('Entity 0');
  });

  it('refuses host values larger than the crossing limit', async () => {
    const r = await sandbox.run({
      code: 'module.exports.run = async (i, api) => { try { await api.graph.huge(); } catch (e) { return e.code; } }',
      manifest,
      api,
    });
    expect(r).toMatchObject({ ok: true, value: 'PAYLOAD_TOO_LARGE' });
    const big = await sandbox.run({
      code: 'module.exports.run = async (i, api) => { try { await api.graph.search({ q: "x".repeat(40000) }); } catch (e) { return e.code; } }',
      manifest,
      api,
    });
    expect(big).toMatchObject({ ok: true, value: 'PAYLOAD_TOO_LARGE' });
  });

  it('pushes the remaining rows budget down to host methods', async () => {
    const r = await sandbox.run({
      code: 'module.exports.run = async (i, api) => [(await api.graph.search({ q: "x", limit: 10 })).length, (await api.graph.search({ q: "x", limit: 10 })).length]',
      manifest: { ...manifest, budgets: { rows: 12 } },
      api,
    });
    expect(r).toMatchObject({ ok: true, value: [10, 2] });
  });

  it('runs many plugins concurrently over a small pool', async () => {
    const code =
      'export async function run(i, api) { const r = await api.graph.search({ q: "x", limit: i.n % 5 }); return r.length; }';
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, n) => sandbox.run({ code, manifest, input: { n }, api })),
    );
    expect(results.map((r) => (r.ok ? r.value : r.error.code))).toEqual(
      Array.from({ length: 12 }, (_, n) => n % 5),
    );
  });
});

describe('createSandbox: plugin forms (each compiled once, run in a fresh context)', () => {
  const value = async (code: string, input: unknown = null) => {
    const r = await sandbox.run({ code, manifest, input, api });
    return r.ok ? r.value : { code: r.error.code, message: r.error.message };
  };

  it('runs every ES module export form, with live bindings and top-level await', async () => {
    expect(await value('export const run = async (i) => i + 1;', 1)).toBe(2);
    expect(await value('async function go() { return "go"; }\nexport { go as run };')).toBe('go');
    expect(await value('export default function run() { return "named default"; }')).toBe('named default');
    expect(await value('export default async function () { return "anonymous default"; }')).toBe(
      'anonymous default',
    );
    expect(await value('export let run;\nrun = async () => "assigned later";')).toBe('assigned later');
    expect(await value('const k = await Promise.resolve(7);\nexport const run = () => k;')).toBe(7);
    expect(await value('export const { run } = { run: () => "destructured" };')).toBe('destructured');
  });

  it('keeps module semantics for ES modules and Node semantics for CommonJS', async () => {
    expect(
      await value(
        'const self = this;\nexport const run = () => [self === undefined, (() => { try { undeclared = 1; return "sloppy"; } catch { return "strict"; } })()];',
      ),
    ).toEqual([true, 'strict']);
    expect(
      await value(
        'var topLevel = 1;\nmodule.exports.run = () => [this === module.exports, typeof globalThis.topLevel];',
      ),
    ).toEqual([true, 'undefined']);
    expect(await value('exports.run = () => "exports alias";')).toBe('exports alias');
    expect(await value('module.exports = { run: () => "replaced" };')).toBe('replaced');
  });

  it('hides the loading hook from plugin code, whatever the form', async () => {
    const probe =
      '(() => [typeof globalThis.__intelgraph_define, Object.getOwnPropertyNames(globalThis).some((n) => n.startsWith("__intelgraph"))])()';
    expect(await value(`module.exports.run = () => ${probe};`)).toEqual(['undefined', false]);
    expect(await value(`export const run = () => ${probe};`)).toEqual(['undefined', false]);
    // Forms that are not wrapped (an import.meta module, a script naming the hook) never see it either.
    expect(await value(`const m = typeof import.meta;\nexport const run = () => [m, ${probe}];`)).toEqual([
      'object',
      ['undefined', false],
    ]);
    expect(await value(`module.exports.run = () => ${probe}; // __intelgraph_define`)).toEqual([
      'undefined',
      false,
    ]);
  });

  it('captures logs and reports throws from the top level, with the plugin line', async () => {
    for (const code of [
      'console.log("loading");\nthrow new RangeError("bad top level");\nmodule.exports.run = () => 1;',
      'console.log("loading");\nthrow new RangeError("bad top level");\nexport const run = () => 1;',
    ]) {
      const r = await sandbox.run({ code, manifest });
      expect(r.logs.map((l) => l.message)).toEqual(['loading']);
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.error).toMatchObject({ code: 'PLUGIN_ERROR', message: 'bad top level' });
      expect(String(r.error.details.stack)).toMatch(
        /^RangeError: bad top level\n\s+at .*plugin:sample-enricher@0\.1\.0:2:7/,
      );
    }
  });

  it('fails a run whose leftover work after its report overruns the wall budget, and stops that work', async () => {
    const own = createSandbox({ isolation: 'in-process', poolSize: 1 });
    try {
      const code = `module.exports.run = async () => {
        let p = Promise.resolve();
        for (let k = 0; k < 50; k++) p = p.then(() => {});
        p.then(() => { for (;;) {} });
        return "reported";
      }`;
      const r = await own.run({ code, manifest: { ...manifest, budgets: { ms: 200 } } });
      // The run is not over until the isolate is idle: work queued before the report is the run's.
      expect(r.ok).toBe(false);
      expect(r.ok ? undefined : r.error).toMatchObject({
        code: 'BUDGET_EXCEEDED',
        details: { resource: 'wall' },
      });
      expect(own.stats().isolatesCreated).toBe(1);
      const next = await own.run({ code: 'module.exports.run = async () => "next"', manifest });
      expect(next).toMatchObject({ ok: true, value: 'next' });
      // The busy isolate was disposed at the deadline; the next run got a new one.
      expect(own.stats().isolatesCreated).toBe(2);
    } finally {
      await own.close();
    }
  });
});

describe('createSandbox: budgets', () => {
  function expectBudget(r: Awaited<ReturnType<typeof sandbox.run>>, resource: string) {
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('BUDGET_EXCEEDED');
    expect(r.error.details).toMatchObject({
      resource,
      limit: expect.any(Number),
      observed: expect.any(Number),
    });
    expect(Number(r.error.details.observed)).toBeGreaterThanOrEqual(Number(r.error.details.limit));
    expect(r.provenance.outcome).toBe('BUDGET_EXCEEDED');
  }

  it('wall: a run awaiting a host call that never answers is stopped, and the call is aborted', async () => {
    const r = await sandbox.run({
      code: 'module.exports.run = async (i, api) => api.graph.hang()',
      // Long enough for the call to reach the host first on a loaded 2-core machine (at 50 ms the wall
      // budget sometimes ended the run before the call was made, and the test asserted a race).
      manifest: { ...manifest, budgets: { ms: 250 } },
      api,
    });
    expectBudget(r, 'wall');
    expect(neverSettles).toBe(1);
  });

  it('cpu: a busy loop is stopped by the CPU budget when it is below the wall budget', async () => {
    const r = await sandbox.run({
      code: 'module.exports.run = async () => { for (;;) {} }',
      manifest: { ...manifest, budgets: { ms: 5000, cpuMs: 40 } },
    });
    expectBudget(r, 'cpu');
  });

  it('a CPU budget equal to the wall budget is reported as wall, whichever clock reads higher', async () => {
    // A busy getter on the result runs while the result is copied out, under a timeout; CPU and wall
    // time are both spent, and the CPU clock may read a hair higher. It is one budget: wall.
    for (const code of [
      'module.exports.run = async () => { for (;;) {} }',
      'export async function run() { return { get boom() { for (;;) {} } }; }',
    ]) {
      const r = await sandbox.run({ code, manifest: { ...manifest, budgets: { ms: 60, cpuMs: 60 } } });
      expectBudget(r, 'wall');
    }
  });

  it('memory: a heap blowup is stopped and the next run works', async () => {
    const m = { ...manifest, budgets: { ms: 5000, memoryMB: 16 } };
    const r = await sandbox.run({
      code: 'export async function run() { const a = []; for (;;) a.push(new Array(1e5).fill(7)); }',
      manifest: m,
    });
    expectBudget(r, 'memory');
    expect(
      await sandbox.run({ code: 'export async function run() { return 1 }', manifest: m }),
    ).toMatchObject({ ok: true, value: 1 });
  });

  it('rows: rows returned through host calls count against the budget', async () => {
    const r = await sandbox.run({
      code: 'module.exports.run = async (i, api) => { let n = 0; for (;;) n += (await api.graph.page()).length; }',
      manifest: { ...manifest, budgets: { rows: 25 } },
      api,
    });
    expectBudget(r, 'rows');
    if (!r.ok) expect(r.error.details).toMatchObject({ limit: 25, observed: 30 });
    expect(r.usage.rows).toBe(30);
  });

  it('output: a result larger than outputKB is refused', async () => {
    const r = await sandbox.run({
      code: 'module.exports.run = async () => "y".repeat(3000)',
      manifest: { ...manifest, budgets: { outputKB: 2 } },
    });
    expectBudget(r, 'output');
    if (!r.ok) expect(r.error.details).toMatchObject({ limit: 2048, observed: 3002 });
  });

  it('logs: beyond logKB further logs are dropped and the run is marked truncated', async () => {
    const r = await sandbox.run({
      code: 'module.exports.run = async () => { for (let i = 0; i < 1000; i++) console.log("z".repeat(100)); return "done"; }',
      manifest: { ...manifest, budgets: { logKB: 1 } },
    });
    expect(r).toMatchObject({ ok: true, value: 'done', logsTruncated: true });
    expect(r.usage.logBytes).toBeLessThanOrEqual(1024);
    expect(r.logs.at(-1)?.message).toMatch(/log budget of 1024 bytes or 1000 entries reached/);
  });
});

describe('createSandbox: boundary', () => {
  it('rejects malformed requests with INVALID_INPUT or PAYLOAD_TOO_LARGE', async () => {
    const small = createSandbox({ isolation: 'in-process', maxInputKB: 1, maxCodeKB: 1 });
    try {
      const bad: [unknown, string][] = [
        [{ code: 'x', manifest: { name: 'Bad Name' } }, 'INVALID_INPUT'],
        [{ code: '', manifest }, 'INVALID_INPUT'],
        [{ code: 'x', manifest, api: { call: 1 } }, 'INVALID_INPUT'],
        [{ code: 'x', manifest, input: JSON.parse('{"__proto__":{"a":1}}') }, 'INVALID_INPUT'],
        [{ code: 'x', manifest, input: { n: 1n } }, 'INVALID_INPUT'],
        [{ code: 'x', manifest, extra: true }, 'INVALID_INPUT'],
        [{ code: 'x', manifest, input: 'i'.repeat(2000) }, 'PAYLOAD_TOO_LARGE'],
        [{ code: '/*'.padEnd(2000, '*'), manifest }, 'PAYLOAD_TOO_LARGE'],
      ];
      for (const [request, code] of bad) {
        await expect(small.run(request as never)).rejects.toMatchObject({ code });
      }
      expect(() => createSandbox({ poolSize: 0 })).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
      expect(() => small.evict('nope')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    } finally {
      await small.close();
    }
  });

  it('evict drops the cached code and its isolate; close refuses further runs', async () => {
    const own = createSandbox({ isolation: 'in-process', poolSize: 1 });
    const code = 'module.exports.run = async () => 1';
    await own.run({ code, manifest });
    await own.run({ code, manifest });
    expect(own.stats().isolatesCreated).toBe(1);
    own.evict(sha256Hex(code));
    await own.run({ code, manifest });
    expect(own.stats().isolatesCreated).toBe(2);
    const esm = 'export async function run() { return 2 }';
    await own.run({ code: esm, manifest });
    own.evict(sha256Hex(esm));
    await own.run({ code: esm, manifest });
    expect(own.stats().isolatesCreated).toBe(3);
    await own.close();
    const r = await own.run({ code, manifest });
    expect(r).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
  });
});
