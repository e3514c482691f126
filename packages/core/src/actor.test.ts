import { describe, expect, it } from 'vitest';
import { canonicalActor, canonicalUserId, sameIdentity } from './actor.js';

describe('identity normalisation', () => {
  it('folds case, compatibility forms and surrounding space', () => {
    expect(canonicalUserId(' BOB ')).toBe('bob');
    expect(canonicalUserId('Straße')).toBe(canonicalUserId('STRASSE'));
    // Kelvin sign and full-width letters are compatibility forms of k and b.
    expect(canonicalUserId('\u212Aate')).toBe('kate');
    expect(canonicalUserId('\uFF22ob')).toBe('bob');
  });

  it('compares users within an org only', () => {
    expect(sameIdentity({ userId: 'BOB', orgId: 'acme' }, { userId: 'bob', orgId: 'acme' })).toBe(true);
    expect(sameIdentity({ userId: 'bob', orgId: 'acme' }, { userId: 'bob', orgId: 'globex' })).toBe(false);
    expect(sameIdentity({ userId: 'bob', orgId: 'acme' }, { userId: 'bobby', orgId: 'acme' })).toBe(false);
  });

  it('keeps org and roles when canonicalising an actor', () => {
    expect(canonicalActor({ userId: 'Bob', orgId: 'Acme', roles: ['Steward'] })).toEqual({
      userId: 'bob',
      orgId: 'Acme',
      roles: ['Steward'],
    });
  });
});
