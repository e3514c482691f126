import { describe, expect, it } from 'vitest';
import { messageAfterPath, plural } from './plural.js';

describe('plural', () => {
  it('picks the singular for one and the plural otherwise', () => {
    expect(plural(0, 'rating')).toBe('0 ratings');
    expect(plural(1, 'install')).toBe('1 install');
    expect(plural(1200, 'install')).toBe('1,200 installs');
    expect(plural(2, 'policy', 'policies')).toBe('2 policies');
  });
});

describe('messageAfterPath', () => {
  it('drops a leading path the message repeats, and keeps any other message', () => {
    expect(messageAfterPath('/q', '/q must be string')).toBe('must be string');
    expect(messageAfterPath('/q', 'must be string')).toBe('must be string');
    expect(messageAfterPath('', ' is required')).toBe(' is required');
  });
});
