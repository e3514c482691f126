import { describe, expect, it } from 'vitest';
import { href, parseHash } from './router.js';

describe('hash routes', () => {
  it('parses segments and query parameters', () => {
    const r = parseHash('#/governance/requests?task=t-1');
    expect(r.segments).toEqual(['governance', 'requests']);
    expect(r.params.get('task')).toBe('t-1');
  });

  it('treats an empty hash as the root', () => {
    expect(parseHash('').segments).toEqual([]);
    expect(parseHash('#/').segments).toEqual([]);
  });

  it('round-trips segments that need encoding', () => {
    const link = href(['plugins', 'a/b c'], { q: 'x y', empty: '', none: undefined });
    expect(link).toBe('#/plugins/a%2Fb%20c?q=x+y');
    expect(parseHash(link).segments).toEqual(['plugins', 'a/b c']);
  });

  it('keeps a malformed escape as written', () => {
    expect(parseHash('#/plugins/%E0%A4%A').segments).toEqual(['plugins', '%E0%A4%A']);
  });
});
