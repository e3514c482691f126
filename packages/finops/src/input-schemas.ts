import { z } from 'zod';

/** An org, plugin or run id: letters, digits and `. _ @ : + -`, at most 200 characters. */
export const IdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.@:+-]+$/u, 'only letters, digits and . _ @ : + - are allowed');

/** A whole, non-negative amount of a metered resource. */
export const AmountSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** `calls`, `cpuMs` or `rows`. */
export const QuotaResourceSchema = z.enum(['calls', 'cpuMs', 'rows']);

/** `minute`, `hour`, `day` or `month`. */
export const QuotaWindowSchema = z.enum(['minute', 'hour', 'day', 'month']);

/** `{ org, plugin? }`. */
export const QuotaScopeSchema = z.object({ org: IdSchema, plugin: IdSchema.optional() }).strict();
