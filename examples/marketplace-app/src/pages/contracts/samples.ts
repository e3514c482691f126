import type { JsonValue } from '../../api/types.js';

export type SamplesResult = { ok: true; records: JsonValue[] } | { ok: false; message: string };

/**
 * Reads pasted or uploaded samples: a JSON array of records, one JSON record, or NDJSON (one record
 * per line).
 */
export function parseSamples(text: string): SamplesResult {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, message: 'Paste or upload at least one record' };
  try {
    const value = JSON.parse(trimmed) as JsonValue;
    return { ok: true, records: Array.isArray(value) ? value : [value] };
  } catch {
    // not one JSON document: try NDJSON
  }
  const records: JsonValue[] = [];
  const lines = trimmed.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim() ?? '';
    if (line === '') continue;
    try {
      records.push(JSON.parse(line) as JsonValue);
    } catch (err) {
      const why = err instanceof Error ? err.message : 'invalid JSON';
      return { ok: false, message: `Line ${i + 1} is not JSON: ${why}` };
    }
  }
  return { ok: true, records };
}

/** The samples as the editor shows them: a pretty JSON array. */
export function formatSamples(records: JsonValue[]): string {
  return JSON.stringify(records, null, 2);
}
