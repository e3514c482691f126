import type { MigrationOperation } from '@intelgraph/contracts';
import { z } from 'zod';
import { NameSchema } from './inputs.js';
import { MAX_RULE_SAMPLES } from './review-kinds.js';

const Version = z.number().int().min(1).max(2_147_483_647);

/**
 * Input of `host.registerMigrationRule`: the rule (JSON Patch operations between two adjacent versions,
 * parsed in full by `@intelgraph/contracts`), its golden samples and the reason shown to reviewers.
 *
 * @example
 * ```ts
 * import { MigrationRuleRequestInput } from '@intelgraph/host';
 * MigrationRuleRequestInput.safeParse({ subject: 'person', from: 1, to: 2, operations: [], samples: [], reason: 'r' }).success; // true
 * ```
 */
export const MigrationRuleRequestInput = z
  .object({
    subject: NameSchema,
    from: Version,
    to: Version,
    operations: z.array(z.json()).max(200),
    description: z.string().max(500).optional(),
    samples: z.array(z.json()).max(MAX_RULE_SAMPLES),
    reason: z.string().trim().min(1).max(2000),
  })
  .strict();

/** What `host.registerMigrationRule` takes. */
export type MigrationRuleRequest = Omit<z.input<typeof MigrationRuleRequestInput>, 'operations'> & {
  operations: MigrationOperation[];
};

/**
 * Input of `host.deprecateContractVersion`: `until` is an ISO-8601 date-time (the end of the window),
 * or `null` to lift the deprecation.
 *
 * @example
 * ```ts
 * import { DeprecateVersionInput } from '@intelgraph/host';
 * DeprecateVersionInput.parse({ subject: 'person', version: 1, until: '2027-01-01T00:00:00Z', reason: 'v3 is out' });
 * ```
 */
export const DeprecateVersionInput = z
  .object({
    subject: NameSchema,
    version: Version,
    until: z.iso.datetime({ offset: true }).nullable(),
    reason: z.string().trim().min(1).max(2000),
  })
  .strict();
