import type { JsonValue } from '../api/types.js';

/** One line of pretty-printed JSON, with the JSON pointer of the value it shows. */
export interface JsonLine {
  text: string;
  pointer: string;
}

const escapeSegment = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Pretty-prints a JSON value (two-space indent, like `JSON.stringify(v, null, 2)`) and tags each line
 * with the pointer of the value that line belongs to, so diff views can highlight by path.
 */
export function jsonLines(value: JsonValue): JsonLine[] {
  const out: JsonLine[] = [];
  const walk = (v: JsonValue, pointer: string, indent: string, prefix: string, suffix: string) => {
    if (Array.isArray(v)) {
      if (v.length === 0) {
        out.push({ text: `${indent}${prefix}[]${suffix}`, pointer });
        return;
      }
      out.push({ text: `${indent}${prefix}[`, pointer });
      v.forEach((item, i) => {
        walk(item, `${pointer}/${i}`, `${indent}  `, '', i < v.length - 1 ? ',' : '');
      });
      out.push({ text: `${indent}]${suffix}`, pointer });
      return;
    }
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      if (entries.length === 0) {
        out.push({ text: `${indent}${prefix}{}${suffix}`, pointer });
        return;
      }
      out.push({ text: `${indent}${prefix}{`, pointer });
      entries.forEach(([k, item], i) => {
        walk(
          item,
          `${pointer}/${escapeSegment(k)}`,
          `${indent}  `,
          `${JSON.stringify(k)}: `,
          i < entries.length - 1 ? ',' : '',
        );
      });
      out.push({ text: `${indent}}${suffix}`, pointer });
      return;
    }
    out.push({ text: `${indent}${prefix}${JSON.stringify(v)}${suffix}`, pointer });
  };
  walk(value, '', '', '', '');
  return out;
}

/** Whether `pointer` is `path` or lies under it. The root path `''` matches only the root. */
export function isUnder(pointer: string, path: string): boolean {
  if (path === '') return pointer === '';
  return pointer === path || pointer.startsWith(`${path}/`);
}

/** Normalises a path from the API (`/a/b`, `a.b`, `$.a.b` or `a[0]`) to a JSON pointer. */
export function toPointer(path: string): string {
  if (path === '' || path === '/' || path === '$') return '';
  if (path.startsWith('/')) return path;
  const segments = path
    .replace(/^\$\.?/, '')
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((s) => s.length > 0);
  return segments.map((s) => `/${escapeSegment(s)}`).join('');
}

/** Pointers of every leaf (and empty container) in a value, with its JSON text. */
function leaves(value: JsonValue, pointer = '', out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value) && value.length > 0) {
    for (const [i, v] of value.entries()) leaves(v, `${pointer}/${i}`, out);
  } else if (value !== null && typeof value === 'object' && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) leaves(v, `${pointer}/${escapeSegment(k)}`, out);
  } else out.set(pointer, JSON.stringify(value));
  return out;
}

/** Pointers whose values differ between two JSON values (added, removed or changed leaves). */
export function changedPointers(a: JsonValue, b: JsonValue): string[] {
  const la = leaves(a);
  const lb = leaves(b);
  const changed = new Set<string>();
  for (const [p, v] of la) if (lb.get(p) !== v) changed.add(p);
  for (const p of lb.keys()) if (!la.has(p)) changed.add(p);
  return [...changed].sort();
}
