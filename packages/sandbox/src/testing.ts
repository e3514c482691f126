// The fuzz kit for security teams: fast-check arbitraries for manifests, grant sets,
// hostile plugin programs and hostile payloads, and `fuzzSandbox`, a ready harness that runs generated
// programs and asserts the sandbox's invariants. fast-check is a peer dependency: bring your own.
import { randomBytes } from 'node:crypto';
import {
  type AnyHostMethodSpec,
  defineHostApi,
  type HostApi,
  type HostApiDefinition,
  type HostMethodContext,
  scopeHostApi,
} from '@intelgraph/capabilities';
import { IntelGraphError, isIntelGraphError } from '@intelgraph/core';
import fc from 'fast-check';
import { createSandbox, type Sandbox, type SandboxResult } from './sandbox.js';

/** The scopes the arbitraries draw from (the platform's graph and cases APIs, and one egress host). */
export const FUZZ_SCOPES: readonly string[] = Object.freeze([
  'graph:read',
  'graph:write',
  'cases:read',
  'cases:write',
  'net:api.example.com',
]);

/**
 * Plugin manifests the sandbox accepts: names, versions, capabilities and budgets within the caps.
 *
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { manifestArbitrary } from '@intelgraph/sandbox/testing';
 * fc.sample(manifestArbitrary(), 1)[0].budgets; // { ms: 150, memoryMB: 16, … }
 * ```
 */
export function manifestArbitrary() {
  return fc.record({
    name: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
    version: fc
      .tuple(fc.nat({ max: 9 }), fc.nat({ max: 20 }), fc.nat({ max: 20 }))
      .map(([a, b, c]) => `${a}.${b}.${c}`),
    entry: fc.constant('index.js'),
    capabilities: fc.record({
      graph: fc.subarray(['read', 'write'] as const),
      cases: fc.subarray(['read', 'write'] as const),
    }),
    budgets: fc.record({
      ms: fc.integer({ min: 50, max: 400 }),
      memoryMB: fc.constantFrom(16, 32),
      rows: fc.integer({ min: 1, max: 1000 }),
      outputKB: fc.integer({ min: 1, max: 64 }),
      logKB: fc.integer({ min: 1, max: 16 }),
    }),
  });
}

/**
 * Grant sets: any subset of {@link FUZZ_SCOPES}, including none.
 *
 * @example
 * ```ts
 * fc.sample(grantSetArbitrary(), 3); // [[], ['graph:read'], ['cases:write', 'net:api.example.com']]
 * ```
 */
export function grantSetArbitrary() {
  return fc.subarray([...FUZZ_SCOPES]);
}

/**
 * The dangerous constructs hostile programs are built from. Each is a statement run inside the plugin's
 * `run(input, api)`; one that finds a host object sets `escaped = true` (the harness fails on it).
 */
