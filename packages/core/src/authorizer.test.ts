import { describe, expect, it } from 'vitest';
import { createAuthorizer, DEFAULT_PERMISSIONS, PERMISSIONS } from './authorizer.js';
import { IntelGraphError } from './errors.js';

const actor = (roles: string[], orgId = 'acme') => ({ userId: 'u1', orgId, roles });

describe('createAuthorizer', () => {
  it('grants each default row to its roles and to nobody else', () => {
    const authz = createAuthorizer();
    for (const p of PERMISSIONS) {
      for (const role of DEFAULT_PERMISSIONS[p].roles) expect(authz.allows(actor([role]), p)).toBe(true);
      expect(authz.allows(actor(['analyst']), p)).toBe(false);
      expect(authz.allows(actor([]), p)).toBe(false);
    }
  });

  it('replaces only the overridden rows', () => {
    const authz = createAuthorizer({ roles: { 'finops.quotas': ['finance'] } });
    expect(authz.allows(actor(['finance']), 'finops.quotas')).toBe(true);
    expect(authz.allows(actor(['admin']), 'finops.quotas')).toBe(false);
    expect(authz.rule('finops.killSwitch').roles).toEqual(['admin']);
  });

  it('counts platform permissions only in a platform org, when platform orgs are configured', () => {
    const authz = createAuthorizer({ platformOrgs: ['ops'] });
    expect(authz.allows(actor(['steward'], 'ops'), 'contracts.change')).toBe(true);
    expect(authz.allows(actor(['steward'], 'acme'), 'contracts.change')).toBe(false);
    // A per-org permission does not care about platform orgs.
    expect(authz.allows(actor(['admin'], 'acme'), 'finops.quotas')).toBe(true);
    expect(() =>
      authz.require(actor(['steward'], 'acme'), 'contracts.change', 'registering contracts'),
    ).toThrow(
      expect.objectContaining({
        code: 'FORBIDDEN',
        message: expect.stringContaining('platform org'),
        details: { permission: 'contracts.change', roles: ['admin', 'steward'], platformOrgs: ['ops'] },
      }),
    );
  });

  it('names the roles when the actor has none of them', () => {
    const authz = createAuthorizer();
    try {
      authz.require(actor(['analyst']), 'finops.quotas', 'setting quotas');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(IntelGraphError);
      expect(err).toMatchObject({
        code: 'FORBIDDEN',
        message: 'setting quotas needs one of the roles admin',
      });
    }
  });

  it('refuses bad options with INVALID_INPUT', () => {
    expect(() => createAuthorizer({ roles: { 'no.such': ['x'] } as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => createAuthorizer({ roles: { 'finops.quotas': [] } })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });

  it('cannot be changed after creation (the table and rules are frozen)', () => {
    const authz = createAuthorizer();
    expect(Object.isFrozen(DEFAULT_PERMISSIONS)).toBe(true);
    expect(() => (authz.rule('finops.quotas').roles as string[]).push('analyst')).toThrow();
    expect(authz.allows(actor(['analyst']), 'finops.quotas')).toBe(false);
  });
});
