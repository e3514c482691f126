import { z } from 'zod';
import { IntelGraphError } from './errors.js';
import { findDangerousKeys, issuesFromZod, type ValidationResult } from './validation.js';
import { parseVersionRange } from './version-range.js';

// Semantic Versioning 2.0.0, the regex published at semver.org.
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** A capability resource name such as `graph` or `cases` (also rejects `__proto__` and friends). */
const RESOURCE = /^[a-z][a-z0-9-]{0,31}$/;
const ACTION = /^[a-z][a-z0-9*-]{0,31}$/;
/** A scope string: `resource:action`, for example `graph:read`, `use:nl2cypher`, `net:api.example.com:443`. */
export const SCOPE_PATTERN = /^[a-z][a-z0-9-]{0,31}:[a-z0-9*][a-z0-9*.-]{0,252}(:\d{1,5})?$/;

const hostPattern = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/,
    'must be a host name, optionally *.-prefixed, with an optional port',
  );

/** `network: false` (the default) or an allowlist of hosts. */
export const NetworkCapabilitySchema = z.union([
  z.literal(false),
  z.object({ allow: z.array(hostPattern).min(1).max(64) }).strict(),
]);

const actionList = z.array(z.string().regex(ACTION, 'must be a lowercase action name')).max(16);

function capabilityObject() {
  return z
    .object({ network: NetworkCapabilitySchema.optional() })
    .catchall(actionList)
    .superRefine((caps, ctx) => {
      for (const key of Object.keys(caps)) {
        if (key !== 'network' && !RESOURCE.test(key)) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `"${key}" is not a capability resource name`,
          });
        }
      }
      if (Object.keys(caps).length > 32)
        ctx.addIssue({ code: 'custom', path: [], message: 'at most 32 resources' });
    });
}

const schemaRef = z
  .object({
    subject: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[\w.-]+$/),
    /** Exactly this version. */
    version: z.number().int().positive().max(999_999_999).optional(),
    /** Any of these versions. */
    versions: z.array(z.number().int().positive().max(999_999_999)).min(1).max(64).optional(),
    /** A range of versions, e.g. `>=1 <3` (see `parseVersionRange`). */
    range: z
      .string()
      .max(100)
      .superRefine((text, ctx) => {
        try {
          parseVersionRange(text);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
        }
      })
      .optional(),
  })
  .strict()
  .refine(
    (r) => [r.version, r.versions, r.range].filter((x) => x !== undefined).length <= 1,
    'name at most one of version, versions and range',
  );

/**
 * Zod schema of a plugin manifest. It accepts the original manifest form (`name`, `version`, `entry`,
 * `capabilities`, `permissions`, `budgets`) unchanged and adds
 * `description`, `publisher`, `tags`, `inputSchema`/`outputSchema`, `network` allowlists, `budgets.cpuMs`,
 * `budgets.outputKB`, `optionalCapabilities` and per-scope `reasons`. Unknown keys are rejected.
 *
 * @example
 * ```ts
 * import { PluginManifestSchema } from '@intelgraph/core';
 * PluginManifestSchema.parse({
 *   name: 'sample-enricher', version: '0.1.0', entry: 'index.js',
 *   capabilities: { graph: ['read'], cases: ['read', 'write'], network: false },
 *   budgets: { ms: 800, memoryMB: 256, rows: 50000 },
 *   permissions: ['use:nl2cypher'],
 * });
 * ```
 */
export const PluginManifestSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be a lowercase package-style name (max 64)'),
    version: z.string().max(128).regex(SEMVER, 'must be a semantic version such as 1.2.3'),
    entry: z
      .string()
      .min(1)
      .max(256)
      .regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[\w./-]+$/, 'must be a relative path inside the package'),
    description: z.string().max(2000).optional(),
    publisher: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/)
      .optional(),
    tags: z.array(z.string().min(1).max(40)).max(20).optional(),
    capabilities: capabilityObject().default({}),
    optionalCapabilities: capabilityObject().optional(),
    permissions: z
      .array(z.string().regex(SCOPE_PATTERN, 'must be a scope such as use:nl2cypher'))
      .max(64)
      .optional(),
    reasons: z.record(z.string().regex(SCOPE_PATTERN), z.string().min(1).max(500)).optional(),
    budgets: z
      .object({
        ms: z.number().int().positive().max(3_600_000).optional(),
        cpuMs: z.number().int().positive().max(3_600_000).optional(),
        memoryMB: z.number().int().min(8).max(8192).optional(),
        rows: z.number().int().nonnegative().max(1_000_000_000).optional(),
        outputKB: z.number().int().positive().max(1_048_576).optional(),
        logKB: z.number().int().positive().max(1_048_576).optional(),
      })
      .strict()
      .default({}),
    inputSchema: schemaRef.optional(),
    outputSchema: schemaRef.optional(),
  })
  .strict();

/** A validated plugin manifest. */
export type PluginManifest = z.output<typeof PluginManifestSchema>;
/** A manifest as authors write it (defaults not yet applied). */
export type PluginManifestInput = z.input<typeof PluginManifestSchema>;
/** The budgets block of a manifest. */
export type ManifestBudgets = PluginManifest['budgets'];

/**
 * Validates a manifest and returns it with defaults applied, or throws `INVALID_INPUT` whose
 * `details.issues` lists every problem with its path.
 *
 * @example
 * ```ts
 * import { parseManifest } from '@intelgraph/core';
 * const m = parseManifest(JSON.parse(text));
 * m.budgets.ms; // number | undefined
 * ```
 */
export function parseManifest(input: unknown): PluginManifest {
  const r = validateManifest(input);
  if (r.ok) return r.value;
  throw new IntelGraphError(
    'INVALID_INPUT',
    `invalid plugin manifest: ${r.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    { details: { issues: r.issues } },
  );
}

/**
 * Non-throwing form of {@link parseManifest}.
 *
 * @example
 * ```ts
 * import { validateManifest } from '@intelgraph/core';
 * const r = validateManifest({ name: 'x' });
 * if (!r.ok) r.issues.map((i) => i.path.join('.')); // ['version', 'entry']
 * ```
 */
export function validateManifest(input: unknown): ValidationResult<PluginManifest> {
  const dangerous = findDangerousKeys(input, 16);
  if (dangerous.length > 0) return { ok: false, issues: dangerous };
  const r = PluginManifestSchema.safeParse(input);
  return r.success ? { ok: true, value: r.data } : { ok: false, issues: issuesFromZod(r.error) };
}
