import type { MigrationRules } from '@intelgraph/contracts';
import { type Actor, type AuditTrail, digestJson, type GraphStore, IntelGraphError } from '@intelgraph/core';
import type { FinOps } from '@intelgraph/finops';
import type { Applier, Governance, ReviewTaskView } from '@intelgraph/governance';
import type { Marketplace } from '@intelgraph/marketplace';
import { z } from 'zod';
import type { ContractGates } from './contract-gates.js';
import {
  type ContractVersioning,
  type MigrationRuleRequest,
  migrateBatch,
  type NegotiatedInstallDeps,
  negotiatedInstall,
} from './contract-versions.js';
import {
  HOST_OWNED_KINDS,
  type HostKindPayload,
  type HostOwnedKind,
  parseOwnedPayload,
} from './review-kinds.js';

/** Where approved exports go (the host option `exportSink`). */
export type ExportSink = (batch: {
  orgId: string;
  subject: string;
  destination: string | null;
  records: unknown[];
}) => Promise<void> | void;

/** What the appliers of the host's own review kinds act on. */
export interface HostApplierDeps {
  marketplace: Marketplace;
  negotiation: NegotiatedInstallDeps;
  graph: GraphStore;
  gates: ContractGates;
  migrations: MigrationRules;
  versions: { versioning: ContractVersioning; migrations: MigrationRules; finops: FinOps };
  audit: AuditTrail;
  /** Created after the appliers (governance takes them): reached when an applier runs. */
  governance: () => Governance;
  exportSink: ExportSink | undefined;
}

/** Typed appliers of the host's own kinds: each gets its payload parsed with the table's schema. */
type OwnedAppliers = {
  [K in HostOwnedKind]: (
    task: ReviewTaskView,
    payload: HostKindPayload<K>,
    context: Parameters<Applier>[1],
  ) => Promise<unknown>;
};

const OWNED_KINDS = [
  'pluginInstall',
  'entityMerge',
  'contractEnforcement',
  'contractMigrationRule',
  'export',
] as const satisfies readonly HostOwnedKind[];
// Fails to compile when a kind is added to HOST_OWNED_KINDS and not to the list above.
const everyKindListed: [Exclude<HostOwnedKind, (typeof OWNED_KINDS)[number]>] extends [never] ? true : false =
  true;
void everyKindListed;

function ownedAppliers(impl: OwnedAppliers): Record<string, Applier> {
  const out: Record<string, Applier> = {};
  const bind = <K extends HostOwnedKind>(row: K): Applier => {
    const apply = impl[row];
    return (task, context) => apply(task, parseOwnedPayload(row, task), context);
  };
  for (const row of OWNED_KINDS) out[HOST_OWNED_KINDS[row].kind] = bind(row);
  return out;
}

/** The requester of a task, as governance authenticated it: never anything from the payload. */
export const requesterOf = (task: ReviewTaskView): Actor => ({
  userId: task.requester.userId,
  orgId: task.orgId,
  roles: [...task.requester.roles],
});

