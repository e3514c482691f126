import type { AuditActor, AuditTrail, JsonValue } from '@intelgraph/core';

/** What the contracts package reports: registry changes and every gate decision. */
export interface ContractAuditEvent {
  type:
    | 'contract.schema.registered'
    | 'contract.schema.deleted'
    | 'contract.compatibility.set'
    | 'contract.gate.decision';
  /** `contract:<subject>`. */
  subject: string;
  data: JsonValue;
}

/** Receives every {@link ContractAuditEvent}; a rejection fails the operation that produced it. */
export type ContractAuditHook = (event: ContractAuditEvent) => void | Promise<void>;

/**
 * Adapts a hash-chained {@link AuditTrail} from `@intelgraph/core` into a {@link ContractAuditHook}.
 *
 * @example
 * ```ts
 * import { createAuditTrail, createMemoryAuditStore } from '@intelgraph/core';
 * import { auditTrailHook, createContractGate } from '@intelgraph/contracts';
 * const trail = createAuditTrail({ store: createMemoryAuditStore() });
 * const audit = auditTrailHook(trail, { actor: { userId: 'ingest-bot', orgId: 'acme' }, orgId: 'acme' });
 * ```
 */
export function auditTrailHook(
  trail: AuditTrail,
  options: { actor?: AuditActor; orgId?: string | null } = {},
): ContractAuditHook {
  return async (event) => {
    await trail.record({
      type: event.type,
      actor: options.actor ?? null,
      subject: event.subject,
      orgId: options.orgId ?? null,
      data: event.data,
    });
  };
}
