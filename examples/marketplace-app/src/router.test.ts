import { describe, expect, it } from 'vitest';
import { href, matchRoute, parseHash } from './router.js';

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

  it('matches known pages and sends anything else to not-found', () => {
    expect(matchRoute([])).toEqual({ page: 'marketplace', tab: 'catalog' });
    expect(matchRoute(['marketplace', 'installed'])).toEqual({ page: 'marketplace', tab: 'installed' });
    expect(matchRoute(['plugins', 'x'])).toEqual({ page: 'plugin', pluginId: 'x' });
    expect(matchRoute(['governance'])).toEqual({ page: 'governance', tab: 'approvals' });
    expect(matchRoute(['moderation'])).toEqual({ page: 'moderation' });
    expect(matchRoute(['runner', 'x'])).toEqual({ page: 'runner', pluginId: 'x', tab: 'run' });
    expect(matchRoute(['runner', 'x', 'audit'])).toEqual({ page: 'runner', pluginId: 'x', tab: 'audit' });
    for (const bad of [
      ['nope'],
      ['marketplace', 'x'],
      ['governance', 'x'],
      ['plugins'],
      ['finops', 'a', 'b'],
      ['runner', 'x', 'y'],
      ['plugins', 'x', 'audit'],
      ['runner', 'x', 'audit', 'y'],
    ])
      expect(matchRoute(bad).page).toBe('not-found');
  });
});
