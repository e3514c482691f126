import { z } from 'zod';

const idString = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.@:+-]+$/u, 'only letters, digits and . _ @ : + - are allowed');

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

/** Who performs an operation: the seed's `{ userId, orgId, roles }`. */
export type Actor = z.infer<typeof ActorSchema>;
