import type { JsonValue } from '../../api/types.js';
import { plural } from '../../format/plural.js';

/** A run's output as people read it: one sentence, a few item lines, and labels for entity ids. */
export interface OutputSummary {
  summary: string;
  items: string[];
  /** Entity id → its label, where the output names both. */
  labels: Map<string, string>;
}

type JsonObject = { [key: string]: JsonValue };
const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_ITEMS = 10;

function nameOf(o: JsonObject): string | null {
  for (const k of ['label', 'name', 'title']) if (typeof o[k] === 'string') return o[k] as string;
  return null;
}

function itemLine(o: JsonObject): string {
  const name = nameOf(o);
  const id = typeof o.id === 'string' ? o.id : null;
  const parts = [name && id ? `${name} (${id})` : (name ?? id ?? 'item')];
  if (typeof o.type === 'string') parts.push(o.type);
  if (typeof o.score === 'number') parts.push(`score ${o.score.toFixed(2)}`);
  return parts.join(' · ');
}

/**
 * Summarizes a plugin's output: a list of entities becomes "3 results" with a line per entity (label,
 * id, type, score); an object lists its fields; anything else is shown as is.
 */
export function summarizeOutput(value: JsonValue | undefined): OutputSummary {
  const labels = new Map<string, string>();
  if (value === undefined || value === null) return { summary: 'No output.', items: [], labels };
  if (Array.isArray(value)) {
    const objects = value.filter(isObject);
    for (const o of objects) {
      const name = nameOf(o);
      if (typeof o.id === 'string' && name) labels.set(o.id, name);
    }
    const items = objects.slice(0, MAX_ITEMS).map(itemLine);
    const more = value.length > MAX_ITEMS ? ` (first ${MAX_ITEMS} shown)` : '';
    return { summary: `${plural(value.length, 'result')}${more}.`, items, labels };
  }
  if (isObject(value)) {
    const keys = Object.keys(value);
    const items = keys.slice(0, MAX_ITEMS).map((k) => {
      const v = value[k];
      const shown = Array.isArray(v)
        ? plural(v.length, 'item')
        : isObject(v)
          ? plural(Object.keys(v).length, 'field')
          : String(v);
      return `${k}: ${shown}`;
    });
    return { summary: `An object with ${plural(keys.length, 'field')}.`, items, labels };
  }
  return { summary: String(value), items: [], labels };
}
