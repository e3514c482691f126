import { POLICY_CHANGE_KIND, type PolicyInput } from '@intelgraph/governance';
import { HOST_OWNED_KINDS, type HostOwnedKind } from './review-kinds.js';

type OwnedKindNames = { readonly [K in HostOwnedKind]: (typeof HOST_OWNED_KINDS)[K]['kind'] };

/**
 * Request kinds the host routes through governance: every kind of {@link HOST_OWNED_KINDS} (opened only
 * by the host operation owning it) and `policy_change` (built into governance, open to every caller).
 *
 * @example
 * ```ts
 * import { HOST_REVIEW_KINDS } from '@intelgraph/host';
 * HOST_REVIEW_KINDS.pluginInstall; // 'plugin_install'
 * ```
 */
export const HOST_REVIEW_KINDS = Object.freeze({
  ...(Object.fromEntries(
    Object.entries(HOST_OWNED_KINDS).map(([row, spec]) => [row, spec.kind]),
  ) as OwnedKindNames),
  /** Changing any of these policies (built into governance). */
  policyChange: POLICY_CHANGE_KIND,
});

/**
 * The policies a host starts with unless it passes its own (`createExtensionHost({ policies })`
 * replaces them by kind). Reviewer roles follow the demo's personas: `steward`, `legal`, `admin`.
 *
 * - `export`: exports of at most `params.maxRecords` records (default 100) are approved by the policy
 *   itself — decided and audited, never silently skipped; larger ones need one steward. `records` is
 *   counted by the host from the batch it attaches, and counted again from the attachment at apply.
 * - `plugin_install`: one admin or steward approves a high-risk install (write or network scopes).
 * - `entity_merge`: one steward.
 * - `contract_enforcement`: one steward; turning enforcement back on needs no review.
 * - `contract_migration_rule`: one steward. Every registration or change of a rule counts as relaxing
 *   (a rule decides which records reach a reader of another version), so none is approved by the policy.
 * - `policy_change`: one steward other than the requester.
 *
 * @example
 * ```ts
 * import { createExtensionHost, defaultPolicies } from '@intelgraph/host';
 * const host = await createExtensionHost({
 *   policies: defaultPolicies().map((p) => (p.kind === 'export' ? { ...p, params: { maxRecords: 10 } } : p)),
 * });
 * ```
 */
export function defaultPolicies(): PolicyInput[] {
  const day = 86_400_000;
  return [
    {
      kind: HOST_REVIEW_KINDS.export,
      description: 'Data exports larger than the threshold need a data steward',
      approvals: [{ count: 1, role: 'steward' }],
      params: { maxRecords: 100 },
      autoApprove: {
        when: { path: 'records', op: 'lte', param: 'maxRecords' },
        note: 'export under the review threshold',
      },
      sla: {
        dueAfterMs: day,
        warnBeforeMs: 4 * 3_600_000,
        escalation: [{ afterMs: 4 * 3_600_000, to: [{ role: 'admin' }] }],
      },
      expiresAfterMs: 7 * day,
    },
    {
      kind: HOST_REVIEW_KINDS.pluginInstall,
      description: 'Installing a plugin with write or network scopes',
      approvals: [{ count: 1, role: 'steward' }],
      sla: { dueAfterMs: 2 * day, escalation: [{ afterMs: day, to: [{ role: 'admin' }] }] },
      expiresAfterMs: 14 * day,
    },
    {
      kind: HOST_REVIEW_KINDS.entityMerge,
      description: 'Merging two graph entities',
      approvals: [{ count: 1, role: 'steward' }],
      sla: { dueAfterMs: day },
      expiresAfterMs: 7 * day,
    },
    {
      kind: HOST_REVIEW_KINDS.contractEnforcement,
      description: 'Relaxing contract enforcement on an edge',
      approvals: [{ count: 1, role: 'steward' }],
      autoApprove: {
        when: { path: 'mode', op: 'eq', value: 'enforce' },
        note: 'tightening enforcement needs no review',
      },
      sla: { dueAfterMs: day },
    },
    {
      kind: HOST_REVIEW_KINDS.contractMigrationRule,
      description: 'Registering or changing a contract migration rule',
      approvals: [{ count: 1, role: 'steward' }],
      sla: { dueAfterMs: day, escalation: [{ afterMs: day / 2, to: [{ role: 'admin' }] }] },
      expiresAfterMs: 7 * day,
    },
    {
      kind: HOST_REVIEW_KINDS.policyChange,
      description: 'Changing a governance policy',
      approvals: [{ count: 1, role: 'steward' }],
      sla: { dueAfterMs: 3 * day, escalation: [{ afterMs: day, to: [{ role: 'admin' }] }] },
    },
  ];
}
