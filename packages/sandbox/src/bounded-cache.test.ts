import { describe, expect, it } from 'vitest';
import { BoundedCache } from './bounded-cache.js';

describe('BoundedCache', () => {
  it('drops the least recently used entry beyond maxEntries', () => {
    const c = new BoundedCache<string, number>({ maxEntries: 2 });
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1); // a is now the most recent
    c.set('c', 3);
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual([1, undefined, 3]);
    expect(c.size).toBe(2);
  });

  it('keeps the total weight under maxWeight and refuses entries heavier than it', () => {
    const c = new BoundedCache<string, string>({ maxEntries: 10, maxWeight: 10, weigh: (k) => k.length });
    c.set('aaaa', 'x');
    c.set('bbbb', 'y');
    c.set('cccc', 'z');
    expect([c.get('aaaa'), c.get('bbbb'), c.get('cccc')]).toEqual([undefined, 'y', 'z']);
    c.set('k'.repeat(11), 'too heavy');
    expect(c.get('k'.repeat(11))).toBeUndefined();
    expect(c.size).toBe(2);
    c.delete('bbbb');
    c.set('dddddd', 'w');
    expect([c.get('cccc'), c.get('dddddd')]).toEqual(['z', 'w']);
    c.clear();
    expect(c.size).toBe(0);
  });
});
