import { describe, expect, it } from 'vitest';
import { canonicalActor, canonicalUserId, OrgIdSchema, parseOrgId, sameIdentity } from './actor.js';
import { isIntelGraphError } from './errors.js';

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

  it('parses org ids with the Actor.orgId rule, exactly, and refuses anything else as INVALID_INPUT', () => {
    expect(parseOrgId('acme-labs.eu:prod+1@x_y')).toBe('acme-labs.eu:prod+1@x_y');
    expect(parseOrgId('Acme')).toBe('Acme'); // org ids are tenant keys: no case folding
    for (const bad of ['', ' acme', 'acme corp', 'a/b', 'acme\u0000', 'x'.repeat(201), 'ácme', 42, null]) {
      let code: unknown;
      try {
        parseOrgId(bad);
      } catch (err) {
        code = isIntelGraphError(err) ? err.code : err;
      }
      expect(code, String(bad)).toBe('INVALID_INPUT');
    }
    expect(OrgIdSchema.safeParse('acme').success).toBe(true);
  });
});
