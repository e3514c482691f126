import { defineHostApi, manifestScopes, scopeHostApi } from '@intelgraph/capabilities';
import { ERROR_CODES, parseManifest } from '@intelgraph/core';
import { createSandbox } from '@intelgraph/sandbox';
import { fuzzSandbox, GUARDRAIL_CONSTRUCTS } from '@intelgraph/sandbox/testing';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { expectHostUnharmed } from './helpers.js';

const noop = async () => [{ id: 'x' }];
const hostApi = defineHostApi({
  graph: { search: { scope: 'graph:read', handler: noop }, merge: { scope: 'graph:write', handler: noop } },
  cases: { get: { scope: 'cases:read', handler: noop }, create: { scope: 'cases:write', handler: noop } },
  nl: { ask: { scope: 'use:nl2cypher', handler: noop } },
});
const sandbox = createSandbox({ poolSize: 2, maxHostCalls: 50 });
afterAll(() => sandbox.close());

const SURFACE = `export async function run(i, api) {
  return Object.keys(api).flatMap((ns) => Object.keys(api[ns]).map((m) => ns + '.' + m)).sort();
}`;

describe('sandbox properties', () => {
  it('for random manifests and grants, the API visible inside the sandbox is exactly the granted scopes', async () => {
    const actions = fc.subarray(['read', 'write']);
    await fc.assert(
      fc.asyncProperty(
        fc.record({ graph: actions, cases: actions }),
        fc.record({ graph: actions, cases: actions }),
        fc.boolean(),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        async (caps, optional, nl, optIn) => {
          const manifest = parseManifest({
            name: 'surface',
            version: '1.0.0',
            entry: 'i.js',
            capabilities: caps,
            optionalCapabilities: optional,
            ...(nl ? { permissions: ['use:nl2cypher'] } : {}),
          });
          const { required, optional: opt } = manifestScopes(manifest);
          const granted = [...required, ...opt.filter((_, k) => optIn[k % 4])];
          const r = await sandbox.run({ code: SURFACE, manifest, api: scopeHostApi(hostApi, granted) });
          const expected = hostApi.methods
            .filter((m) => granted.includes(m.scope))
            .map((m) => m.path)
            .sort();
          expect(r).toMatchObject({ ok: true, value: expected });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('random plugin programs end with a typed outcome within the wall budget plus a margin, and the host survives', async () => {
    const statement = fc.constantFrom(
      'acc.push(1);',
      'await null;',
      'acc.push((await api.graph.search({ q: "x" })).length);',
      'for (;;) {}',
      'for (;;) await null;',
      'await new Promise(() => {});',
      'throw new Error("planned");',
      'throw 42;',
      'console.log("line", acc.length);',
      'for (let k = 0; k < 1000; k++) console.log("x".repeat(100));',
      'const big = []; for (;;) big.push(new Array(1e5).fill(1));',
      'function r(n) { return r(n + 1); } r(0);',
      'return "o".repeat(1e6);',
      'return acc;',
      'acc.push(await api.cases.create({}));',
      'await Promise.all(Array.from({ length: 100 }, () => api.graph.search({}).catch(() => 0)));',
      'JSON.parse("{");',
      'Object.prototype.polluted = 1;',
    );
    const codes = new Set<string>(ERROR_CODES);
    await fc.assert(
      fc.asyncProperty(
        fc.array(statement, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (body, esm) => {
          const fn = `async (input, api) => { const acc = []; ${body.join(' ')} return acc; }`;
          const code = esm ? `export const run = ${fn};` : `module.exports.run = ${fn};`;
          const wallMs = 150;
          const started = performance.now();
          const r = await sandbox.run({
            code,
            manifest: {
              name: 'fuzz',
              version: '1.0.0',
              entry: 'i.js',
              budgets: { ms: wallMs, memoryMB: 16, outputKB: 64, logKB: 4 },
            },
            api: scopeHostApi(hostApi, ['graph:read']),
          });
          const elapsed = performance.now() - started;
          if (!r.ok) expect(codes.has(r.error.code)).toBe(true);
          // Generous margin: the machine is shared; the property is that runaway code never runs unbounded.
          expect(elapsed).toBeLessThan(wallMs + 1500);
          expect(r.provenance.outcome).toBe(r.ok ? 'ok' : r.error.code);
          expectHostUnharmed();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the guardrail attack classes (buffers, late microtasks, log and call floods, replaced intrinsics) stay contained under the default isolation', async () => {
    // 30 programs of 1-4 constructs each fit in well under a minute on the loaded 2-core CI machine;
    // the slack is wide for the same reason (the property is boundedness, not speed).
    const report = await fuzzSandbox({
      runs: 30,
      seed: 20_261_206,
      constructs: GUARDRAIL_CONSTRUCTS,
      budgetSlack: { factor: 5, ms: 3000 },
    });
    expect(Object.values(report.outcomes).reduce((a, b) => a + b, 0)).toBe(30);
    expect(report.outcomes.INTERNAL).toBeUndefined();
    expect(report.outcomes.CAPABILITY_DENIED).toBeUndefined();
    expectHostUnharmed();
  }, 120_000);
});