export const DANGEROUS_CONSTRUCTS: Readonly<Record<string, string>> = Object.freeze({
  constructorWalk:
    "{ const g = (function () {}).constructor('return this')(); if (g && g.process && g.process.pid) escaped = true; out.canary = g && g.__igFuzzCanary; }",
  thisConstructor:
    '{ const F = this && this.constructor && this.constructor.constructor; if (F) { const p = F(\'return typeof process === "undefined" ? null : process\')(); if (p && p.pid) escaped = true; } }',
  prepareStackTrace:
    "{ Error.prepareStackTrace = (e, frames) => { for (const f of frames) { try { const t = f.getThis && f.getThis(); if (t && t.process) escaped = true; } catch {} } return ''; }; void new Error('x').stack; }",
  requireProbe:
    "{ if (typeof require === 'function') { const cp = require('child_process'); if (cp && cp.execSync) escaped = true; } }",
  importProbe: "{ const m = await import('node:child_process'); if (m && m.execSync) escaped = true; }",
  protoKeysToHost: '{ await api.graph.search(JSON.parse(\'{"__proto__":{"polluted":true},"q":"x"}\')); }',
  proxyToHost: "{ await api.graph.search(new Proxy({ q: 'x' }, { get() { throw new Error('trap'); } })); }",
  getterToHost: '{ await api.graph.search({ get q() { for (;;) {} } }); }',
  functionToHost: "{ await api.graph.search({ q: 'x', cb: () => 1 }); }",
  pollutePrototypes: '{ Object.prototype.polluted = true; Array.prototype.polluted = true; }',
  syncLoop: '{ for (;;) {} }',
  asyncLoop: '{ for (;;) await null; }',
  allocation: '{ const a = []; for (;;) a.push(new Array(1e6).fill(7)); }',
  promiseFlood: '{ for (let i = 0; i < 1e6; i++) Promise.resolve().then(() => 0); }',
  hostCallFlood: "{ await Promise.all(Array.from({ length: 5000 }, () => api.graph.search({ q: 'x' }))); }",
  recursion: '{ const f = (n) => f(n + 1) + 1; f(0); }',
  hugeString: "{ out.big = 'x'.repeat(1 << 25); }",
  sharedMemory: '{ Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); }',
  // The guardrail attack classes: memory outside the V8 heap, late microtasks, log and call floods, replaced intrinsics.
  resizableBuffer:
    '{ const b = new ArrayBuffer(0, { maxByteLength: 2 ** 30 }); b.resize(2 ** 30); new Float64Array(b).fill(7); }',
  resizableViaPrototype:
    '{ const AB = Object.getPrototypeOf(new Uint8Array(1).buffer).constructor; const b = new AB(0, { maxByteLength: 2 ** 30 }); b.resize(2 ** 30); }',
  hugeBuffer: '{ out.buffers = []; for (;;) out.buffers.push(new Float64Array(1 << 22)); }',
  transferGrow: '{ let b = new ArrayBuffer(8); for (;;) b = b.transfer(b.byteLength * 4); }',
  lateMicrotask: '{ Promise.resolve().then(() => { for (;;) {} }); }',
  lateFinally: '{ Promise.resolve().finally(() => { for (;;) {} }); }',
  emptyLogFlood: '{ for (let k = 0; k < 300000; k++) console.log(); }',
  logFlood: "{ for (let k = 0; k < 20000; k++) console.log('x'.repeat(k % 300)); }",
  callFlood: "{ for (let k = 0; k < 100000; k++) api.graph.search({ q: 'x' }).catch(() => {}); }",
  replacedIntrinsics:
    "{ WeakSet.prototype.has = () => true; WeakMap.prototype.has = () => true; Map.prototype.get = () => undefined; Map.prototype.set = function () { return this; }; JSON.stringify = () => 'forged'; Function.prototype.call = function () { return undefined; }; }",
  forgedHostError:
    "{ WeakSet.prototype.has = () => true; const e = new Error('forged'); e.name = 'HostApiError'; e.code = 'CAPABILITY_DENIED'; e.callId = 1; throw e; }",
});

/** How a hostile program ends: what it returns to the host. */
export const HOSTILE_RETURNS: Readonly<Record<string, string>> = Object.freeze({
  plain: 'return { escaped, out };',
  proxy: 'return new Proxy({ escaped }, { get() { throw new Error("trap"); }, ownKeys() { for (;;) {} } });',
  getter: 'return { escaped, get v() { for (;;) {} } };',
  protoKey: 'return JSON.parse(\'{"__proto__":{"polluted":true},"escaped":false}\');',
  fn: 'return () => escaped;',
  cyclic: 'const c = { escaped }; c.self = c; return c;',
  lateToJSON:
    'return { escaped, toJSON() { Promise.resolve().then(() => { for (;;) {} }); return { escaped }; } };',
  lateThenable:
    'return { then(resolve) { resolve({ escaped }); Promise.resolve().finally(() => { for (;;) {} }); } };',
});

/**
 * The constructs of the guardrail attack classes: memory outside the V8 heap, work queued to run after the
 * plugin reports, log and call floods, replaced intrinsics and forged host error codes. Hand them to
 * {@link hostileProgramArbitrary} or {@link fuzzSandbox} (`constructs`) to fuzz those classes alone.
 *
 * @example
 * ```ts
 * await fuzzSandbox({ runs: 30, constructs: GUARDRAIL_CONSTRUCTS });
 * ```
 */
export const GUARDRAIL_CONSTRUCTS: readonly string[] = Object.freeze([
  'resizableBuffer',
  'resizableViaPrototype',
  'hugeBuffer',
  'transferGrow',
  'lateMicrotask',
  'lateFinally',
  'emptyLogFlood',
  'logFlood',
  'callFlood',
  'replacedIntrinsics',
  'forgedHostError',
  'hugeString',
  'promiseFlood',
]);

