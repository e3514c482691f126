import { DEFINE_HOOK } from './plugin-script.js';

// Source of the code that prepares every fresh context before the plugin runs. It is evaluated once
// per context with `context.evalClosure(BOOTSTRAP_SOURCE, [post])`, ahead of time while the isolate is
// idle, and returns the `control` function the host keeps a Reference to. Security rests on the host,
// not on this file: `post` is a plain ivm.Callback in "ignored" mode (arguments are copied primitives,
// nothing comes back), and the host re-checks every message, size and count. This code only gives
// plugins a convenient `api`, `console`, `module`, removes globals that have no place in a plugin
// (SharedArrayBuffer, Atomics, WebAssembly) and resizable ArrayBuffers (their pages are committed by
// resize() outside the allocator that counts against the memory budget), and refuses log and call
// floods inside the context so they cost the host nothing. It takes its own copies of every intrinsic it
// uses before any plugin code runs: a plugin that replaces Map.prototype.get or WeakSet.prototype.has
// changes nothing here. The host does not rely on that either: it checks every message itself.
//
// Host -> context (control):
//   configure(configJson)           api methods and limits of this run; always the first call of a run
//   cjsGlobals()                    `module`/`exports` globals for CommonJS run as a plain script
//   start(inputJson, namespace?)    runs the plugin: the wrapper handed to the define hook, the module
//                                   namespace, or `module.exports`; then calls run(input, api)
//   deliver(id, ok, json)           settles a host call
// Context -> host (post, never answers): log(level, text) · call(id, path, argsJson) · done(ok, json)

/** Script origin of the bootstrap, so its frames can be removed from plugin stack traces. */
export const BOOTSTRAP_FILENAME = 'intelgraph:bootstrap';

/** Configuration of one run, handed to the bootstrap as JSON. */
export interface BootstrapConfig {
  methods: string[];
  /** How the plugin was compiled: a wrapped CommonJS or ES module function, or a plain script/module. */
  form: 'cjs' | 'esm' | 'script' | 'module';
  maxLogBytes: number;
  /** Most log entries a run keeps; each entry also costs at least {@link LOG_ENTRY_COST} bytes. */
  maxLogEntries: number;
  maxLogEntryChars: number;
  maxOutputBytes: number;
  /** Host calls per run and in flight at once: over either, a call is refused inside the context. */
  maxHostCalls: number;
  maxConcurrentCalls: number;
  /** 128-bit seed of the run's `Math.random`, as 32 hex digits. */
  seed: string;
  /** Where the run clock starts, in milliseconds since the epoch. */
  clockOrigin: number;
}

/**
 * How far the run clock moves on each read, in milliseconds (1 µs). The clock is logical: it starts
 * at the recorded origin and advances only when read, so the same code reading it in the same order
 * sees the same times, in the original run and in its replay.
 */
export const CLOCK_TICK_MS = 0.001;

/**
 * Bytes every log entry costs on top of its text (its level, its timestamp, the record around it), so
 * empty lines count against the log budget too.
 */
export const LOG_ENTRY_COST = 64;

