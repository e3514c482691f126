import { type Node, type Options, type Pattern, type Program, parse } from 'acorn';

/** Global through which a plugin script hands its wrapper function to the bootstrap (deleted on first use). */
export const DEFINE_HOOK = '__intelgraph_define';
const DEFAULT_BINDING = '__ig$default';

/**
 * How plugin code is compiled and run in each fresh context.
 * - `cjs` / `esm`: the code is wrapped once into a function-defining Script (cached by digest). Running
 *   the Script in a context only defines the function; the bootstrap calls it when the run starts, so a
 *   run costs one round trip into the isolate and no per-run compilation.
 * - `script`: CommonJS that could not be wrapped, run as a global script (the plugin's top level runs
 *   in its own call).
 * - `module`: an ES module that could not be turned into a Script (imports, `import.meta`, syntax the
 *   parser refuses); compiled, instantiated and evaluated as a V8 module in every context.
 */
export type PluginForm =
  | { kind: 'cjs' | 'esm'; source: string; lineOffset: number }
  | { kind: 'script' }
  | { kind: 'module' };

const ACORN: Options = { ecmaVersion: 'latest', allowHashBang: true };

/** A loose CommonJS-or-ESM guess, as plugin authors write both. */
export function looksLikeModule(code: string): boolean {
  return /^\s*(export\s|import\s*[\w{*'"])/m.test(code);
}

/**
 * Decides how plugin code runs and, for the common forms, builds the wrapped Script source.
 *
 * CommonJS code becomes `(function (module, exports) { code })`, as Node runs it. An ES module becomes
 * a strict async function whose `export` keywords are blanked out (columns and lines are kept, so stack
 * traces point at the author's code) and which returns its exports as getters (live bindings). The
 * result is parsed again and accepted only if the wrapper encloses exactly the plugin's statements;
 * anything unusual falls back to the plain forms, which are slower but need no rewriting.
 */
export function pluginForm(code: string): PluginForm {
  const esm = looksLikeModule(code);
  if (code.includes(DEFINE_HOOK) || code.includes(DEFAULT_BINDING))
    return { kind: esm ? 'module' : 'script' };
  try {
    return esm ? wrapModule(code) : wrapCommonJs(code);
  } catch {
    return { kind: esm ? 'module' : 'script' };
  }
}

function wrapCommonJs(code: string): PluginForm {
  const prefix = `${DEFINE_HOOK}((function (module, exports) {\n`;
  const source = `${prefix}${code}\n}))`;
  if (!enclosed(source, prefix.length, 0)) return { kind: 'script' };
  return { kind: 'cjs', source, lineOffset: -1 };
}

function wrapModule(code: string): PluginForm {
  let importKeyword = false;
  const program = parse(code, {
    ...ACORN,
    sourceType: 'module',
    onToken: (t) => {
      if (t.type.keyword === 'import') importKeyword = true;
    },
  }) as Program;
  // Imports are refused, `import.meta` and `import()` only mean something to a module: keep those as modules.
  if (importKeyword) return { kind: 'module' };
  const exported = new Map<string, string>(); // exported name -> local binding
  const edits: { start: number; end: number; text: string }[] = [];
  let usesDefault = false;
  let removedStatements = 0;
  for (const node of program.body) {
    switch (node.type) {
      case 'ExportNamedDeclaration': {
        if (node.source) return { kind: 'module' };
        if (node.declaration) {
          edits.push(blank(code, node.start, node.declaration.start));
          for (const name of declaredNames(node.declaration)) exported.set(name, name);
        } else {
          edits.push(blank(code, node.start, node.end));
          removedStatements += 1;
          for (const s of node.specifiers) {
            if (s.local.type !== 'Identifier') return { kind: 'module' };
            exported.set(nameOf(s.exported), s.local.name);
          }
        }
        break;
      }
      case 'ExportDefaultDeclaration': {
        const d = node.declaration;
        const named =
          (d.type === 'FunctionDeclaration' || d.type === 'ClassDeclaration') && d.id ? d.id.name : undefined;
        if (named) {
          edits.push(blank(code, node.start, d.start));
          exported.set('default', named);
        } else {
          edits.push(assignDefault(code, node.start, d.start));
          exported.set('default', DEFAULT_BINDING);
          usesDefault = true;
        }
        break;
      }
      case 'ExportAllDeclaration':
      case 'ImportDeclaration':
        return { kind: 'module' };
      default:
        break;
    }
  }
  let body = '';
  let at = 0;
  for (const e of edits.sort((a, b) => a.start - b.start)) {
    body += code.slice(at, e.start) + e.text;
    at = e.end;
  }
  body += code.slice(at);
  const getters = [...exported].map(([name, local]) => `get ${JSON.stringify(name)}() { return ${local}; }`);
  const prefix = `${DEFINE_HOOK}((async function () { 'use strict'; ${usesDefault ? `let ${DEFAULT_BINDING};` : ''}\n`;
  const source = `${prefix}${body}\nreturn { __proto__: null, ${getters.join(', ')} };\n}))`;
  const added = 1 + (usesDefault ? 1 : 0) + 1; // directive, default binding, return
  if (!enclosed(source, prefix.length, program.body.length - removedStatements + added))
    return { kind: 'module' };
  return { kind: 'esm', source, lineOffset: -1 };
}

/**
 * Parses the wrapped source as a script and checks its shape: one call of the define hook with one
 * function whose body spans from the prefix to the end, so the plugin's code cannot close the wrapper
 * and run outside it. `statements` (when non-zero) is the expected number of top-level statements.
 */
function enclosed(source: string, prefixLength: number, statements: number): boolean {
  const program = parse(source, { ...ACORN, sourceType: 'script' }) as Program;
  const [only] = program.body;
  if (program.body.length !== 1 || only?.type !== 'ExpressionStatement') return false;
  const call = only.expression;
  if (call.type !== 'CallExpression' || call.arguments.length !== 1) return false;
  if (call.callee.type !== 'Identifier' || call.callee.name !== DEFINE_HOOK) return false;
  const fn = call.arguments[0];
  if (fn?.type !== 'FunctionExpression' || fn.body.type !== 'BlockStatement') return false;
  if (fn.body.start !== source.indexOf('{') || fn.body.start >= prefixLength) return false;
  if (fn.body.end !== source.length - 2) return false;
  return statements === 0 || fn.body.body.length === statements;
}

function nameOf(node: Node): string {
  if (node.type === 'Identifier') return (node as Node & { name: string }).name;
  return String((node as Node & { value: unknown }).value);
}

function declaredNames(node: Node): string[] {
  const d = node as Node & {
    id?: Pattern | null;
    declarations?: { id: Pattern }[];
  };
  if (node.type === 'VariableDeclaration') return (d.declarations ?? []).flatMap((v) => patternNames(v.id));
  return d.id ? patternNames(d.id) : [];
}

function patternNames(p: Pattern): string[] {
  switch (p.type) {
    case 'Identifier':
      return [p.name];
    case 'ObjectPattern':
      return p.properties.flatMap((prop) =>
        prop.type === 'RestElement' ? patternNames(prop.argument) : patternNames(prop.value),
      );
    case 'ArrayPattern':
      return p.elements.flatMap((e) => (e ? patternNames(e) : []));
    case 'RestElement':
      return patternNames(p.argument);
    case 'AssignmentPattern':
      return patternNames(p.left);
    default:
      return [];
  }
}

/** Replaces a range with spaces, keeping line breaks (so lines and columns stay where they were). */
function blank(code: string, start: number, end: number) {
  return { start, end, text: code.slice(start, end).replace(/[^\n\r\u2028\u2029]/g, ' ') };
}

/** `export default <expr>` becomes `__ig$default= <expr>`, same width where the keywords fit on one line. */
function assignDefault(code: string, start: number, end: number) {
  const head = `${DEFAULT_BINDING}=`;
  const original = code.slice(start, end);
  const rest = original.slice(head.length);
  const keepsLines = !/[\n\r\u2028\u2029]/.test(original.slice(0, head.length));
  const text = keepsLines
    ? head + rest.replace(/[^\n\r\u2028\u2029]/g, ' ')
    : `${head} ${original.replace(/[^\n\r\u2028\u2029]/g, '')}`;
  return { start, end, text };
}
