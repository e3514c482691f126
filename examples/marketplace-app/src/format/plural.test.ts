import { describe, expect, it } from 'vitest';
import { plural } from './plural.js';

describe('plural', () => {
  it('picks the singular for one and the plural otherwise', () => {
    expect(plural(0, 'rating')).toBe('0 ratings');
    expect(plural(1, 'install')).toBe('1 install');
    expect(plural(1200, 'install')).toBe('1,200 installs');
    expect(plural(2, 'policy', 'policies')).toBe('2 policies');
  });
});
