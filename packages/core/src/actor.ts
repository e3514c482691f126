import { z } from 'zod';

import { IntelGraphError } from './errors.js';

const idString = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.@:+-]+$/u, 'only letters, digits and . _ @ : + - are allowed');

/**
 * Zod schema of an org id, the tenant key: 1–200 characters of ASCII letters, digits and `. _ @ : + -`,
 * the rule of {@link ActorSchema}'s `orgId`. Graph and case stores key their rows by it.
 *
 * @example
 * ```ts
 * import { OrgIdSchema } from '@intelgraph/core';
 * OrgIdSchema.safeParse('acme').success; // true
 * OrgIdSchema.safeParse('acme corp').success; // false
 * ```
 */
export const OrgIdSchema = idString;

/**
 * Parses an org id ({@link OrgIdSchema}); anything else is `INVALID_INPUT` with zod-style issues.
 *
 * @example
 * ```ts
 * import { parseOrgId } from '@intelgraph/core';
 * const org = parseOrgId('acme'); // 'acme'
 * parseOrgId(''); // throws IntelGraphError INVALID_INPUT
 * ```
 */
export function parseOrgId(orgId: unknown): string {
  const r = idString.safeParse(orgId);
  if (r.success) return r.data;
  throw new IntelGraphError(
    'INVALID_INPUT',
    `invalid org id: ${r.error.issues[0]?.message ?? 'not a string'}`,
    {
      details: {
        issues: r.error.issues.map((i) => ({ code: i.code, path: ['orgId', ...i.path], message: i.message })),
      },
    },
  );
}

/**
 * Zod schema of an {@link Actor}: who performs an operation, in which org, with which roles.
 *
 * @example
 * ```ts
 * import { ActorSchema } from '@intelgraph/core';
 * ActorSchema.parse({ userId: 'alice', orgId: 'acme', roles: ['analyst'] });
 * ```
 */
export const ActorSchema = z
  .object({
    userId: idString,
    orgId: idString,
    roles: z
      .array(
        z
          .string()
          .min(1)
          .max(64)
          .regex(/^[\w:.-]+$/u),
      )
      .max(64),
  })
  .strict();

/** Who performs an operation: `{ userId, orgId, roles }`. */
export type Actor = z.infer<typeof ActorSchema>;

/**
 * The one normalisation under which two user ids name the same person: Unicode NFKC, then a full case
 * fold (upper then lower case, so `ß`/`SS` and `K`/`k` (Kelvin sign) fold together), NFKC again, and
 * surrounding white space trimmed. Every comparison of identities (self-approval, quorum distinctness,
 * exclusions, appeals) goes through it, so `BOB` cannot approve `bob`'s request.
 *
 * @example
 * ```ts
 * import { canonicalUserId } from '@intelgraph/core';
 * canonicalUserId(' BOB '); // 'bob'
 * canonicalUserId('Straße') === canonicalUserId('STRASSE'); // true
 * ```
 */
export function canonicalUserId(userId: string): string {
  return userId.trim().normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
}

/**
 * Whether two actors are the same identity: the same org (compared exactly: org ids are tenant keys set
 * by the host's auth hook) and the same user under {@link canonicalUserId}.
 *
 * @example
 * ```ts
 * import { sameIdentity } from '@intelgraph/core';
 * sameIdentity({ userId: 'BOB', orgId: 'acme' }, { userId: 'bob', orgId: 'acme' }); // true
 * sameIdentity({ userId: 'bob', orgId: 'acme' }, { userId: 'bob', orgId: 'globex' }); // false
 * ```
 */
export function sameIdentity(
  a: { userId: string; orgId: string },
  b: { userId: string; orgId: string },
): boolean {
  return a.orgId === b.orgId && canonicalUserId(a.userId) === canonicalUserId(b.userId);
}

/**
 * An actor with its user id in canonical form ({@link canonicalUserId}); org and roles unchanged.
 *
 * @example
 * ```ts
 * import { canonicalActor } from '@intelgraph/core';
 * canonicalActor({ userId: 'Bob', orgId: 'acme', roles: ['steward'] }).userId; // 'bob'
 * ```
 */
export function canonicalActor<A extends { userId: string }>(actor: A): A {
  return { ...actor, userId: canonicalUserId(actor.userId) };
}