async function applyExport(
  deps: HostApplierDeps,
  task: ReviewTaskView,
  p: HostKindPayload<'export'>,
): Promise<{ delivered: number }> {
  const { audit, gates } = deps;
  const actor = requesterOf(task);
  // The batch is the attachment whose content address the host put in the payload.
  const batchRef = task.evidence.find((e) => e.sha256 === p.digest);
  if (!batchRef) throw new IntelGraphError('NOT_FOUND', `review ${task.id} has no export batch attached`);
  const { bytes } = await deps.governance().evidence(actor, task.id, batchRef.sha256);
  const parsed = z.array(z.json()).safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
  if (!parsed.success)
    throw new IntelGraphError(
      'INVALID_INPUT',
      `review ${task.id}: the export batch is not a list of records`,
    );
  const batch = parsed.data;
  // Counts come from the attachment itself: the payload's count (which the policy's threshold was
  // evaluated on) must be the attachment's.
  if (batch.length !== p.records || digestJson(batch) !== p.digest)
    throw new IntelGraphError('CONFLICT', `review ${task.id}: the export batch does not match the request`, {
      details: { declared: p.records, attached: batch.length },
    });
  // The contract is checked again at apply time, on the attached records (the subject may have a
  // new version or stricter enforcement since the request).
  const decision = await gates.check('export', { subject: p.subject }, batch, actor);
  if (!decision.ok) throw gates.violation(decision, `export ${task.id}`);
  // Migrated down to the version the consumer asked for, after the gate.
  const records =
    p.version === undefined
      ? decision.values
      : (
          await migrateBatch(deps.versions, p.subject, decision.values, {
            from: decision.version ?? 'current',
            to: p.version,
          })
        ).records;
  if (deps.exportSink)
    await deps.exportSink({ orgId: task.orgId, subject: p.subject, destination: p.destination, records });
  await audit.record({
    type: 'export.delivered',
    actor: { userId: actor.userId, orgId: actor.orgId },
    subject: `contract:${p.subject}`,
    orgId: task.orgId,
    data: {
      reviewId: task.id,
      records: records.length,
      digest: p.digest,
      destination: p.destination,
      ...(p.version === undefined ? {} : { version: p.version, from: decision.version }),
    },
  });
  return { delivered: records.length };
}

/**
 * The appliers of the host's own review kinds (`HOST_OWNED_KINDS`): what an approved plugin install,
 * entity merge, enforcement change, migration rule or export does. Each acts as the task's requester
 * (as governance authenticated it) and in the task's org, never from anything in the payload.
 */
export function createHostAppliers(deps: HostApplierDeps): Record<string, Applier> {
  const { marketplace, negotiation, graph, gates, migrations, audit } = deps;
  return ownedAppliers({
    pluginInstall: async (task, p) => {
      const actor = requesterOf(task);
      if (p.action === 'install')
        // The review covers every scope; the install call takes only the optional ones the org chose.
        return negotiatedInstall(negotiation, actor, p, () =>
          marketplace.install(actor, {
            pluginId: p.pluginId,
            version: p.version,
            grant: p.optional,
            approvalRef: task.id,
          }),
        );
      if (p.action === 'consent') return marketplace.consent(actor, p.pluginId, { approvalRef: task.id });
      return marketplace.setOptionalScopes(actor, p.pluginId, { scopes: p.optional, approvalRef: task.id });
    },
    entityMerge: async (task, p) => {
      // The requester's org, never the payload's: a merge reaches that org's entities only.
      const r = await graph.forOrg(task.orgId).merge({ survivorId: p.survivorId, mergedId: p.mergedId });
      return { survivorId: r.entity.id, relationshipsMoved: r.relationshipsMoved };
    },
    contractEnforcement: async (task, p) => {
      gates.setMode(p.subject, p.edge, p.mode);
      await audit.record({
        type: 'contract.enforcement.set',
        actor: { userId: task.requester.userId, orgId: task.orgId },
        subject: `contract:${p.subject}`,
        orgId: task.orgId,
        data: { subject: p.subject, edge: p.edge, mode: p.mode, reviewId: task.id },
      });
      return { subject: p.subject, edge: p.edge, mode: p.mode };
    },
    contractMigrationRule: async (task, p) => {
      // The contract test runs again here, over the samples of the request, against today's versions.
      const rule = await migrations.register(
        p.subject,
        {
          from: p.from,
          to: p.to,
          operations: p.operations as MigrationRuleRequest['operations'],
          ...(p.description === null ? {} : { description: p.description }),
        },
        { samples: p.samples },
      );
      await audit.record({
        type: 'contract.migration_rule.registered',
        actor: { userId: task.requester.userId, orgId: task.orgId },
        subject: `contract:${p.subject}`,
        orgId: task.orgId,
        data: { subject: p.subject, from: p.from, to: p.to, direction: rule.direction, reviewId: task.id },
      });
      return { subject: p.subject, from: p.from, to: p.to, direction: rule.direction };
    },
    export: async (task, p) => applyExport(deps, task, p),
  });
}
