import { ScopeSchema } from '@intelgraph/capabilities';
import { IntelGraphError, issuesFromZod } from '@intelgraph/core';
import type { ReviewTaskView } from '@intelgraph/governance';
import { z } from 'zod';
import { NameSchema } from './inputs.js';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/u);
const Scopes = z.array(ScopeSchema).max(128);
const PluginRef = { pluginId: NameSchema, version: z.string().min(1).max(100) };

/** Payload of an `export` review: built by `host.contracts.export` from the batch it attaches as evidence. */
export const ExportPayloadSchema = z
  .object({
    subject: NameSchema,
    /** The number of records in the attached batch (the policy's threshold is checked against it). */
    records: z.number().int().min(1),
    destination: z.string().max(2000).nullable(),
    /** SHA-256 of the batch's canonical JSON, which is also the attachment's content address. */
    digest: Sha256,
    /** The contract version the consumer asked for (delivered migrated down from the current one). */
    version: z.number().int().min(1).max(2_147_483_647).optional(),
  })
  .strict();

/** Payload of a `plugin_install` review: built by `host.plugins.install`, `setOptionalScopes` or consent. */
export const PluginInstallPayloadSchema = z.discriminatedUnion('action', [
  z
    .object({
      action: z.literal('install'),
      ...PluginRef,
      /** Every scope the plugin would hold. */
      scopes: Scopes,
      /** The optional scopes the org chose (a subset of `scopes`). */
      optional: Scopes,
      adding: Scopes,
    })
    .strict(),
  z.object({ action: z.literal('consent'), ...PluginRef, scopes: Scopes, adding: Scopes }).strict(),
  z
    .object({
      action: z.literal('optional'),
      ...PluginRef,
      scopes: Scopes,
      /** The whole optional set the org asked for (what `setOptionalScopes` is called with). */
      optional: Scopes,
      adding: Scopes,
    })
    .strict(),
]);

/** Payload of an `entity_merge` review: built by `host.governance.mergeEntities`. */
export const EntityMergePayloadSchema = z
  .object({ survivorId: NameSchema, mergedId: NameSchema })
  .strict()
  .refine((p) => p.survivorId !== p.mergedId, 'an entity cannot be merged into itself');

/** Payload of a `contract_enforcement` review: built by `host.contracts.setEnforcement`. */
export const ContractEnforcementPayloadSchema = z
  .object({
    subject: NameSchema,
    edge: z.enum(['ingest', 'export']),
    mode: z.enum(['enforce', 'warn', 'off']),
  })
  .strict();

/** The most golden samples a governed rule registration carries in its payload. */
export const MAX_RULE_SAMPLES = 100;

/**
 * Payload of a `contract_migration_rule` review: built by `host.contracts.registerMigrationRule`. The operations
 * are parsed again by `@intelgraph/contracts` (JSON Patch with the rules' own schema) at request and at
 * apply time; the samples are the golden samples its contract test runs over, both times.
 */
export const ContractMigrationRulePayloadSchema = z
  .object({
    subject: NameSchema,
    from: z.number().int().min(1).max(2_147_483_647),
    to: z.number().int().min(1).max(2_147_483_647),
    operations: z.array(z.json()).max(200),
    description: z.string().max(500).nullable(),
    samples: z.array(z.json()).max(MAX_RULE_SAMPLES),
  })
  .strict()
  .refine((p) => Math.abs(p.from - p.to) === 1, 'a rule links two adjacent versions (to = from ± 1)');

/**
 * The review kinds the host owns, with the zod schema of each payload: the one table they are all
 * derived from. Tasks of these kinds are opened only by the host operation that owns them (never
 * through `host.governance.request` or GraphQL), and every applier parses its
 * payload with the schema here. A new host kind is a new row.
 *
 * @example
 * ```ts
 * import { HOST_OWNED_KINDS } from '@intelgraph/host';
 * HOST_OWNED_KINDS.export.kind; // 'export'
 * HOST_OWNED_KINDS.export.payload.safeParse({ subject: 'person', records: 1 }).success; // false (no digest)
 * ```
 */
export const HOST_OWNED_KINDS = Object.freeze({
  /** A data export that passed its contract (approved by the policy under its threshold). */
  export: { kind: 'export', payload: ExportPayloadSchema },
  /** Installing, re-consenting or opting into scopes that leave a plugin high-risk. */
  pluginInstall: { kind: 'plugin_install', payload: PluginInstallPayloadSchema },
  /** Merging two graph entities. */
  entityMerge: { kind: 'entity_merge', payload: EntityMergePayloadSchema },
  /** Switching a contract's enforcement mode for an edge. */
  contractEnforcement: { kind: 'contract_enforcement', payload: ContractEnforcementPayloadSchema },
  /** Registering or changing a migration rule between two versions of a contract. */
  contractMigrationRule: { kind: 'contract_migration_rule', payload: ContractMigrationRulePayloadSchema },
} as const);

/** The table's row names (`export`, `pluginInstall`, …). */
export type HostOwnedKind = keyof typeof HOST_OWNED_KINDS;

/** The payload type of a host-owned kind. */
export type HostKindPayload<K extends HostOwnedKind> = z.output<(typeof HOST_OWNED_KINDS)[K]['payload']>;

/**
 * The kind strings of {@link HOST_OWNED_KINDS}: what governance refuses from anyone but the host.
 *
 * @example
 * ```ts
 * import { HOST_OWNED_KIND_NAMES } from '@intelgraph/host';
 * HOST_OWNED_KIND_NAMES.includes('plugin_install'); // true
 * ```
 */
export const HOST_OWNED_KIND_NAMES: readonly string[] = Object.freeze(
  Object.values(HOST_OWNED_KINDS).map((k) => k.kind),
);

/**
 * Parses the payload of a task of a host-owned kind with its schema: `INVALID_INPUT` (with paths
 * under `payload`) when the task is not of that kind or its payload does not parse.
 */
export function parseOwnedPayload<K extends HostOwnedKind>(
  row: K,
  task: Pick<ReviewTaskView, 'id' | 'kind' | 'payload'>,
): HostKindPayload<K> {
  const spec = HOST_OWNED_KINDS[row];
  if (task.kind !== spec.kind)
    throw new IntelGraphError('INVALID_INPUT', `review ${task.id} is a ${task.kind}, not a ${spec.kind}`);
  const r = spec.payload.safeParse(task.payload);
  if (!r.success)
    throw new IntelGraphError('INVALID_INPUT', `review ${task.id} carries an invalid ${spec.kind} payload`, {
      details: {
        issues: issuesFromZod(r.error).map((i) => ({ ...i, path: ['payload', ...i.path] })),
      },
    });
  return r.data as HostKindPayload<K>;
}