/** A generated hostile program: its source and the constructs it is made of. */
export interface HostileProgram {
  code: string;
  constructs: string[];
  ending: string;
}

/**
 * Hostile plugin programs from the grammar: 1–4 {@link DANGEROUS_CONSTRUCTS}, each optionally wrapped in
 * try/catch (a plugin that swallows errors must still be stopped), then one of {@link HOSTILE_RETURNS}.
 *
 * @example
 * ```ts
 * const [p] = fc.sample(hostileProgramArbitrary(), 1);
 * p.constructs; // ['proxyToHost', 'syncLoop']
 * ```
 */
export function hostileProgramArbitrary(
  options: { constructs?: readonly string[] } = {},
): fc.Arbitrary<HostileProgram> {
  const names = options.constructs ?? Object.keys(DANGEROUS_CONSTRUCTS);
  const unknown = names.filter((n) => !Object.hasOwn(DANGEROUS_CONSTRUCTS, n));
  if (names.length === 0 || unknown.length > 0)
    throw new IntelGraphError(
      'INVALID_INPUT',
      `unknown dangerous constructs: ${unknown.join(', ') || '(none given)'}`,
    );
  return fc
    .record({
      steps: fc.array(fc.record({ name: fc.constantFrom(...names), guarded: fc.boolean() }), {
        minLength: 1,
        maxLength: 4,
      }),
      ending: fc.constantFrom(...Object.keys(HOSTILE_RETURNS)),
    })
    .map(({ steps, ending }) => {
      const body = steps
        .map(({ name, guarded }) => {
          const statement = DANGEROUS_CONSTRUCTS[name] ?? '';
          return guarded ? `try ${statement} catch (e) { out.errors = (out.errors || 0) + 1; }` : statement;
        })
        .join('\n  ');
      return {
        code: `module.exports.run = async function (input, api) {\n  let escaped = false;\n  const out = {};\n  ${body}\n  ${HOSTILE_RETURNS[ending]}\n};\n`,
        constructs: steps.map((s) => s.name),
        ending,
      };
    });
}

/** Builds `{ a: { a: … } }` `depth` levels deep without recursion. */
function nested(depth: number): unknown {
  let v: unknown = { leaf: true };
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/**
 * Hostile payloads for contracts, host APIs and plugin inputs: prototype keys, deep nesting, huge
 * strings, unicode edge cases (lone surrogates, NUL, bidi overrides), wrong types, and ordinary JSON.
 *
 * @example
 * ```ts
 * for (const payload of fc.sample(hostilePayloadArbitrary(), 20)) gate.check(payload); // never INTERNAL
 * ```
 */
export function hostilePayloadArbitrary(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constant(JSON.parse('{"__proto__":{"polluted":true},"id":"x"}') as unknown),
    fc.constant({ constructor: { prototype: { polluted: true } } }),
    fc.integer({ min: 65, max: 5000 }).map(nested),
    fc.integer({ min: 1, max: 4 }).map((mb) => 'x'.repeat(mb * 1_048_576)),
    fc.constantFrom('ab\uD800cd', 'a\u0000b', 'invoice\u202Efdp.exe', '\uFEFF', '\u0301'.repeat(1000)),
    fc.constantFrom<unknown>(null, 0, -0, 1e308, true, [], {}),
    fc.jsonValue({ maxDepth: 6 }),
  );
}

/** Options of {@link fuzzSandbox}. */
export interface FuzzSandboxOptions {
  /** Number of generated programs (default 50). */
  runs?: number;
  /** fast-check seed, for reproducing a failure (default: random, printed on failure). */
  seed?: number;
  /** The sandbox under test (default: a fresh `createSandbox({ poolSize: 1 })`, closed at the end). */
  sandbox?: Sandbox;
  /**
   * Your host API (default: a `graph.search` / `cases.create` stub). Its handlers are wrapped to check
   * that they only ever receive plain data.
   */
  hostApi?: HostApi;
  /** Slack over a budget before "budgets honoured" fails, as a factor and a constant (default ×3 + 1000 ms; for shared CI machines). */
  budgetSlack?: { factor: number; ms: number };
  /** Only these {@link DANGEROUS_CONSTRUCTS} (default: all), for example {@link GUARDRAIL_CONSTRUCTS}. */
  constructs?: readonly string[];
  /** Log entries and host calls per run the sandbox under test allows (defaults: the sandbox's, 1000 and 1000). */
  maxLogEntries?: number;
  maxHostCalls?: number;
}

