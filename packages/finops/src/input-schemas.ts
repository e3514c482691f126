import { z } from 'zod';

/**
 * An org, plugin or run id: letters, digits and `. _ @ : + -`, at most 200 characters.
 *
 * @example
 * ```ts
 * IdSchema.parse('sample-enricher'); // ok; IdSchema.safeParse('a|b').success === false
 * ```
 */
export const IdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.@:+-]+$/u, 'only letters, digits and . _ @ : + - are allowed');

/**
 * A whole, non-negative amount of a metered resource.
 *
 * @example
 * ```ts
 * AmountSchema.parse(3); // 3; AmountSchema.safeParse(1.5).success === false
 * ```
 */
export const AmountSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/**
 * `calls`, `cpuMs` or `rows`.
 *
 * @example
 * ```ts
 * QuotaResourceSchema.parse('cpuMs');
 * ```
 */
export const QuotaResourceSchema = z.enum(['calls', 'cpuMs', 'rows']);

/**
 * `minute`, `hour`, `day` or `month`.
 *
 * @example
 * ```ts
 * QuotaWindowSchema.parse('month');
 * ```
 */
export const QuotaWindowSchema = z.enum(['minute', 'hour', 'day', 'month']);

/**
 * `{ org, plugin? }`.
 *
 * @example
 * ```ts
 * QuotaScopeSchema.parse({ org: 'acme', plugin: 'sample-enricher' });
 * ```
 */
export const QuotaScopeSchema = z.object({ org: IdSchema, plugin: IdSchema.optional() }).strict();