export const BOOTSTRAP_SOURCE = `'use strict';
const post = $0;
const G = globalThis;
// Own copies of every intrinsic used after plugin code may have run.
const fnCall = Function.prototype.call;
const fnBind = Function.prototype.bind;
const uncurry = (fn) => fnBind.call(fnCall, fn);
const parse = JSON.parse;
const stringify = JSON.stringify;
const S = String;
const E = Error;
const P = Promise;
const TE = TypeError;
const RE = RangeError;
const freeze = Object.freeze;
const create = Object.create;
const keys = Object.keys;
const defineProperty = Object.defineProperty;
const getPrototypeOf = Object.getPrototypeOf;
const reflectConstruct = Reflect.construct;
const reflectApply = Reflect.apply;
const floor = Math.floor;
const parseInt_ = parseInt;
const OrigDate = Date;
const dateToString = uncurry(Date.prototype.toString);
// A refusal rejects in a reaction job, after the caller has attached its handlers: a promise rejected
// with no handler yet goes through V8's rejection tracking, which costs about 80 µs per promise in an
// isolate (8 s for a 100,000-call flood instead of 0.2 s).
const settled = P.resolve();
const promiseThen = uncurry(P.prototype.then);
const rejected = (e) => promiseThen(settled, () => { throw e; });
const mapGet = uncurry(Map.prototype.get);
const mapSet = uncurry(Map.prototype.set);
const mapDelete = uncurry(Map.prototype.delete);
const weakHas = uncurry(WeakSet.prototype.has);
const weakAdd = uncurry(WeakSet.prototype.add);
const strSlice = uncurry(String.prototype.slice);
const strIndexOf = uncurry(String.prototype.indexOf);
const charCodeAt = uncurry(String.prototype.charCodeAt);
const errorStack = (e) => e.stack;
const pending = new Map();
const hostErrors = new WeakSet();
let cfg = { methods: [], form: 'script', maxLogBytes: 0, maxLogEntries: 0, maxLogEntryChars: 0, maxOutputBytes: 0, maxHostCalls: 0, maxConcurrentCalls: 0, seed: '', clockOrigin: 0 };
let api = create(null);
// One frozen error per kind of refusal, made before plugin code runs: refusing a flood of 100,000
// calls then costs a rejected promise each, not an Error with a captured stack.
let tooMany;
let tooManyInFlight;
let defined;
let nextId = 0;
let calls = 0;
let inFlight = 0;
let logBytes = 0;
let logEntries = 0;
let logsClosed = false;

// The plugin's wrapped Script calls this once, before any plugin code runs; it then disappears.
defineProperty(G, '${DEFINE_HOOK}', {
  configurable: true,
  enumerable: false,
  writable: false,
  value: function define(fn) {
    delete G['${DEFINE_HOOK}'];
    if (defined === undefined && typeof fn === 'function') defined = fn;
  },
});

for (const name of ['SharedArrayBuffer', 'Atomics', 'WebAssembly']) {
  try { delete G[name]; } catch {}
}

// Fixed-length ArrayBuffers only: their memory comes from the isolate's allocator, which counts it
// against the memory budget. resize() commits pages outside it, so resizable buffers are refused and
// resize() is gone (transfer() of a fixed buffer allocates through the allocator again).
{
  const AB = G.ArrayBuffer;
  const ABProto = AB.prototype;
  const ArrayBuffer = function ArrayBuffer(length, options) {
    if (new.target === undefined) throw new TE("Constructor ArrayBuffer requires 'new'");
    if (options !== undefined && options !== null && typeof options === 'object' && options.maxByteLength !== undefined)
      throw new RE('resizable ArrayBuffers are not available in the sandbox');
    return reflectConstruct(AB, [length], new.target);
  };
  defineProperty(ArrayBuffer, 'prototype', { value: ABProto, writable: false, enumerable: false, configurable: false });
  defineProperty(ArrayBuffer, 'isView', { value: AB.isView, writable: true, enumerable: false, configurable: true });
  const species = Object.getOwnPropertyDescriptor(AB, Symbol.species);
  if (species) defineProperty(ArrayBuffer, Symbol.species, species);
  Object.setPrototypeOf(ArrayBuffer, getPrototypeOf(AB));
  defineProperty(ABProto, 'constructor', { value: ArrayBuffer, writable: true, enumerable: false, configurable: true });
  defineProperty(G, 'ArrayBuffer', { value: ArrayBuffer, writable: true, enumerable: false, configurable: true });
  delete ABProto.resize;
}

// Determinism: Math.random is sfc32 seeded with the run's 128-bit seed, and the clock (Date.now,
// new Date(), Date(), performance.now) is logical, from the run's recorded origin, advancing by
// ${CLOCK_TICK_MS} ms on each read. Both are set by configure, before any plugin code runs, and read
// only closure state, so a plugin that replaces Math or Date changes nothing here.
let ra = 0, rb = 0, rc = 0, rd = 0;
function sfc32() {
  const t0 = (ra + rb) | 0;
  ra = rb ^ (rb >>> 9);
  rb = (rc + (rc << 3)) | 0;
  rc = (rc << 21) | (rc >>> 11);
  rd = (rd + 1) | 0;
  const t = (t0 + rd) | 0;
  rc = (rc + t) | 0;
  return (t >>> 0) / 4294967296;
}
function seedRandom(hex) {
  ra = parseInt_(strSlice(hex, 0, 8), 16) | 0;
  rb = parseInt_(strSlice(hex, 8, 16), 16) | 0;
  rc = parseInt_(strSlice(hex, 16, 24), 16) | 0;
  rd = parseInt_(strSlice(hex, 24, 32), 16) | 0;
  for (let i = 0; i < 15; i++) sfc32();
}
let clockAt = 0;
function tick() {
  clockAt += ${CLOCK_TICK_MS};
  return clockAt;
}
defineProperty(G.Math, 'random', { value: function random() { return sfc32(); }, writable: true, enumerable: false, configurable: true });
{
  const DateProto = OrigDate.prototype;
  const Date = function Date(...args) {
    if (new.target === undefined) return dateToString(new OrigDate(cfg.clockOrigin + floor(tick())));
    if (args.length === 0) return reflectConstruct(OrigDate, [cfg.clockOrigin + floor(tick())], new.target);
    return reflectConstruct(OrigDate, args, new.target);
  };
  defineProperty(Date, 'prototype', { value: DateProto, writable: false, enumerable: false, configurable: false });
  defineProperty(Date, 'now', { value: function now() { return cfg.clockOrigin + floor(tick()); }, writable: true, enumerable: false, configurable: true });
  defineProperty(Date, 'parse', { value: OrigDate.parse, writable: true, enumerable: false, configurable: true });
  defineProperty(Date, 'UTC', { value: OrigDate.UTC, writable: true, enumerable: false, configurable: true });
  defineProperty(Date, 'length', { value: 7, configurable: true });
  defineProperty(DateProto, 'constructor', { value: Date, writable: true, enumerable: false, configurable: true });
  defineProperty(G, 'Date', { value: Date, writable: true, enumerable: false, configurable: true });
  const performance = create(null);
  defineProperty(performance, 'now', { value: function now() { return tick(); }, writable: true, enumerable: true, configurable: true });
  defineProperty(performance, 'timeOrigin', { get: function timeOrigin() { return cfg.clockOrigin; }, enumerable: true, configurable: true });
  defineProperty(G, 'performance', { value: freeze(performance), writable: true, enumerable: false, configurable: true });
  // Intl.DateTimeFormat formats "now" when given no date: the run clock's now, not the host's.
  const DTF = G.Intl && G.Intl.DateTimeFormat;
  if (DTF) {
    const dtfProto = DTF.prototype;
    const formatGetter = Object.getOwnPropertyDescriptor(dtfProto, 'format');
    const boundFormat = formatGetter && formatGetter.get ? uncurry(formatGetter.get) : undefined;
    const formatToParts = uncurry(dtfProto.formatToParts);
    const at = (d) => (d === undefined ? cfg.clockOrigin + floor(tick()) : d);
    if (boundFormat) {
      defineProperty(dtfProto, 'format', {
        get: function format() { const f = boundFormat(this); return function (d) { return f(at(d)); }; },
        enumerable: false,
        configurable: true,
      });
    }
    defineProperty(dtfProto, 'formatToParts', { value: function formatToParts_(d) { return formatToParts(this, at(d)); }, writable: true, enumerable: false, configurable: true });
  }
}

function utf8Length(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = charCodeAt(s, i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

// A host API error seen by the plugin. \`callId\` lets the host check that it really answered that call
// with that code: a plugin cannot forge a host error code, whatever it throws.
function hostError(code, message, callId) {
  const e = new E(message);
  e.name = 'HostApiError';
  e.code = code;
  weakAdd(hostErrors, e);
  defineProperty(e, 'callId', { value: callId, enumerable: false });
  return e;
}

function invoke(path, input) {
  // Floods are refused here, with no message to the host (the host enforces the same caps again).
  if (calls >= cfg.maxHostCalls) return rejected(tooMany);
  if (inFlight >= cfg.maxConcurrentCalls) return rejected(tooManyInFlight);
  let json;
  try {
    json = input === undefined ? 'null' : stringify(input);
  } catch {
    return rejected(hostError('INVALID_INPUT', 'host API arguments must be JSON-serialisable', 0));
  }
  if (typeof json !== 'string') json = 'null';
  calls += 1;
  inFlight += 1;
  const id = ++nextId;
  return new P((resolve, reject) => {
    mapSet(pending, id, { resolve, reject });
    post('call', id, path, json);
  });
}

function configure(json) {
  cfg = parse(json);
  seedRandom(cfg.seed);
  clockAt = 0;
  tooMany = freeze(hostError('RATE_LIMITED', 'at most ' + cfg.maxHostCalls + ' host calls per run', 0));
  tooManyInFlight = freeze(hostError('RATE_LIMITED', 'at most ' + cfg.maxConcurrentCalls + ' host calls in flight', 0));
  if (cfg.form !== 'cjs' && cfg.form !== 'esm') delete G['${DEFINE_HOOK}'];
  const a = create(null);
  const methods = cfg.methods;
  for (let i = 0; i < methods.length; i++) {
    const path = methods[i];
    const dot = strIndexOf(path, '.');
    const ns = strSlice(path, 0, dot);
    const name = strSlice(path, dot + 1);
    if (!a[ns]) a[ns] = create(null);
    a[ns][name] = function (input) { return invoke(path, input); };
  }
  const names = keys(a);
  for (let i = 0; i < names.length; i++) freeze(a[names[i]]);
  api = freeze(a);
}

function format(args) {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    let s;
    if (typeof a === 'string') s = a;
    else {
      try { s = a instanceof E ? S(errorStack(a) || a) : stringify(a); } catch { s = undefined; }
      if (typeof s !== 'string') { try { s = S(a); } catch { s = '[unprintable]'; } }
      if (typeof s !== 'string') s = '[unprintable]';
    }
    out += (i > 0 ? ' ' : '') + s;
    if (out.length > cfg.maxLogEntryChars) break;
  }
  return out.length > cfg.maxLogEntryChars ? strSlice(out, 0, cfg.maxLogEntryChars) + '…' : out;
}

// Same accounting as the host: each entry costs its UTF-8 bytes plus ${LOG_ENTRY_COST}, and entries are
// capped. Once over either, nothing more is posted (no backlog builds up, in-process or across IPC).
function logger(level) {
  return function (...args) {
    if (logsClosed) return;
    const text = format(args);
    logBytes += utf8Length(text) + ${LOG_ENTRY_COST};
    logEntries += 1;
    if (logBytes > cfg.maxLogBytes || logEntries > cfg.maxLogEntries) logsClosed = true;
    post('log', level, text);
  };
}
G.console = freeze({
  log: logger('log'), info: logger('info'), warn: logger('warn'), error: logger('error'), debug: logger('debug'),
});

function describe(e) {
  try {
    if (weakHas(hostErrors, e)) return stringify({ kind: 'host', code: S(e.code), message: S(e.message), callId: e.callId });
    if (e instanceof E) {
      let stack = '';
      try { stack = S(errorStack(e)); } catch {}
      return stringify({ kind: 'throw', name: strSlice(S(e.name), 0, 200), message: strSlice(S(e.message), 0, 4096), stack: strSlice(stack, 0, 16384) });
    }
    return stringify({ kind: 'throw', name: 'Error', message: strSlice(S(e), 0, 4096), stack: '' });
  } catch {
    return stringify({ kind: 'throw', name: 'Error', message: 'the plugin threw a value that cannot be described', stack: '' });
  }
}

function findRun(mod, esm) {
  if (mod && typeof mod.run === 'function') return mod.run;
  if (mod && mod.default && typeof mod.default.run === 'function') return mod.default.run;
  if (esm && mod && typeof mod.default === 'function') return mod.default;
  return undefined;
}

// Runs the plugin's top level (for the wrapped forms) and returns its exports.
async function load(ns) {
  delete G['${DEFINE_HOOK}'];
  if (cfg.form === 'esm' || cfg.form === 'cjs') {
    const fn = defined;
    defined = undefined;
    if (typeof fn !== 'function') throw new E('the plugin code could not be loaded');
    if (cfg.form === 'esm') return await fn();
    const module = { exports: {} };
    reflectApply(fn, module.exports, [module, module.exports]);
    return module.exports;
  }
  if (cfg.form === 'module') return ns;
  return G.module && G.module.exports;
}

async function start(inputJson, ns) {
  let result;
  try {
    const mod = await load(ns);
    const run = findRun(mod, cfg.form === 'esm' || cfg.form === 'module');
    if (typeof run !== 'function') {
      post('done', false, stringify({ kind: 'no_run', message: 'the plugin does not export a run(input, api) function' }));
      return;
    }
    result = await run(parse(inputJson), api);
  } catch (e) {
    post('done', false, describe(e));
    return;
  }
  let json;
  try {
    json = result === undefined ? 'null' : stringify(result);
    if (typeof json !== 'string') json = 'null';
  } catch (e) {
    let why = '';
    try { why = strSlice(S(e && e.message), 0, 500); } catch {}
    post('done', false, stringify({ kind: 'unserialisable', message: 'the result is not JSON-serialisable: ' + why }));
    return;
  }
  if (json.length > cfg.maxOutputBytes) {
    post('done', false, stringify({ kind: 'output', observed: utf8Length(json) }));
    return;
  }
  post('done', true, json);
}

return function control(op, a, b, c) {
  if (op === 'configure') { configure(a); return; }
  if (op === 'cjsGlobals') { G.module = { exports: {} }; G.exports = G.module.exports; return; }
  if (op === 'deliver') {
    const p = mapGet(pending, a);
    if (!p) return;
    mapDelete(pending, a);
    inFlight -= 1;
    if (b === true) p.resolve(parse(c));
    else { const err = parse(c); p.reject(hostError(err.code, err.message, a)); }
    return;
  }
  if (op === 'start') start(a, b);
};
`;
