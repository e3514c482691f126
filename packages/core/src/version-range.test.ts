import { describe, expect, it } from 'vitest';
import { parseManifest } from './manifest.js';
import { acceptsContractVersion, parseVersionRange, versionInRange } from './version-range.js';

const accepted = (range: string) =>
  [1, 2, 3, 4, 5, 6].filter((v) => versionInRange(parseVersionRange(range), v));

describe('contract version ranges', () => {
  it('parses comparators, conjunctions and alternatives', () => {
    expect(accepted('>=1 <3')).toEqual([1, 2]);
    expect(accepted('2')).toEqual([2]);
    expect(accepted('=2 || >4')).toEqual([2, 5, 6]);
    expect(accepted('<=2 ||  >=5 <6')).toEqual([1, 2, 5]);
    expect(accepted('>3 <2')).toEqual([]);
  });

  it('refuses hostile or malformed ranges with INVALID_INPUT', () => {
    for (const bad of [
      '',
      '   ',
      '>=',
      '1.0.0',
      '^1',
      '>=0',
      '>=-1',
      'x',
      '1e3',
      '>= 1',
      '||',
      `${'1 '.repeat(60)}`,
      12,
      null,
      {},
    ])
      expect(() => parseVersionRange(bad)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('answers what a manifest reference accepts', () => {
    expect(acceptsContractVersion({ version: 2 }, 2)).toBe(true);
    expect(acceptsContractVersion({ version: 2 }, 3)).toBe(false);
    expect(acceptsContractVersion({ versions: [1, 3] }, 3)).toBe(true);
    expect(acceptsContractVersion({ versions: [1, 3] }, 2)).toBe(false);
    expect(acceptsContractVersion({ range: '<3' }, 2)).toBe(true);
    expect(acceptsContractVersion({}, 9)).toBe(true);
  });

  it('validates version, versions and range in manifests, one at a time', () => {
    const base = { name: 'p', version: '1.0.0', entry: 'index.js' };
    expect(
      parseManifest({ ...base, inputSchema: { subject: 'person', range: '>=1 <3' } }).inputSchema,
    ).toEqual({
      subject: 'person',
      range: '>=1 <3',
    });
    expect(
      parseManifest({ ...base, outputSchema: { subject: 'person', versions: [1, 2] } }).outputSchema,
    ).toEqual({
      subject: 'person',
      versions: [1, 2],
    });
    for (const bad of [
      { subject: 'person', range: 'latest' },
      { subject: 'person', versions: [] },
      { subject: 'person', versions: [0] },
      { subject: 'person', versions: ['1'] },
      { subject: 'person', version: 1, range: '>=1' },
      { subject: 'person', version: 1.5 },
      { subject: 'person', range: '>=1'.padEnd(200, ' ') },
    ])
      expect(() => parseManifest({ ...base, inputSchema: bad })).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
  });
});