/** What {@link fuzzSandbox} saw. */
export interface FuzzReport {
  runs: number;
  seed: number | undefined;
  /** Outcome (`ok` or an error code) → count. */
  outcomes: Record<string, number>;
}

/** Codes a run may end with: every one is a typed, expected refusal. */
const TYPED = new Set([
  'BUDGET_EXCEEDED',
  'PLUGIN_ERROR',
  'CAPABILITY_DENIED',
  'INVALID_INPUT',
  'PAYLOAD_TOO_LARGE',
  'CONTRACT_VIOLATION',
  'UNAVAILABLE',
]);

const isPlain = (v: unknown, depth = 0): boolean => {
  if (depth > 200) return false;
  if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) return true;
  if (typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  if (Array.isArray(v)) return proto === Array.prototype && v.every((x) => isPlain(x, depth + 1));
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.entries(v as Record<string, unknown>).every(([, x]) => isPlain(x, depth + 1));
};

function defaultHostApi(): HostApi {
  return defineHostApi({
    graph: {
      search: { scope: 'graph:read', handler: async () => [{ id: 'e1', label: 'Acme' }] },
    },
    cases: { create: { scope: 'cases:write', handler: async () => ({ id: 'c1' }) } },
  });
}

/**
 * Runs `runs` generated hostile programs under generated grant sets and budgets, with hostile inputs,
 * and asserts the sandbox's invariants after each: **typed outcomes only** (never `INTERNAL`, never an
 * untyped throw); **budgets honoured** (the run ends within its wall budget, with slack);
 * **no host object reachable** (no program reports an escape, the host's canary never leaks, host
 * handlers receive only plain data); **the host survives** (prototypes unpolluted, and a benign run
 * still works at the end). Throws fast-check's report (seed and shrunk counterexample) on a violation.
 *
 * @example
 * ```ts
 * import { fuzzSandbox } from '@intelgraph/sandbox/testing';
 * const report = await fuzzSandbox({ runs: 200, seed: 42 });
 * console.log(report.outcomes); // { ok: 31, BUDGET_EXCEEDED: 88, PLUGIN_ERROR: 61, CAPABILITY_DENIED: 20 }
 * ```
 */
