import { z } from 'zod';

// Lone UTF-16 surrogates: not Unicode text, and not storable as such (PostgreSQL rejects them in JSONB).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Control characters, NUL included (PostgreSQL TEXT cannot hold NUL at all), and the bidirectional
// overrides and isolates that make an id read differently from what it is ("Trojan Source").
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;

/**
 * An identifier or name a caller passes to the host (plugin id, contract subject): 1–200 characters of
 * well-formed text without control characters, so it can be stored, logged and compared safely.
 * Internal to the host's boundary checks.
 */
export const NameSchema = z
  .string()
  .min(1)
  .max(200)
  .refine((s) => !CONTROL.test(s), 'control and bidirectional-override characters are not allowed')
  .refine((s) => !LONE_SURROGATE.test(s), 'must be well-formed Unicode (no lone surrogates)');
