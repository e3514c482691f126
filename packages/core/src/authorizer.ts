import { z } from 'zod';
import type { Actor } from './actor.js';
import { IntelGraphError } from './errors.js';
import { parseInput } from './validation.js';

/**
 * Who may do what, by default: one row per permission, the roles that hold it and whether the role
 * must be held in a platform org (`platformOrgs`; every org counts when none are configured). The docs
 * (`docs/authorization.md`) quote this table; a host changes a row with `createAuthorizer({ roles })`.
 *
 * Governance approvers are not here: a policy chooses them per request (see `defaultPolicies`).
 *
 * @example
 * ```ts
 * import { DEFAULT_PERMISSIONS } from '@intelgraph/core';
 * DEFAULT_PERMISSIONS['finops.quotas'].roles; // ['admin']
 * ```
 */
export const DEFAULT_PERMISSIONS = Object.freeze({
  /** Install, update, consent to capabilities, change optional scopes, uninstall (in the actor's org). */
  'plugins.install': { roles: ['admin', 'plugin-admin'], platform: false },
  /** Review abuse reports, hide and restore versions in the catalog (every org sees the catalog). */
  'plugins.moderate': { roles: ['moderator'], platform: true },
  /** Trust and revoke publisher keys, yank another publisher's version. */
  'plugins.operate': { roles: ['marketplace-admin'], platform: true },
  /** Register a contract version or migration rule, deprecate a version, change enforcement. */
  'contracts.change': { roles: ['admin', 'steward'], platform: true },
  /** Set the org's quotas. */
  'finops.quotas': { roles: ['admin'], platform: false },
  /** Engage or release the org's or a plugin's kill switch (for the actor's org). */
  'finops.killSwitch': { roles: ['admin'], platform: false },
  /** Engage or release the global kill switch (every org, every plugin). */
  'finops.globalKillSwitch': { roles: ['platform-admin'], platform: true },
  /** See every review task of the org, any task's audit, and the org-wide dashboard. */
  'governance.audit': { roles: ['admin', 'auditor'], platform: false },
  /** Re-execute a recorded run of the org. */
  'runs.replay': { roles: ['auditor', 'admin'], platform: false },
  /**
   * Read `/metrics` and `/readyz` details through the auth hook. They cover every org, so a tenant that
   * gives itself `operator` must not see them: platform-only.
   */
  'observability.read': { roles: ['operator'], platform: true },
} as const satisfies Record<string, PermissionRule>);

/** One row of the permission table. */
export interface PermissionRule {
  /** Any one of these roles grants the permission. */
  readonly roles: readonly string[];
  /** The role counts only in a platform org (`platformOrgs`; every org when none are configured). */
  readonly platform: boolean;
}

/** A permission the host checks; the keys of {@link DEFAULT_PERMISSIONS}. */
export type Permission = keyof typeof DEFAULT_PERMISSIONS;

/** The permission names, in table order. */
export const PERMISSIONS = Object.freeze(Object.keys(DEFAULT_PERMISSIONS) as Permission[]);

/** Options of {@link createAuthorizer}. */
export interface AuthorizerOptions {
  /** Replaces the roles of some permissions (the other rows keep their defaults). */
  roles?: Partial<Record<Permission, readonly string[]>>;
  /**
   * Orgs whose members may hold platform-wide permissions (rows with `platform: true`). Unset: every org
   * (one-org deployments). Set it whenever tenants share the host.
   */
  platformOrgs?: readonly string[];
}

/** Decides whether an actor holds a permission; one instance serves a whole host. */
export interface Authorizer {
  /** The effective rule of a permission (its roles after the host's overrides). */
  rule(permission: Permission): PermissionRule;
  /** True when the actor holds one of the permission's roles (in a platform org where required). */
  allows(actor: Actor, permission: Permission): boolean;
  /**
   * Throws `FORBIDDEN` unless {@link Authorizer.allows}; `what` names the operation in the message.
   * `details` carries `permission`, `roles` and, for platform permissions, `platformOrgs`.
   */
  require(actor: Actor, permission: Permission, what: string): void;
  /** True when `orgId` is a platform org (always true when none are configured). */
  isPlatformOrg(orgId: string): boolean;
}

const RoleList = z.array(z.string().min(1).max(100)).min(1).max(64);
const OptionsSchema = z
  .object({
    roles: z.partialRecord(z.enum(PERMISSIONS as [Permission, ...Permission[]]), RoleList).optional(),
    platformOrgs: z.array(z.string().min(1).max(200)).max(1000).optional(),
  })
  .strict();

/**
 * The host's one authorizer. Every role check in the packages goes through it, so a deployment changes
 * who may do what in one place (the host options' `authorization`).
 *
 * @example
 * ```ts
 * import { createAuthorizer } from '@intelgraph/core';
 * const authz = createAuthorizer({ roles: { 'finops.quotas': ['admin', 'finance'] }, platformOrgs: ['ops'] });
 * authz.require({ userId: 'ann', orgId: 'acme', roles: ['finance'] }, 'finops.quotas', 'setting quotas');
 * ```
 */
export function createAuthorizer(options: AuthorizerOptions = {}): Authorizer {
  const o = parseInput(OptionsSchema, options, 'authorization options');
  const platformOrgs = o.platformOrgs ? new Set(o.platformOrgs) : null;
  const rules = new Map<Permission, PermissionRule>();
  for (const p of PERMISSIONS) {
    const override = o.roles?.[p];
    rules.set(
      p,
      Object.freeze({
        roles: Object.freeze([...(override ?? DEFAULT_PERMISSIONS[p].roles)]),
        platform: DEFAULT_PERMISSIONS[p].platform,
      }),
    );
  }
  const ruleOf = (permission: Permission): PermissionRule => {
    const r = rules.get(permission);
    if (!r) throw new IntelGraphError('INVALID_INPUT', `unknown permission: ${String(permission)}`);
    return r;
  };
  const isPlatformOrg = (orgId: string) => platformOrgs === null || platformOrgs.has(orgId);
  const allows = (actor: Actor, permission: Permission) => {
    const r = ruleOf(permission);
    return actor.roles.some((role) => r.roles.includes(role)) && (!r.platform || isPlatformOrg(actor.orgId));
  };
  return {
    rule: ruleOf,
    isPlatformOrg,
    allows,
    require(actor, permission, what) {
      if (allows(actor, permission)) return;
      const r = ruleOf(permission);
      const hasRole = actor.roles.some((role) => r.roles.includes(role));
      const platform = r.platform && platformOrgs !== null ? { platformOrgs: [...platformOrgs] } : {};
      throw new IntelGraphError(
        'FORBIDDEN',
        hasRole
          ? `${what} is platform-wide: it needs one of the roles ${r.roles.join(', ')} in a platform org`
          : `${what} needs one of the roles ${r.roles.join(', ')}`,
        { details: { permission, roles: [...r.roles], ...platform } },
      );
    },
  };
}
