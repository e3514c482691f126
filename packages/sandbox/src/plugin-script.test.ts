import { describe, expect, it } from 'vitest';
import { DEFINE_HOOK, looksLikeModule, pluginForm } from './plugin-script.js';

const kind = (code: string) => pluginForm(code).kind;

describe('pluginForm', () => {
  it('wraps CommonJS in a function, as Node does, keeping the code on its own lines', () => {
    const code = 'module.exports.run = async () => 1 // trailing comment';
    const form = pluginForm(code);
    expect(form).toEqual({
      kind: 'cjs',
      source: `${DEFINE_HOOK}((function (module, exports) {\n${code}\n}))`,
      lineOffset: -1,
    });
  });

  it('turns ES modules into a strict async function returning live exports, columns kept', () => {
    const form = pluginForm('const k = 2;\nexport async function run(i) { return i * k; }');
    expect(form.kind).toBe('esm');
    if (form.kind !== 'esm') return;
    const lines = form.source.split('\n');
    expect(lines[1]).toBe('const k = 2;');
    expect(lines[2]).toBe('       async function run(i) { return i * k; }');
    expect(form.source).toContain('get "run"() { return run; }');
  });

  it('maps every export form to its local binding', () => {
    const cases: [string, string[]][] = [
      [
        'export const run = () => 1, other = 2;',
        ['get "run"() { return run; }', 'get "other"() { return other; }'],
      ],
      ['export const { a, b: [c, ...d] } = x;', ['get "a"()', 'get "c"()', 'get "d"()']],
      [
        'function go() {}\nexport { go as run, go as "odd name" };',
        ['get "run"() { return go; }', 'get "odd name"()'],
      ],
      ['export default function run() {}', ['get "default"() { return run; }']],
      ['export default class {}', ['get "default"() { return __ig$default; }']],
      ['export default { run: () => 1 };', ['get "default"() { return __ig$default; }']],
    ];
    for (const [code, expected] of cases) {
      const form = pluginForm(code);
      expect(form.kind, code).toBe('esm');
      for (const piece of expected) expect(form.kind === 'esm' && form.source, code).toContain(piece);
    }
  });

  it('keeps modules with imports, re-exports or import.meta as modules', () => {
    expect(kind('import fs from "node:fs"; export function run() {}')).toBe('module');
    expect(kind('export * from "./x.js";')).toBe('module');
    expect(kind('export { run } from "./x.js";')).toBe('module');
    expect(kind('export const u = import.meta.url; export function run() {}')).toBe('module');
    expect(kind('export async function run() { return import("x"); }')).toBe('module');
  });

  it('refuses to wrap code that would change meaning or escape the wrapper', () => {
    // Blanking `export { a }` would glue `foo()` and `(bar)` into one call: stays a module.
    expect(kind('foo()\nexport { a }\n(bar)\nlet a;')).toBe('module');
    // Closing the wrapper early is not valid code on its own: it runs as a plain script (and fails there).
    expect(kind('}); globalThis.escaped = 1; (function () {')).toBe('script');
    expect(kind('module.exports.run = async () => {')).toBe('script');
    expect(kind('export function run() {')).toBe('module');
    // Code that names the hook or the default binding is left alone.
    expect(kind(`module.exports.run = () => typeof ${DEFINE_HOOK}`)).toBe('script');
    expect(kind('export const __ig$default = 1;')).toBe('module');
  });

  it('tells CommonJS from ES modules by their top-level syntax', () => {
    expect(looksLikeModule('export default {}')).toBe(true);
    expect(looksLikeModule('  import x from "y"')).toBe(true);
    expect(looksLikeModule('module.exports = { run() {} }; // export later')).toBe(false);
  });
});
