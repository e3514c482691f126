import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../api/types.js';
import { formatSamples, parseSamples } from './samples.js';

describe('parseSamples', () => {
  it('reads a JSON array as the records', () => {
    expect(parseSamples('[{"a":1},{"a":2}]')).toEqual({ ok: true, records: [{ a: 1 }, { a: 2 }] });
  });

  it('reads one JSON object as one record', () => {
    expect(parseSamples(' {"a":1} ')).toEqual({ ok: true, records: [{ a: 1 }] });
  });

  it('reads NDJSON, skipping blank lines', () => {
    expect(parseSamples('{"a":1}\n\n{"a":2}\r\n')).toEqual({ ok: true, records: [{ a: 1 }, { a: 2 }] });
  });

  it('names the first bad line', () => {
    const r = parseSamples('{"a":1}\n{oops}\n');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/^Line 2 is not JSON/);
  });

  it('refuses empty input', () => {
    expect(parseSamples('  ').ok).toBe(false);
  });

  it('formats records back into a parseable array', () => {
    const records: JsonValue[] = [{ a: 1 }, { b: [2] }];
    expect(parseSamples(formatSamples(records))).toEqual({ ok: true, records });
  });
});
