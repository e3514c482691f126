import { DEFINE_HOOK } from './plugin-script.js';

// Source of the code that prepares every fresh context before the plugin runs. It is evaluated once
// per context with `context.evalClosure(BOOTSTRAP_SOURCE, [post])`, ahead of time while the isolate is
// idle, and returns the `control` function the host keeps a Reference to. Security rests on the host,
// not on this file: `post` is a plain ivm.Callback in "ignored" mode (arguments are copied primitives,
// nothing comes back), and the host re-checks every message, size and count. This code only gives
// plugins a convenient `api`, `console`, `module`, and removes globals that have no place in a plugin
// (SharedArrayBuffer, Atomics, WebAssembly).
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
  maxLogEntryChars: number;
  maxOutputBytes: number;
}

export const BOOTSTRAP_SOURCE = `'use strict';
const post = $0;
const G = globalThis;
const parse = JSON.parse;
const stringify = JSON.stringify;
const S = String;
const E = Error;
const P = Promise;
const isArray = Array.isArray;
const freeze = Object.freeze;
const create = Object.create;
const pending = new Map();
const hostErrors = new WeakSet();
let cfg = { methods: [], form: 'script', maxLogBytes: 0, maxLogEntryChars: 0, maxOutputBytes: 0 };
let api = create(null);
let defined;
let nextId = 0;
let logBytes = 0;
let logsClosed = false;

// The plugin's wrapped Script calls this once, before any plugin code runs; it then disappears.
Object.defineProperty(G, '${DEFINE_HOOK}', {
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

function utf8Length(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

function hostError(code, message) {
  const e = new E(message);
  e.name = 'HostApiError';
  e.code = code;
  hostErrors.add(e);
  return e;
}

function invoke(path, input) {
  let json;
  try {
    json = input === undefined ? 'null' : stringify(input);
  } catch {
    return P.reject(hostError('INVALID_INPUT', 'host API arguments must be JSON-serialisable'));
  }
  if (typeof json !== 'string') json = 'null';
  const id = ++nextId;
  return new P((resolve, reject) => {
    pending.set(id, { resolve, reject });
    post('call', id, path, json);
  });
}

function configure(json) {
  cfg = parse(json);
  if (cfg.form !== 'cjs' && cfg.form !== 'esm') delete G['${DEFINE_HOOK}'];
  const a = create(null);
  for (const path of cfg.methods) {
    const dot = path.indexOf('.');
    const ns = path.slice(0, dot);
    const name = path.slice(dot + 1);
    if (!a[ns]) a[ns] = create(null);
    a[ns][name] = function (input) { return invoke(path, input); };
  }
  for (const ns of Object.keys(a)) freeze(a[ns]);
  api = freeze(a);
}

function format(args) {
  let out = '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    let s;
    if (typeof a === 'string') s = a;
    else {
      try { s = a instanceof E ? S(a.stack || a) : stringify(a); } catch { s = undefined; }
      if (typeof s !== 'string') { try { s = S(a); } catch { s = '[unprintable]'; } }
    }
    out += (i > 0 ? ' ' : '') + s;
    if (out.length > cfg.maxLogEntryChars) break;
  }
  return out.length > cfg.maxLogEntryChars ? out.slice(0, cfg.maxLogEntryChars) + '…' : out;
}

function logger(level) {
  return function (...args) {
    if (logsClosed) return;
    const text = format(args);
    logBytes += utf8Length(text);
    if (logBytes > cfg.maxLogBytes) logsClosed = true;
    post('log', level, text);
  };
}
G.console = freeze({
  log: logger('log'), info: logger('info'), warn: logger('warn'), error: logger('error'), debug: logger('debug'),
});

function describe(e) {
  try {
    if (hostErrors.has(e)) return stringify({ kind: 'host', code: S(e.code), message: S(e.message) });
    if (e instanceof E) {
      let stack = '';
      try { stack = S(e.stack); } catch {}
      return stringify({ kind: 'throw', name: S(e.name).slice(0, 200), message: S(e.message).slice(0, 4096), stack: stack.slice(0, 16384) });
    }
    return stringify({ kind: 'throw', name: 'Error', message: S(e).slice(0, 4096), stack: '' });
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
    fn.call(module.exports, module, module.exports);
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
    post('done', false, stringify({ kind: 'unserialisable', message: 'the result is not JSON-serialisable: ' + S(e && e.message).slice(0, 500) }));
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
    const p = pending.get(a);
    if (!p) return;
    pending.delete(a);
    if (b === true) p.resolve(parse(c));
    else { const err = parse(c); p.reject(hostError(err.code, err.message)); }
    return;
  }
  if (op === 'start') start(a, b);
};
`;