export async function fuzzSandbox(options: FuzzSandboxOptions = {}): Promise<FuzzReport> {
  const runs = options.runs ?? 50;
  const maxLogEntries = options.maxLogEntries ?? 1000;
  const maxHostCalls = options.maxHostCalls ?? 1000;
  const slack = options.budgetSlack ?? { factor: 3, ms: 1000 };
  const owned = options.sandbox === undefined;
  const sandbox = options.sandbox ?? createSandbox({ poolSize: 1 });
  const canary = `ig-canary-${randomBytes(8).toString('hex')}`;
  const globals = globalThis as Record<string, unknown>;
  globals.__igFuzzCanary = canary;
  const impure: string[] = [];
  let handled = 0;
  const base = options.hostApi ?? defaultHostApi();
  // Every handler first checks what reached it.
  const definition: HostApiDefinition = Object.fromEntries(
    Object.entries(base.definition).map(([ns, methods]) => [
      ns,
      Object.fromEntries(
        Object.entries(methods).map(([name, spec]): [string, AnyHostMethodSpec] => [
          name,
          {
            ...spec,
            handler: (input: never, ctx: HostMethodContext) => {
              handled += 1;
              if (!isPlain(input)) impure.push(`${ns}.${name}`);
              return spec.handler(input, ctx);
            },
          },
        ]),
      ),
    ]),
  );
  const hostApi = defineHostApi(definition);
  const outcomes: Record<string, number> = {};
  const benign = (name: string) =>
    sandbox.run({
      code: 'module.exports.run = async () => 42;',
      manifest: { name, version: '1.0.0', entry: 'index.js', capabilities: {} },
    });
  try {
    // Untimed: a process-isolated sandbox starts its first worker here, not inside a timed run.
    // Its outcome is not judged here: the property judges every run.
    await benign('before-fuzz').catch(() => undefined);
    await fc.assert(
      fc.asyncProperty(
        hostileProgramArbitrary(options.constructs ? { constructs: options.constructs } : {}),
        manifestArbitrary(),
        grantSetArbitrary(),
        fc.oneof(fc.constant<unknown>({ q: 'acme' }), hostilePayloadArbitrary()),
        async (program, manifest, grants, input) => {
          const workersBefore = sandbox.stats().workersStarted;
          const started = performance.now();
          const rssBefore = process.memoryUsage().rss;
          const handledBefore = handled;
          let result: SandboxResult;
          try {
            result = await sandbox.run({
              code: program.code,
              manifest,
              input,
              api: scopeHostApi(hostApi, grants),
            });
          } catch (err) {
            // Refusing the request itself (a hostile input, an oversized code) is fine when typed.
            if (!isIntelGraphError(err) || !TYPED.has(err.code))
              throw new Error(`untyped throw: ${String(err)}`, { cause: err });
            outcomes[err.code] = (outcomes[err.code] ?? 0) + 1;
            return;
          }
          const elapsed = performance.now() - started;
          const code = result.ok ? 'ok' : result.error.code;
          outcomes[code] = (outcomes[code] ?? 0) + 1;
          if (!result.ok && !TYPED.has(result.error.code))
            throw new Error(`untyped outcome ${result.error.code}: ${result.error.message}`);
          // A worker process died in this run (a V8 abort): wait, untimed, for its replacement to start,
          // so that no later run is timed over a worker's start (seconds on a loaded machine).
          if (sandbox.stats().workersStarted !== workersBefore) await benign('rewarm').catch(() => undefined);
          const limit = manifest.budgets.ms * slack.factor + slack.ms;
          if (elapsed > limit)
            throw new Error(`budget not honoured: ${Math.round(elapsed)} ms > ${limit} ms`);
          const seen = JSON.stringify({ value: result.ok ? result.value : null, logs: result.logs }) ?? '';
          if (result.ok && (result.value as { escaped?: unknown } | null)?.escaped === true)
            throw new Error(`escape reported by ${program.constructs.join(', ')}`);
          if (seen.includes(canary)) throw new Error('the host canary leaked into the result');
          if (impure.length > 0) throw new Error(`non-plain data reached host methods: ${impure.join(', ')}`);
          // The guardrail attack classes: memory outside the heap stays out of the host, CPU caused after the
          // report is counted, log and call floods are capped, and no plugin forges a host error code.
          const rssGrowth = process.memoryUsage().rss - rssBefore;
          if (rssGrowth > 512 * 1_048_576)
            throw new Error(`host memory grew by ${Math.round(rssGrowth / 1_048_576)} MB during one run`);
          if (result.usage.cpuMs > manifest.budgets.ms * slack.factor + slack.ms)
            throw new Error(`CPU not bounded: ${result.usage.cpuMs} ms`);
          if (result.logs.length > maxLogEntries + 1)
            throw new Error(`${result.logs.length} log entries kept`);
          if (result.usage.logBytes > manifest.budgets.logKB * 1024)
            throw new Error(`log budget not honoured: ${result.usage.logBytes} bytes`);
          if (handled - handledBefore > maxHostCalls)
            throw new Error(`${handled - handledBefore} host calls reached the host in one run`);
          if (
            code === 'CAPABILITY_DENIED' &&
            !result.provenance.hostCalls.some((c) => c.error === 'CAPABILITY_DENIED')
          )
            throw new Error('CAPABILITY_DENIED reported with no host call denied: a forged host error code');
          if (Object.hasOwn(Object.prototype, 'polluted') || Object.hasOwn(Array.prototype, 'polluted'))
            throw new Error('host prototypes polluted');
        },
      ),
      { numRuns: runs, ...(options.seed === undefined ? {} : { seed: options.seed }), endOnFailure: true },
    );
    const after = await benign('after-fuzz');
    if (!after.ok || after.value !== 42)
      throw new Error('the sandbox no longer runs a benign plugin after fuzzing');
    return { runs, seed: options.seed, outcomes };
  } finally {
    delete globals.__igFuzzCanary;
    if (owned) await sandbox.close();
  }
}
